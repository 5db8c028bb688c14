package files

import (
	"context"
	"time"
)

// Removed handles DynamoDB TTL's removal of a record (the stream's REMOVE):
// the object goes, then the counters. Both steps are idempotent, so a
// redelivered record is harmless.
func (s *Service) Removed(ctx context.Context, f *File) error {
	if f.ObjectKey != "" {
		if err := s.objects.Delete(ctx, f.ObjectKey); err != nil {
			return err
		}
	}
	if err := s.store.Forget(ctx, f); err != nil {
		return err
	}
	if f.Status == StatusPending {
		s.metrics.Record("expired", f.SizeBytes) // a session that never completed
	}
	return nil
}

// ReconcileReport says what one reconcile run did.
type ReconcileReport struct {
	Scanned, Settled, Deleted int
	Done                      bool // the listing reached the end and starts over next run
}

const reconcileJob = "reconcile"

// Reconcile walks the bucket from where the last run stopped, at most max
// objects, and treats each like a (possibly lost) S3 event: PENDING files get
// settled by the same validator, late uploads are deleted, and objects with
// no record are deleted once older than grace (never a fresh upload whose
// record is still being written).
func (s *Service) Reconcile(ctx context.Context, max int, grace time.Duration) (ReconcileReport, error) {
	var rep ReconcileReport
	after, err := s.store.Cursor(ctx, reconcileJob)
	if err != nil {
		return rep, err
	}
	objs, next, err := s.objects.List(ctx, "uploads/", after, max)
	if err != nil {
		return rep, err
	}
	for _, o := range objs {
		rep.Scanned++
		// An object without a record may be a compat upload whose record is
		// being written right now: only old orphans go.
		out, err := s.settleObject(ctx, o.Key, s.now().Sub(o.LastModified) >= grace)
		if err != nil {
			// Stop here; the next run resumes at this object.
			_ = s.store.SaveCursor(ctx, reconcileJob, after)
			return rep, err
		}
		switch out {
		case outcomeSettled:
			rep.Settled++
		case outcomeDeleted:
			rep.Deleted++
		}
		after = o.Key
	}
	rep.Done = next == ""
	return rep, s.store.SaveCursor(ctx, reconcileJob, next)
}
