package upload

import (
	"context"
	"errors"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// SessionRef names a file record.
type SessionRef struct{ ProjectID, ID string }

// ExpiringSessions lists PENDING records whose upload window ended by
// before (at most max); the list may be stale, never incomplete.
type ExpiringSessions interface {
	ExpiredSessions(ctx context.Context, before time.Time, max int) ([]SessionRef, error)
}

// expiryGrace is how long after its window a session is left alone: a
// multipart complete that began in time may still be assembling the object.
const expiryGrace = time.Minute

// Expiring makes each run also store the EXPIRED transition of sessions
// whose window has passed: a read computes EXPIRED, but only a stored
// change is a stream record, so only a stored one becomes file.expired.
func (r *Reconciler) Expiring(sessions ExpiringSessions) *Reconciler {
	r.sessions = sessions
	return r
}

// expire stores EXPIRED for at most max sessions whose window ended more
// than expiryGrace ago. A session whose bytes did arrive (an S3 event
// still on its way) is settled instead, as the event would have; the write
// is conditional on PENDING, so a file settled meanwhile stays as it is.
// The transition is dated at the window's end, when the file expired.
func (r *Reconciler) expire(ctx context.Context, max int) (int, error) {
	if r.sessions == nil {
		return 0, nil
	}
	refs, err := r.sessions.ExpiredSessions(ctx, r.Now().Add(-expiryGrace), max)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ref := range refs {
		f, err := r.settlement.store.Get(ctx, ref.ProjectID, ref.ID)
		switch {
		case errors.Is(err, files.ErrNotFound):
			continue // deleted meanwhile: its index entry went with it
		case err != nil:
			return n, err
		case f.StatusAt(r.Now()) != files.StatusExpired:
			continue // settled meanwhile (a stale index entry)
		}
		res, err := r.settlement.settle(ctx, f, "")
		if err != nil {
			return n, err
		}
		if res.Outcome != Missing {
			continue
		}
		_, err = r.settlement.store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusExpired, At: f.UploadExpiresAt, TTL: f.TTL})
		switch {
		case errors.Is(err, files.ErrConditionFailed):
			continue
		case err != nil:
			return n, err
		}
		n++
	}
	return n, nil
}
