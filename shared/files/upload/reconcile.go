package upload

import (
	"context"
	"errors"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Reconciler settles what S3 events missed: the scheduled pass over the
// bucket.
type Reconciler struct {
	files.Options
	objects    reconcileObjects
	jobs       JobState
	scans      DueScans
	settlement *Settlement
}

// NewReconciler walks objects, keeps its place and lease in jobs, settles
// each object with settlement, and looks again at the files scans finds
// waiting for a malware verdict past their due time.
func NewReconciler(objects reconcileObjects, jobs JobState, scans DueScans, settlement *Settlement, o files.Options) *Reconciler {
	return &Reconciler{Options: o.Resolved(), objects: objects, jobs: jobs, scans: scans, settlement: settlement}
}

// reconcileObjects is what reconcile walks: objects, and open multipart
// uploads.
type reconcileObjects interface {
	ObjectLister
	UploadLister
}

// ReconcileReport says what one reconcile run did.
type ReconcileReport struct {
	Scanned, Settled, Deleted int
	Aborted                   int // multipart uploads no live session owns
	// ScansDue counts the SCANNING files whose look was due, ScansSettled
	// those of them a verdict settled (the others wait on).
	ScansDue, ScansSettled int
	Done                   bool // the listing reached the end and starts over next run
	Busy                   bool // another run held the job's lease: this one did nothing
}

// ReconcileJob names reconcile's cursor and lease.
const ReconcileJob = "reconcile"

// reconcileStopBefore is how long before its deadline a run stops taking
// objects: enough to finish the object in hand (a read, a HEAD, a range GET
// and a write, each up to 3 attempts with backoff up to 1 s) and to save the
// cursor and free the lease. A Lambda killed at its deadline saves nothing.
const reconcileStopBefore = 15 * time.Second

// maxJobRun bounds the lease of a run whose context has no deadline
// (Lambda's longest timeout), so a crashed run cannot hold it for ever.
const maxJobRun = 15 * time.Minute

// Run walks the bucket from where the last run stopped, at most max
// objects, and treats each like a (possibly lost) S3 event: PENDING files get
// settled by the same validator, late uploads are deleted, and objects with
// no record are deleted once older than grace (never a fresh upload whose
// record is still being written). One run at a time holds the job's lease
// until its deadline; one that finds it held returns Busy at once. A run
// stops reconcileStopBefore its deadline, saving its place, so the next run
// resumes there instead of walking the same keys again.
func (r *Reconciler) Run(ctx context.Context, max int, grace time.Duration) (ReconcileReport, error) {
	var rep ReconcileReport
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = r.Now().Add(maxJobRun)
	}
	holder := files.NewID(r.Now())
	if held, err := r.jobs.AcquireLease(ctx, ReconcileJob, holder, r.Now(), deadline); err != nil || !held {
		rep.Busy = err == nil
		return rep, err
	}
	defer func() {
		if err := r.jobs.ReleaseLease(context.WithoutCancel(ctx), ReconcileJob, holder); err != nil {
			r.Log.WarnContext(ctx, "reconcile lease left to expire", "until", deadline, "err", err)
		}
	}()
	// Files waiting for a verdict first: clients wait on them; and their
	// number, not the bucket's size, bounds the cost.
	var err error
	if rep.ScansDue, rep.ScansSettled, err = r.retryScans(ctx, max, deadline); err != nil {
		return rep, err
	}
	after, err := r.jobs.Cursor(ctx, ReconcileJob)
	if err != nil {
		return rep, err
	}
	objs, next, err := r.objects.List(ctx, "uploads/", after, max)
	if err != nil {
		return rep, err
	}
	for _, o := range objs {
		if deadline.Sub(r.Now()) < reconcileStopBefore {
			return rep, r.jobs.SaveCursor(ctx, ReconcileJob, after) // out of time: resume here
		}
		rep.Scanned++
		// An object without a record may be a compat upload whose record is
		// being written right now: only old orphans go.
		out, err := r.settlement.settleObject(ctx, o.Key, r.Now().Sub(o.LastModified) >= grace)
		if err != nil {
			// Stop here; the next run resumes at this object.
			_ = r.jobs.SaveCursor(ctx, ReconcileJob, after)
			return rep, err
		}
		switch out {
		case Completed, Rejected:
			rep.Settled++
		case ObjectDeleted:
			rep.Deleted++
		}
		after = o.Key
	}
	rep.Done = next == ""
	if rep.Done {
		if rep.Aborted, err = r.abortStrays(ctx, max, grace); err != nil {
			r.Log.WarnContext(ctx, "stray multipart uploads left for the next run", "err", err)
		}
	}
	return rep, r.jobs.SaveCursor(ctx, ReconcileJob, next)
}

// abortStrays aborts open multipart uploads no live session owns: the
// file's record is gone, no longer PENDING, its session has ended, or it
// names another upload (a create that failed half-way). Uploads younger
// than grace may belong to a record still being written. Cancel, delete
// and TTL's expiry abort their own; this catches what those missed, once
// per pass over the bucket, before the bucket's lifecycle rule would.
func (r *Reconciler) abortStrays(ctx context.Context, max int, grace time.Duration) (int, error) {
	ups, err := r.objects.OpenUploads(ctx, "uploads/", max)
	if err != nil {
		return 0, err
	}
	aborted := 0
	for _, u := range ups {
		if r.Now().Sub(u.Initiated) < grace {
			continue
		}
		projectID, id, ok := files.ParseObjectKey(u.Key)
		if !ok {
			continue
		}
		f, err := r.settlement.store.Get(ctx, projectID, id)
		switch {
		case err != nil && !errors.Is(err, files.ErrNotFound):
			return aborted, err
		case err == nil && f.StatusAt(r.Now()) == files.StatusPending && f.Multipart != nil && f.Multipart.UploadID == u.UploadID:
			continue // a live session's
		}
		if err := r.objects.AbortMultipart(ctx, u.Key, u.UploadID); err != nil {
			return aborted, err
		}
		aborted++
	}
	return aborted, nil
}
