// Package s3storage is the S3 adapter: presigned PUT/GET, ranged reads and
// deletes of file objects in one bucket.
package s3storage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/filegate/filegate/shared/files"
)

// Storage is one bucket: the object ports of files (and of files/upload,
// which s3wiring passes it to; this package does not import that one, so a
// function that only signs downloads does not link the MIME sniffer).
type Storage struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
	now     func() time.Time
	signer  aws.CredentialsProvider // nil: the client's own credentials (see SignWith)
	// scannerTags are tag keys validation does not count (IgnoreScannerTags).
	scannerTags []string
}

var (
	_ files.DownloadSigner = (*Storage)(nil)
	_ files.ObjectDeleter  = (*Storage)(nil)
)

// New returns storage on bucket through a client built from cfg with
// ClientOptions, then optFns (endpoint, path-style addressing, a test's
// instrumentation).
func New(cfg aws.Config, bucket string, optFns ...func(*s3.Options)) *Storage {
	client := s3.NewFromConfig(cfg, append([]func(*s3.Options){ClientOptions}, optFns...)...)
	return &Storage{client: client, presign: s3.NewPresignClient(client), bucket: bucket, now: time.Now}
}

// ClientOptions are the client settings Filegate's S3 requests depend on;
// anything that presigns or reads like the functions do uses them.
func ClientOptions(o *s3.Options) {
	// A presigned PUT must not carry an SDK-computed checksum of an empty
	// body (the client sends the bytes later, to S3 directly).
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	// Validation reads a byte range, which carries no whole-object checksum.
	o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
}

// PresignUpload signs a PUT that only succeeds with exactly the declared
// Content-Type and Content-Length, and only if no object exists yet
// (If-None-Match: *), so validated bytes are never replaced; with a SHA256,
// only bytes of that digest (x-amz-checksum-sha256, which S3 checks before
// it stores anything).
func (s *Storage) PresignUpload(ctx context.Context, key string, u files.Upload) (files.Presigned, error) {
	in := &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           &key,
		ContentType:   &u.ContentType,
		ContentLength: &u.ContentLength,
		IfNoneMatch:   aws.String("*"),
	}
	if u.SHA256 != "" {
		in.ChecksumSHA256 = aws.String(files.SHA256Base64(u.SHA256))
	}
	life, opts, err := s.signing(ctx, u.Expires)
	if err != nil {
		return files.Presigned{}, err
	}
	req, err := s.presign.PresignPutObject(ctx, in, opts...)
	return s.upload(req, err, "put", life)
}

// upload is a presigned upload (PUT or part) as clients get it: the URL and
// every header its signature covers, which the request must carry.
func (s *Storage) upload(req *v4.PresignedHTTPRequest, err error, what string, expires time.Duration) (files.Presigned, error) {
	if err != nil {
		return files.Presigned{}, classify(fmt.Errorf("presign %s: %w", what, err))
	}
	h := req.SignedHeader.Clone()
	h.Del("Host") // set by every HTTP client from the URL
	return files.Presigned{URL: req.URL, Headers: h, ExpiresAt: s.now().Add(expires).UTC()}, nil
}

// Response headers every download pins, whatever the object was stored with:
// a private file is never kept by shared caches (or by the browser), and is
// served as stored bytes, never decoded ("identity" is HTTP's no-encoding).
// S3 lets a signed GET override Content-Type, -Disposition, -Encoding,
// -Language, Cache-Control and Expires; the last two of those have no value
// meaning "none", and validation refuses objects stored with any of them.
const (
	downloadCacheControl    = "private, no-store"
	downloadContentEncoding = "identity"
)

// PresignDownload signs a GET that makes browsers save the file under its
// name (never render it) with the declared content type; see the pinned
// headers above.
func (s *Storage) PresignDownload(ctx context.Context, key string, d files.Download) (files.Presigned, error) {
	life, opts, err := s.signing(ctx, d.Expires)
	if err != nil {
		return files.Presigned{}, err
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket:                     &s.bucket,
		Key:                        &key,
		ResponseContentDisposition: aws.String(Attachment(d.Filename)),
		ResponseContentType:        &d.ContentType,
		ResponseCacheControl:       aws.String(downloadCacheControl),
		ResponseContentEncoding:    aws.String(downloadContentEncoding),
	}, opts...)
	if err != nil {
		return files.Presigned{}, classify(fmt.Errorf("presign get: %w", err))
	}
	return files.Presigned{URL: req.URL, ExpiresAt: s.now().Add(life).UTC()}, nil
}

// Delete removes the object; S3 deletes are idempotent.
func (s *Storage) Delete(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key})
	return classify(err)
}

// classify turns S3 errors into the domain's vocabulary. Faults the SDK
// would retry (SlowDown, 5xx, connection errors) are still retryable after
// its bounded retries ran out, and so is a call the request's deadline ended
// (S3, or the signer's credentials, stalled: the SDK reports it as cancelled,
// which its retry rules never retry): callers see "unavailable", never
// "internal". Presigning fails only when its credentials cannot be had.
func classify(err error) error {
	var re *awshttp.ResponseError
	var api smithy.APIError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return files.Unavailable("object storage", err)
	case errors.As(err, &api) && api.ErrorCode() == "NoSuchBucket":
		// A 404 too, but no missing object: the deployment's bucket is
		// gone or misnamed, and waiting for bytes would never end.
		return files.Internal(err)
	case errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound:
		return files.ErrObjectMissing
	case errors.As(err, &re) && re.HTTPStatusCode() == http.StatusPreconditionFailed:
		return files.ErrObjectExists // If-None-Match: * found an object
	case retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary:
		return files.Unavailable("object storage", err)
	default:
		return files.Internal(err)
	}
}
