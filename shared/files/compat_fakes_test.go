package files

import (
	"context"
	"sort"
	"sync"
	"time"
)

const project = "0b7c1c9e-3c1b-4c39-9a53-0d1d1f3a6a10"

// catalogStore is the record reader and catalog in memory: a plain scan is
// fine here, the use cases' calls are what these tests check. Like the real
// index, it lists COMPLETED records whatever their retention, and the ids in
// lagging even after they left COMPLETED (an index not yet caught up).
type catalogStore struct {
	mu      *sync.Mutex
	files   map[FileKey]File
	lagging map[FileID]bool
	reads   *int // QueryCompleted calls
}

func (c catalogStore) Create(_ context.Context, f *File) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files[FileKey{f.ProjectID, f.ID}] = *f
	return nil
}

func (c catalogStore) Get(_ context.Context, projectID string, id FileID) (*File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.files[FileKey{projectID, id}]
	if !ok {
		return nil, ErrNotFound
	}
	return &f, nil
}

func (c catalogStore) List(context.Context, string, int, int) ([]*File, int, error) {
	return nil, 0, nil
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

func (c catalogStore) GetMany(ctx context.Context, projectID string, ids []FileID) ([]*File, error) {
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

// signer presigns downloads for as long as asked.
type signer struct{}

func (signer) PresignDownload(_ context.Context, key string, d Download) (Presigned, error) {
	return Presigned{URL: "https://s3.test/" + key, ExpiresAt: time.Now().Add(d.Expires)}, nil
}

// compatService is the compat API's reading use cases over one catalog.
type compatService struct {
	*Listing
	*Downloads
}

func newCompatService() (compatService, catalogStore, signer) {
	st := catalogStore{mu: &sync.Mutex{}, files: map[FileKey]File{}, lagging: map[FileID]bool{}, reads: new(int)}
	return compatService{NewListing(st, Options{}), NewDownloads(NewRecords(st, Options{}), signer{}, Options{})}, st, signer{}
}
