// Package s3events adapts S3 ObjectCreated notifications to the file service.
package s3events

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/files"
)

// Processor is the process-upload Lambda's handler.
type Processor struct {
	Files *files.Service
}

// Handle settles every record's file. Only retryable faults are returned, so
// Lambda retries those and nothing else: duplicates, late and unknown keys
// end quietly inside ObjectCreated.
func (p *Processor) Handle(ctx context.Context, ev events.S3Event) error {
	var errs []error
	for _, rec := range ev.Records {
		// URLDecodedKey: S3 sends keys URL-encoded ("+" for spaces).
		if err := p.Files.ObjectCreated(ctx, rec.S3.Object.URLDecodedKey); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
