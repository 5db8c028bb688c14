package files

import (
	"context"
	"time"
)

// Records reads files: every operation on one file starts here, so all of
// them treat a file past its retention as gone.
type Records struct {
	Options
	store RecordReader
}

// NewRecords reads through store.
func NewRecords(store RecordReader, o Options) *Records {
	return &Records{Options: o.Resolved(), store: store}
}

// Get returns a live file of the project.
func (r *Records) Get(ctx context.Context, projectID string, id FileID) (*File, error) {
	return GetLive(ctx, r.store, projectID, id, r.Now())
}

// GetLive is how every use case reads a file a client names (parsed from
// either spelling where the request came in), not found once past its
// retention at now.
func GetLive(ctx context.Context, store RecordGetter, projectID string, id FileID, now time.Time) (*File, error) {
	if id.IsZero() {
		return nil, ErrNotFound
	}
	f, err := store.Get(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	if f.GoneAt(now) {
		return nil, ErrNotFound
	}
	return f, nil
}

// GetCompleted is Get for views that show only COMPLETED files (the compat
// API): any other file is not found there.
func (r *Records) GetCompleted(ctx context.Context, projectID string, id FileID) (*File, error) {
	f, err := r.Get(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	if f.Status != StatusCompleted {
		return nil, ErrNotFound
	}
	return f, nil
}

// List returns one newest-first page and the project's total.
func (r *Records) List(ctx context.Context, projectID string, limit, offset int) ([]*File, int, error) {
	page, total, err := r.store.List(ctx, projectID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	now := r.Now()
	live := page[:0]
	for _, f := range page {
		if !f.GoneAt(now) {
			live = append(live, f)
		}
	}
	return live, total, nil
}
