package s3storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/shared/files"
)

// Peek is one ranged GET of the object's first n bytes: its headers say all
// a HEAD would (the whole object's size in Content-Range, its type, ETag and
// stored metadata), so validation makes one S3 request, and never reads a
// whole object.
func (s *Storage) Peek(ctx context.Context, key string, n int64) (files.ObjectInfo, []byte, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key, Range: aws.String(fmt.Sprintf("bytes=0-%d", n-1))})
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusRequestedRangeNotSatisfiable {
		// Only an empty object has no byte 0: read it whole, which is nothing.
		out, err = s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	}
	if err != nil {
		return files.ObjectInfo{}, nil, classify(err)
	}
	defer out.Body.Close()
	size, err := objectSize(out)
	if err != nil {
		return files.ObjectInfo{}, nil, files.Internal(err)
	}
	head, err := io.ReadAll(io.LimitReader(out.Body, n))
	if err != nil {
		return files.ObjectInfo{}, nil, classify(err)
	}
	if out.TagCount, err = s.uploadedTagCount(ctx, key, out.TagCount); err != nil {
		return files.ObjectInfo{}, nil, err
	}
	return files.ObjectInfo{
		Size:        size,
		ContentType: aws.ToString(out.ContentType),
		ETag:        aws.ToString(out.ETag),
		Metadata:    storedMetadata(out),
	}, head, nil
}

// objectSize is the whole object's size: Content-Range's complete length
// ("bytes 0-3071/1048576") when the answer is a range, else its length.
func objectSize(out *s3.GetObjectOutput) (int64, error) {
	cr := aws.ToString(out.ContentRange)
	if cr == "" {
		return aws.ToInt64(out.ContentLength), nil
	}
	_, total, ok := strings.Cut(cr, "/")
	size, err := strconv.ParseInt(total, 10, 64)
	if !ok || err != nil {
		return 0, fmt.Errorf("s3: unreadable Content-Range %q", cr)
	}
	return size, nil
}
