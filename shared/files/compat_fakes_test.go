package files

import (
	"context"
	"sort"
)

// catalogStore adds the Catalog to memStore: a plain scan is fine in memory,
// the service's use of the port is what these tests check. Like the real
// index, it lists COMPLETED records whatever their retention, and the ids in
// lagging even after they left COMPLETED (an index not yet caught up).
type catalogStore struct {
	*memStore
	lagging map[string]bool
	reads   *int // QueryCompleted calls
}

func (c catalogStore) QueryCompleted(_ context.Context, q Query) ([]*File, Cursor, error) {
	*c.reads++
	all := c.indexed(q.ProjectID, q.Filter)
	key := sortKey(q.Order)
	sort.Slice(all, func(i, j int) bool { return compareIn(q.Order, key(all[i]), key(all[j])) < 0 })
	start := 0
	if q.After != "" {
		for start < len(all) && compareIn(q.Order, key(all[start]), string(q.After)) <= 0 {
			start++
		}
	}
	end := min(start+q.Limit, len(all))
	var next Cursor
	if end < len(all) {
		next = Cursor(key(all[end-1]))
	}
	return all[start:end], next, nil
}

func (c catalogStore) CursorAfter(q Query, f *File) Cursor { return Cursor(sortKey(q.Order)(f)) }

func (c catalogStore) CountCompleted(_ context.Context, projectID string, f Filter) (int, error) {
	return len(c.indexed(projectID, f)), nil
}

func (c catalogStore) GetMany(ctx context.Context, projectID string, ids []string) ([]*File, error) {
	var out []*File
	for _, id := range ids {
		if f, err := c.Get(ctx, projectID, id); err == nil {
			out = append(out, f)
		}
	}
	return out, nil
}

func (c catalogStore) indexed(projectID string, f Filter) []*File {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*File
	for _, x := range c.files {
		if x.ProjectID == projectID && (x.Status == StatusCompleted || c.lagging[x.ID]) && f.matches(&x) {
			out = append(out, &x)
		}
	}
	return out
}

// writableObjects adds the direct write to memObjects, write-once like
// If-None-Match: *. failPut fails it; failAfterPut stores, then fails (an
// answer lost on the way back).
type writableObjects struct {
	*memObjects
	failPut, failAfterPut error
}

func (w *writableObjects) Put(_ context.Context, key string, body []byte, contentType string) error {
	if w.failPut != nil {
		return w.failPut
	}
	if w.has(key) {
		return ErrObjectExists
	}
	w.put(key, contentType, body)
	return w.failAfterPut
}

func newCompatService() (*Service, catalogStore, *writableObjects) {
	st, obj := catalogStore{memStore: newMemStore(), lagging: map[string]bool{}, reads: new(int)}, &writableObjects{memObjects: newMemObjects()}
	return NewService(st, obj, Config{}, nil, nil), st, obj
}
