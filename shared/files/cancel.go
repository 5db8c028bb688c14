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
}

// NewCancellation cancels files records reads, through store.
func NewCancellation(records *Records, store Transitioner, o Options) *Cancellation {
	return &Cancellation{Options: o.Resolved(), records: records, store: store}
}

// Cancel ends a PENDING session.
func (c *Cancellation) Cancel(ctx context.Context, projectID, id string) (*File, error) {
	f, err := c.records.Get(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	now := c.Now()
	if st := f.StatusAt(now); st != StatusPending {
		return nil, Errorf(KindConflict, "invalid_state", "only a PENDING file can be cancelled; this one is %s", st)
	}
	f, err = c.store.Transition(ctx, f, StatusPending, Change{To: StatusCancelled, At: now, TTL: c.Config.TerminalTTL(f, now)})
	if errors.Is(err, ErrConditionFailed) {
		return nil, Errorf(KindConflict, "invalid_state", "the file changed state; only a PENDING file can be cancelled")
	}
	if err == nil {
		c.Metrics.Record("cancelled", f.SizeBytes)
	}
	return f, err
}
