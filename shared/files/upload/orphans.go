package upload

import (
	"context"
	"errors"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// SweepOrphans walks the bucket from where the last run stopped, at most
// max objects, for objects no live file owns: an object whose record is gone
// (older than grace: never a compat upload whose record is still being
// written), and a late upload of a file that is CANCELLED, REJECTED or
// EXPIRED. Uploads of PENDING files are Converge's (from the records); a
// COMPLETED file's object is its own. Lost S3 events are never repaired
// here, so the walk's pace only bounds how long such leftovers take
// storage. One run at a time holds the job's lease; a run stops
// reconcileStopBefore its deadline, saving its place, so the next run
// resumes there.
func (r *Reconciler) SweepOrphans(ctx context.Context, max int, grace time.Duration) (ReconcileReport, error) {
	var rep ReconcileReport
	err := r.leased(ctx, OrphanJob, &rep, func(deadline time.Time) error {
		after, err := r.store.Cursor(ctx, OrphanJob)
		if err != nil {
			return err
		}
		objs, next, err := r.objects.List(ctx, "uploads/", after, max)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if deadline.Sub(r.Now()) < reconcileStopBefore {
				return r.store.SaveCursor(ctx, OrphanJob, after) // out of time: resume here
			}
			rep.Scanned++
			deleted, err := r.sweep(ctx, o.Key, r.Now().Sub(o.LastModified) >= grace)
			if err != nil {
				_ = r.store.SaveCursor(ctx, OrphanJob, after) // the next run resumes at this object
				return err
			}
			if deleted {
				rep.Deleted++
			}
			after = o.Key
		}
		rep.Done = next == ""
		return r.store.SaveCursor(ctx, OrphanJob, next)
	})
	return rep, err
}

// sweep deletes the object at key unless a live file owns it; an object
// with no record goes only when old (it may be a fresh upload whose record
// is being written).
func (r *Reconciler) sweep(ctx context.Context, key string, old bool) (deleted bool, err error) {
	projectID, id, ok := files.ParseObjectKey(key)
	if !ok {
		return false, nil // not in Filegate's key layout
	}
	f, err := r.store.Get(ctx, projectID, id)
	switch {
	case errors.Is(err, files.ErrNotFound) && !old:
		return false, nil
	case errors.Is(err, files.ErrNotFound):
		r.Log.InfoContext(ctx, "deleting an object without a record", "key", key)
	case err != nil:
		return false, err
	case f.Status == files.StatusPending || f.Status == files.StatusScanning || f.Status == files.StatusCompleted:
		return false, nil // live: SCANNING's bytes are what its scan reads
	default:
		r.Log.InfoContext(ctx, "deleting a late upload", "key", key, "status", f.Status)
	}
	return true, r.objects.Delete(ctx, key)
}
