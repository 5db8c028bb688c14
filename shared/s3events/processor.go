// Package s3events adapts S3 ObjectCreated notifications to the upload
// settlement.
package s3events

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/files/upload"
)

// Processor is the process-upload Lambda's handler.
type Processor struct {
	Settlement *upload.Settlement
	// Bucket is the uploads bucket: records naming another are ignored, so
	// an object elsewhere (another bucket's notification pointed here, or a
	// forged invoke) never settles a file whose key it shares.
	Bucket string
	Log    *slog.Logger
}

// Handle settles every record's file. Only retryable faults are returned, so
// Lambda retries those and nothing else: duplicates, late and unknown keys
// end quietly inside ObjectCreated.
func (p *Processor) Handle(ctx context.Context, ev events.S3Event) error {
	var errs []error
	for _, rec := range ev.Records {
		if rec.S3.Bucket.Name != p.Bucket {
			p.Log.WarnContext(ctx, "ignoring an event from another bucket", "bucket", rec.S3.Bucket.Name, "key", rec.S3.Object.Key)
			continue
		}
		// URLDecodedKey: S3 sends keys URL-encoded ("+" for spaces).
		if _, err := p.Settlement.ObjectCreated(ctx, rec.S3.Object.URLDecodedKey); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
