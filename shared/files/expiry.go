package files

import "context"

// Forgetter is the TTL bookkeeping of a record DynamoDB's TTL removed.
type Forgetter interface {
	// Forget accounts for the removed record (its counters); idempotent,
	// since stream records are delivered at least once.
	Forget(ctx context.Context, f *File) error
}

// Expiry finishes what DynamoDB's TTL started.
type Expiry struct {
	Options
	objects ObjectDeleter
	store   Forgetter
}

// NewExpiry deletes removed records' objects and forgets them in store.
func NewExpiry(objects ObjectDeleter, store Forgetter, o Options) *Expiry {
	return &Expiry{Options: o.Resolved(), objects: objects, store: store}
}

// Removed handles TTL's removal of a record (the stream's REMOVE): the
// object goes, then the counters. Both steps are idempotent, so a
// redelivered record is harmless.
func (e *Expiry) Removed(ctx context.Context, f *File) error {
	if f.ObjectKey != "" {
		if err := e.objects.Delete(ctx, f.ObjectKey); err != nil {
			return err
		}
	}
	if err := e.store.Forget(ctx, f); err != nil {
		return err
	}
	if f.Status == StatusPending {
		e.Metrics.Record("expired", f.SizeBytes) // a session that never completed
	}
	return nil
}
