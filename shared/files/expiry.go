package files

import "context"

// Expiry finishes what DynamoDB's TTL started: the removed record's object.
// (The project's counts follow the stream on their own, like every removal.)
type Expiry struct {
	Options
	objects ObjectDeleter
}

// NewExpiry deletes removed records' objects.
func NewExpiry(objects ObjectDeleter, o Options) *Expiry {
	return &Expiry{Options: o.Resolved(), objects: objects}
}

// Removed handles TTL's removal of a record (the stream's REMOVE): its object
// goes. Deleting is idempotent, so a redelivered record is harmless.
func (e *Expiry) Removed(ctx context.Context, f *File) error {
	if f.ObjectKey != "" {
		if err := e.objects.Delete(ctx, f.ObjectKey); err != nil {
			return err
		}
	}
	if f.Status == StatusPending {
		e.Metrics.Record("expired", f.SizeBytes) // a session that never completed
	}
	return nil
}
