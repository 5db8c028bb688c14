package files

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"sort"
	"strings"
	"sync"
	"time"
)

// memStore is an in-memory Store with the same conditional semantics.
type memStore struct {
	mu      sync.Mutex
	files   map[string]File
	cursors map[string]string
	leases  map[string]memLease
}

type memLease struct {
	holder string
	until  time.Time
}

func newMemStore() *memStore {
	return &memStore{files: map[string]File{}, cursors: map[string]string{}, leases: map[string]memLease{}}
}

func (m *memStore) AcquireLease(_ context.Context, job, holder string, now, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.leases[job]; ok && l.until.After(now) {
		return false, nil
	}
	m.leases[job] = memLease{holder, until}
	return true, nil
}

func (m *memStore) ReleaseLease(_ context.Context, job, holder string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.leases[job].holder == holder {
		delete(m.leases, job)
	}
	return nil
}

func (m *memStore) Create(_ context.Context, f *File) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[f.ProjectID+"/"+f.ID]; ok {
		return ErrConditionFailed
	}
	m.files[f.ProjectID+"/"+f.ID] = *f
	return nil
}

func (m *memStore) Get(_ context.Context, p, id string) (*File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[p+"/"+id]
	if !ok {
		return nil, ErrNotFound
	}
	return &f, nil
}

func (m *memStore) List(context.Context, string, int, int) ([]*File, int, error) { return nil, 0, nil }

func (m *memStore) Transition(_ context.Context, cur *File, from Status, c Change) (*File, error) {
	p, id := cur.ProjectID, cur.ID
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[p+"/"+id]
	if !ok || f.Status != from {
		return nil, ErrConditionFailed
	}
	f.Status, f.UpdatedAt, f.Rejection, f.TTL = c.To, c.At, c.Rejection, c.TTL
	if c.To == StatusCompleted {
		f.CompletedAt, f.ETag, f.MD5 = &c.At, c.ETag, c.MD5
	}
	m.files[p+"/"+id] = f
	return &f, nil
}

func (m *memStore) Forget(context.Context, *File) error { return nil }

func (m *memStore) Cursor(_ context.Context, job string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cursors[job], nil
}

func (m *memStore) SaveCursor(_ context.Context, job, cursor string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cursors[job] = cursor
	return nil
}

func (m *memStore) Delete(_ context.Context, p, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.files, p+"/"+id)
	return nil
}

type memObject struct {
	body        []byte
	contentType string
	modified    time.Time
	metadata    map[string]string
}

// memObjects is in-memory object storage; failDelete injects a fault.
type memObjects struct {
	mu         sync.Mutex
	objects    map[string]memObject
	failDelete error
	lastUpload Upload // what the last PresignUpload signed
}

func newMemObjects() *memObjects { return &memObjects{objects: map[string]memObject{}} }

func (m *memObjects) put(key, contentType string, body []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[key] = memObject{body: body, contentType: contentType, modified: time.Now()}
}

func (m *memObjects) has(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.objects[key]
	return ok
}

func (m *memObjects) PresignUpload(_ context.Context, key string, u Upload) (Presigned, error) {
	m.mu.Lock()
	m.lastUpload = u
	m.mu.Unlock()
	return Presigned{URL: "https://s3.test/" + key, ExpiresAt: time.Now().Add(u.Expires)}, nil
}

func (m *memObjects) PresignDownload(_ context.Context, key string, d Download) (Presigned, error) {
	return Presigned{URL: "https://s3.test/" + key, ExpiresAt: time.Now().Add(d.Expires)}, nil
}

func (m *memObjects) Stat(_ context.Context, key string) (ObjectInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return ObjectInfo{}, ErrObjectMissing
	}
	sum := md5.Sum(o.body)
	return ObjectInfo{Size: int64(len(o.body)), ContentType: o.contentType, ETag: `"` + hex.EncodeToString(sum[:]) + `"`, Metadata: o.metadata}, nil
}

func (m *memObjects) ReadPrefix(_ context.Context, key string, n int64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.objects[key].body
	return b[:min(int64(len(b)), n)], nil
}

func (m *memObjects) List(_ context.Context, prefix, after string, max int) ([]ObjectSummary, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.objects {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	next := ""
	if len(keys) > max {
		keys, next = keys[:max], keys[max-1]
	}
	out := make([]ObjectSummary, len(keys))
	for i, k := range keys {
		out[i] = ObjectSummary{Key: k, LastModified: m.objects[k].modified}
	}
	return out, next, nil
}

func (m *memObjects) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failDelete != nil {
		return m.failDelete
	}
	delete(m.objects, key)
	return nil
}
