// Package s3wiring is the composition root of the functions that use object
// storage but judge no uploads: wiring's environment plus the S3 adapter.
// Only their mains import it, so only they link the S3 client; the ones
// that settle uploads use uploadwiring, which adds the MIME sniffer.
package s3wiring

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/s3storage"
	"github.com/filegate/filegate/shared/streamevents"
	"github.com/filegate/filegate/shared/stssigner"
	"github.com/filegate/filegate/shared/wiring"
)

// Storage is the uploads bucket, at the endpoint the environment names,
// presigning with the signer role's credentials when SIGNER_ROLE_ARN names
// one (on AWS, always: the function's own session credentials end at a
// time it cannot see, and its URLs with them).
func Storage(e *wiring.Env) *s3storage.Storage {
	s := s3storage.New(e.AWS, e.Config.BucketName, func(o *s3.Options) {
		o.BaseEndpoint = e.Endpoint("S3")
		o.UsePathStyle = e.Config.S3PathStyle
	})
	if e.Config.SignerRoleARN == "" {
		return s
	}
	client := sts.NewFromConfig(e.AWS, func(o *sts.Options) { o.BaseEndpoint = e.Endpoint("STS") })
	return s.SignWith(stssigner.New(client, e.Config.SignerRoleARN, nil), nil)
}

// The use cases that need object storage (those that also judge uploads
// are uploadwiring's).

// Downloads signs download URLs.
func Downloads(e *wiring.Env) *files.Downloads {
	return files.NewDownloads(wiring.Records(e), Storage(e), wiring.Options(e))
}

// Deletion deletes files and their objects.
func Deletion(e *wiring.Env) *files.Deletion {
	return files.NewDeletion(wiring.Records(e), wiring.Store(e), Storage(e), wiring.Options(e))
}

// Cancellation cancels upload sessions (and aborts multipart uploads).
func Cancellation(e *wiring.Env) *files.Cancellation {
	return files.NewCancellation(wiring.Records(e), wiring.Store(e), Storage(e), wiring.Options(e))
}

// Expiry finishes TTL's removals.
func Expiry(e *wiring.Env) *files.Expiry {
	return files.NewExpiry(Storage(e), wiring.Options(e))
}

// CleanupLambda is the stream cleanup's handler signature.
type CleanupLambda = func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// Cleanup is the handler for the table's stream: TTL removals delete their
// objects.
func Cleanup(e *wiring.Env) CleanupLambda {
	return (&streamevents.Cleanup{Expiry: Expiry(e), Log: e.Log}).Handle
}
