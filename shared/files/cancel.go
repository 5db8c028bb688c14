package files

import (
	"context"
	"errors"
)

// Cancellation ends upload sessions.
type Cancellation struct {
	Options
	records *Records
	store   Transitioner
	uploads MultipartAborter
}

// NewCancellation cancels files records reads, through store, and aborts
// their multipart uploads through uploads.
func NewCancellation(records *Records, store Transitioner, uploads MultipartAborter, o Options) *Cancellation {
	return &Cancellation{Options: o.Resolved(), records: records, store: store, uploads: uploads}
}

// Cancel ends a PENDING session.
func (c *Cancellation) Cancel(ctx context.Context, projectID string, id FileID) (*File, error) {
	f, err := c.records.Get(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	now := c.Now()
	switch st := f.StatusAt(now); st {
	case StatusPending:
	case StatusScanning:
		return nil, Errorf(KindConflict, "invalid_state", "the file's upload is over: its bytes passed validation and are being scanned for malware, so it can no longer be cancelled (delete it instead)")
	default:
		return nil, Errorf(KindConflict, "invalid_state", "only a PENDING file can be cancelled; this one is %s", st)
	}
	f, err = c.store.Transition(ctx, f, StatusPending, Change{To: StatusCancelled, At: now, TTL: c.Config.TerminalTTL(f, now), ReconcileAt: c.Config.ReconcileAt(f, StatusCancelled, now)})
	if errors.Is(err, ErrConditionFailed) {
		// Lost to a concurrent call: answer as the file now is (gone: 404),
		// so the answer names a state the file was really in.
		if f, err = c.records.Get(ctx, projectID, id); err != nil {
			return nil, err
		}
		return nil, Errorf(KindConflict, "invalid_state", "only a PENDING file can be cancelled; this one is %s", f.StatusAt(c.Now()))
	}
	if err != nil {
		return nil, err
	}
	c.Metrics.Record("cancelled", f.SizeBytes)
	// The parts go with the session. Should the abort fail, the file is
	// cancelled all the same: reconcile, which looks at every multipart file
	// that left PENDING (ReconcileAt), aborts what its key still holds.
	if m := f.Multipart; m != nil {
		if err := c.uploads.AbortMultipart(ctx, f.ObjectKey, m.UploadID); err != nil {
			c.Log.WarnContext(ctx, "could not abort a cancelled file's multipart upload", "fileId", f.ID, "err", err)
		}
	}
	return f, nil
}
