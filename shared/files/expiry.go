package files

import "context"

// Expiry finishes what DynamoDB's TTL started: the removed record's object,
// and an unfinished multipart upload's parts. (The project's counts follow
// the stream on their own, like every removal.)
type Expiry struct {
	Options
	objects expiredObjects
}

// expiredObjects is what a removed record leaves in storage: its object,
// and its multipart upload's parts.
type expiredObjects interface {
	ObjectDeleter
	MultipartAborter
}

// NewExpiry deletes removed records' objects and aborts their multipart
// uploads.
func NewExpiry(objects expiredObjects, o Options) *Expiry {
	return &Expiry{Options: o.Resolved(), objects: objects}
}

// Removed handles TTL's removal of a record (the stream's REMOVE): its object
// goes, and its multipart upload if it never completed. Both are
// idempotent, so a redelivered record is harmless.
func (e *Expiry) Removed(ctx context.Context, f *File) error {
	if f.ObjectKey != "" {
		if m := f.Multipart; m != nil && f.Status != StatusCompleted {
			if err := e.objects.AbortMultipart(ctx, f.ObjectKey, m.UploadID); err != nil {
				return err
			}
		}
		if err := e.objects.Delete(ctx, f.ObjectKey); err != nil {
			return err
		}
	}
	if f.Status == StatusPending {
		// A session that never completed, and that reconcile had not yet
		// stored EXPIRED (which it counted then).
		e.Metrics.Record("expired", f.SizeBytes)
	}
	return nil
}
