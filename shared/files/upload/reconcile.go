package upload

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Reconciler repairs what no request or event will: the scheduled passes.
// Converge works from the records, so its cost follows the uploads in
// flight, never the bucket's size: it settles uploads whose S3 event was
// lost, stores EXPIRED for sessions that ended without bytes, finishes
// multipart assemblies cut off after complete answered 202, and aborts the
// multipart uploads of sessions that ended, and asks again for the malware
// verdict on files whose scan is due (a scanner that was down, a late
// asynchronous verdict). SweepOrphans walks the bucket,
// bounded and resumable, for objects no record names.
type Reconciler struct {
	files.Options
	store      reconcileStore
	objects    reconcileObjects
	settlement *Settlement
}

// reconcileStore is what reconcile asks of records: the files due for a
// look, and the writes that end their sessions; its jobs' cursors and
// leases.
type reconcileStore interface {
	files.RecordGetter
	files.Transitioner
	JobState
	// Due lists, a page at a time as the caller ranges, the files whose
	// ReconcileAt is at or before `before`; it stops at its first error.
	// The list may lag the records (an index): the caller reads each.
	Due(ctx context.Context, before time.Time) iter.Seq2[files.FileKey, error]
	// Expire stores EXPIRED for a PENDING file whose session has ended by
	// at, unless it changed since it was read (ErrConditionFailed); the
	// file is next due at reconcileAt (zero: it leaves the due list).
	Expire(ctx context.Context, f *files.File, at, reconcileAt time.Time) (*files.File, error)
	// Reconciled takes a file that is no longer PENDING off the due list,
	// unless its status changed since it was read.
	Reconciled(ctx context.Context, f *files.File) error
}

// reconcileObjects is what reconcile asks of storage: the open multipart
// uploads of one key (OpenUploadLister, given the key as its prefix), and the
// orphan walk's listing and deletes.
type reconcileObjects interface {
	ObjectLister
	OpenUploadLister
	files.ObjectDeleter
}

// NewReconciler reconciles the files of store with the objects of objects,
// settling through settlement.
func NewReconciler(store reconcileStore, objects reconcileObjects, settlement *Settlement, o files.Options) *Reconciler {
	return &Reconciler{Options: o.Resolved(), store: store, objects: objects, settlement: settlement}
}

// ReconcileReport says what one run did.
type ReconcileReport struct {
	Due       int // records looked at (Converge)
	Settled   int // COMPLETED or REJECTED
	Expired   int // stored EXPIRED
	Assembled int // multipart assemblies finished
	Aborted   int // multipart uploads aborted
	// ScansDue counts the SCANNING files whose look was due, ScansSettled
	// those of them a verdict settled (the others wait on).
	ScansDue, ScansSettled int
	Scanned                int // objects looked at (SweepOrphans)
	Deleted                int // objects deleted (SweepOrphans)
	// Done: Converge went through everything due; SweepOrphans reached the
	// bucket's end and starts over next run.
	Done bool
	Busy bool // another run held the job's lease: this one did nothing
}

// Jobs: each holds a lease of its own (one run at a time), and the orphan
// walk a cursor.
const (
	ReconcileJob = "reconcile"
	OrphanJob    = "orphans"
)

// reconcileStopBefore is how long before its deadline a run stops taking
// work: enough to finish the file or object in hand (a read, a range GET, a
// write, each up to 3 attempts with backoff up to 1 s; an assembly is
// bounded apart, see finishAssembly) and to save the cursor and free the
// lease. A Lambda killed at its deadline saves nothing.
const reconcileStopBefore = 15 * time.Second

// maxJobRun bounds the lease of a run whose context has no deadline
// (Lambda's longest timeout), so a crashed run cannot hold it for ever.
const maxJobRun = 15 * time.Minute

// maxFaults is how many files in a row may find a dependency unavailable
// before a run gives up (the next run retries them: they stay due). Any
// other fault is logged and the run goes on past the file, so no file
// that keeps failing holds up the ones behind it.
const maxFaults = 3

// forever is a due time past every file's: Converge's all.
var forever = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// Converge looks at every file reconcile's index says is due, oldest first
// in each shard, until its deadline draws near (what is left stays due for
// the next run). With all, it looks at every PENDING file instead, due or
// not, and settles each whose bytes are stored (the local stack's pass after
// storage restarts, when events raised while it booted were lost).
//
// Bounds (the schedule runs it every 5 minutes): a session that ended
// without bytes is stored EXPIRED, and one whose bytes came without their
// event is settled, within the schedule period plus one run (the function's
// timeout) after its upload session ends, while fewer files fall due per
// period than a run gets through; an assembly cut off after a 202 is
// finished AssemblyGrace later, within the same margin.
func (r *Reconciler) Converge(ctx context.Context, all bool) (ReconcileReport, error) {
	var rep ReconcileReport
	err := r.leased(ctx, ReconcileJob, &rep, func(deadline time.Time) error {
		before := r.Now()
		if all {
			before = forever
		}
		faults := 0
		for key, err := range r.store.Due(ctx, before) {
			if err != nil {
				return err
			}
			if deadline.Sub(r.Now()) < reconcileStopBefore {
				return nil // out of time: the rest stays due
			}
			rep.Due++
			err := r.reconcile(ctx, key, all, &rep)
			if err != nil {
				r.Log.WarnContext(ctx, "reconcile left a file for the next run", "projectId", key.ProjectID, "fileId", key.ID, "err", err)
			}
			if files.KindOf(err) != files.KindUnavailable {
				faults = 0
			} else if faults++; faults >= maxFaults {
				return err
			}
		}
		rep.Done = true
		return nil
	})
	return rep, err
}

// leased runs job under its lease until the run's deadline; a run that
// finds the lease held returns Busy at once.
func (r *Reconciler) leased(ctx context.Context, job string, rep *ReconcileReport, run func(deadline time.Time) error) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = r.Now().Add(maxJobRun)
	}
	holder := files.NewID(r.Now()).String()
	if held, err := r.store.AcquireLease(ctx, job, holder, r.Now(), deadline); err != nil || !held {
		rep.Busy = err == nil
		return err
	}
	defer func() {
		if err := r.store.ReleaseLease(context.WithoutCancel(ctx), job, holder); err != nil {
			r.Log.WarnContext(ctx, "reconcile lease left to expire", "job", job, "until", deadline, "err", err)
		}
	}()
	return run(deadline)
}

// reconcile does what file key is due for. The index may lag the record,
// so the record, read consistently, decides.
func (r *Reconciler) reconcile(ctx context.Context, key files.FileKey, all bool, rep *ReconcileReport) error {
	f, err := r.store.Get(ctx, key.ProjectID, key.ID)
	if errors.Is(err, files.ErrNotFound) {
		return nil // deleted since the index was read
	}
	if err != nil {
		return err
	}
	now := r.Now()
	switch {
	case f.ReconcileAt.IsZero():
		return nil // reconciled since the index was read
	case f.Status == files.StatusScanning:
		if !all && f.ReconcileAt.After(now) {
			return nil // looked at since the index was read
		}
		return r.rescan(ctx, f, rep)
	case f.Status != files.StatusPending:
		return r.endSession(ctx, f, rep)
	case !all && f.ReconcileAt.After(now):
		return nil // its time moved on since the index was read
	case f.AssemblingSince != nil:
		return r.finishAssembly(ctx, f, rep)
	case now.Before(f.UploadExpiresAt):
		// Only with all: a live session, settled if its bytes are stored.
		if f.Multipart != nil {
			return nil // its parts wait for the client's complete
		}
		res, err := r.settlement.settle(ctx, f, "")
		count(rep, res.Outcome)
		return err
	default:
		return r.settleOrExpire(ctx, f, rep)
	}
}

// settleOrExpire ends a PENDING file whose upload session has passed: its
// object, if stored, is validated and the file settled, as its lost S3
// event would have; without one it is EXPIRED (and its multipart upload,
// if any, aborted first: no URL can add a part any more).
func (r *Reconciler) settleOrExpire(ctx context.Context, f *files.File, rep *ReconcileReport) error {
	res, err := r.settlement.settle(ctx, f, "")
	if err != nil || res.Outcome != Missing {
		count(rep, res.Outcome)
		return err
	}
	return r.expire(ctx, f, rep)
}

// expire stores EXPIRED for f, whose session has ended without bytes. A
// multipart file's uploads are aborted after the write, never before: a
// complete that began assembling meanwhile wins the write and keeps its
// upload. Until they are aborted the file stays due (endSession).
func (r *Reconciler) expire(ctx context.Context, f *files.File, rep *ReconcileReport) error {
	now := r.Now()
	g, err := r.store.Expire(ctx, f, now, r.Config.ReconcileAt(f, files.StatusExpired, now))
	if errors.Is(err, files.ErrConditionFailed) {
		return nil // settled, cancelled or being assembled meanwhile: the next look decides
	}
	if err != nil {
		return err
	}
	rep.Expired++
	r.Metrics.Record("expired", f.SizeBytes)
	r.Log.InfoContext(ctx, "upload session expired", "projectId", f.ProjectID, "fileId", f.ID)
	if g.Multipart != nil {
		return r.endSession(ctx, g, rep)
	}
	return nil
}

// finishAssembly finishes a multipart file whose complete began assembling
// it AssemblyGrace ago or more and that is still PENDING: its assembly was
// cut off (a crash, storage restarting) after complete answered 202. It
// assembles the upload from the parts storage holds and settles the file,
// with no client call. An assembly that outlasts AssemblyTimeout carries on
// in storage and is looked at again AssemblyGrace later; an upload that is
// gone with no object left (aborted) makes the file EXPIRED once its
// session has ended.
func (r *Reconciler) finishAssembly(ctx context.Context, f *files.File, rep *ReconcileReport) error {
	f, done, err := r.settlement.assemble(ctx, f, "")
	switch {
	case err != nil && files.KindOf(err) == files.KindConflict && f.Status == files.StatusPending:
		// Parts went missing since complete checked them: nothing to
		// assemble; at the session's end the file expires.
		return r.later(ctx, f, f.UploadExpiresAt)
	case err != nil:
		return err
	case f.Status != files.StatusPending:
		return nil // settled meanwhile
	case !done:
		return r.later(ctx, f, r.Now().Add(r.Config.AssemblyGrace))
	}
	res, err := r.settlement.settle(ctx, f, "")
	if err != nil {
		return err
	}
	if res.Outcome == Completed || res.Outcome == Rejected {
		rep.Assembled++
	}
	count(rep, res.Outcome)
	if res.Outcome != Missing {
		return nil
	}
	if r.Now().Before(f.UploadExpiresAt) {
		return r.later(ctx, f, f.UploadExpiresAt)
	}
	return r.expire(ctx, f, rep)
}

// later moves a PENDING file's next look to at.
func (r *Reconciler) later(ctx context.Context, f *files.File, at time.Time) error {
	_, err := r.store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusPending, At: r.Now(), TTL: f.TTL, ReconcileAt: at})
	if errors.Is(err, files.ErrConditionFailed) {
		return nil // settled meanwhile
	}
	return err
}

// endSession finishes what a multipart file that left PENDING may have left
// in storage: every multipart upload its key still holds (none is live
// once the session has ended: a cancel's abort that failed, a keyed
// create's second upload whose abort failed). Then the file leaves
// reconcile's index.
func (r *Reconciler) endSession(ctx context.Context, f *files.File, rep *ReconcileReport) error {
	if f.Multipart != nil {
		if err := r.abortKey(ctx, f.ObjectKey, rep); err != nil {
			return err
		}
	}
	err := r.store.Reconciled(ctx, f)
	if errors.Is(err, files.ErrConditionFailed) || errors.Is(err, files.ErrNotFound) {
		return nil // changed meanwhile: the next look decides
	}
	return err
}

// abortKey aborts every multipart upload open on exactly key: one
// ListMultipartUploads with the key as its prefix (which MinIO, unlike S3,
// answers only for an exact key), then an abort each.
func (r *Reconciler) abortKey(ctx context.Context, key string, rep *ReconcileReport) error {
	ups, err := r.objects.OpenUploads(ctx, key, 1000)
	if err != nil {
		return err
	}
	for _, u := range ups {
		if u.Key != key {
			continue
		}
		if err := r.objects.AbortMultipart(ctx, key, u.UploadID); err != nil {
			return err
		}
		rep.Aborted++
	}
	return nil
}

// count adds a settling outcome to rep.
func count(rep *ReconcileReport, o Outcome) {
	if o == Completed || o == Rejected {
		rep.Settled++
	}
}
