package upload

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"iter"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// memStore is an in-memory Store with the same conditional semantics.
type memStore struct {
	mu      sync.Mutex
	files   map[files.FileKey]files.File
	cursors map[string]string
	leases  map[string]memLease
}

type memLease struct {
	holder string
	until  time.Time
}

func newMemStore() *memStore {
	return &memStore{files: map[files.FileKey]files.File{}, cursors: map[string]string{}, leases: map[string]memLease{}}
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

func (m *memStore) Create(_ context.Context, f *files.File) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[files.FileKey{ProjectID: f.ProjectID, ID: f.ID}]; ok {
		return files.ErrConditionFailed
	}
	m.files[files.FileKey{ProjectID: f.ProjectID, ID: f.ID}] = *f
	return nil
}

func (m *memStore) Get(_ context.Context, p string, id files.FileID) (*files.File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[files.FileKey{ProjectID: p, ID: id}]
	if !ok {
		return nil, files.ErrNotFound
	}
	return &f, nil
}

func (m *memStore) List(context.Context, string, int, int) ([]*files.File, int, error) {
	return nil, 0, nil
}

func (m *memStore) Transition(_ context.Context, cur *files.File, from files.Status, c files.Change) (*files.File, error) {
	p, id := cur.ProjectID, cur.ID
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[files.FileKey{ProjectID: p, ID: id}]
	if !ok || f.Status != from {
		return nil, files.ErrConditionFailed
	}
	f.Status, f.UpdatedAt, f.Rejection, f.TTL, f.ReconcileAt = c.To, c.At, c.Rejection, c.TTL, c.ReconcileAt
	if c.SHA256 != "" {
		f.SHA256 = c.SHA256
	}
	if c.To == files.StatusCompleted {
		f.CompletedAt = &c.At
	}
	if c.ETag != "" {
		f.ETag, f.MD5 = c.ETag, c.MD5
	}
	if c.Scan != nil {
		st := *c.Scan
		f.Scan = &st
	}
	if !c.AssemblingSince.IsZero() {
		f.AssemblingSince = &c.AssemblingSince
	}
	m.files[files.FileKey{ProjectID: p, ID: id}] = f
	return &f, nil
}

// Due lists the files due by before, in due order, as the index does
// (without its lag).
func (m *memStore) Due(_ context.Context, before time.Time) iter.Seq2[files.FileKey, error] {
	m.mu.Lock()
	var due []files.File
	for _, f := range m.files {
		if !f.ReconcileAt.IsZero() && !f.ReconcileAt.After(before) {
			due = append(due, f)
		}
	}
	m.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].ReconcileAt.Before(due[j].ReconcileAt) })
	return func(yield func(files.FileKey, error) bool) {
		for _, f := range due {
			if !yield(files.FileKey{ProjectID: f.ProjectID, ID: f.ID}, nil) {
				return
			}
		}
	}
}

func (m *memStore) Expire(_ context.Context, cur *files.File, at, reconcileAt time.Time) (*files.File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[files.FileKey{ProjectID: cur.ProjectID, ID: cur.ID}]
	if !ok || f.Status != files.StatusPending || at.Before(f.UploadExpiresAt) || (f.AssemblingSince == nil) != (cur.AssemblingSince == nil) {
		return nil, files.ErrConditionFailed
	}
	f.Status, f.UpdatedAt, f.ReconcileAt = files.StatusExpired, at, reconcileAt
	m.files[files.FileKey{ProjectID: cur.ProjectID, ID: cur.ID}] = f
	return &f, nil
}

func (m *memStore) Reconciled(_ context.Context, cur *files.File) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[files.FileKey{ProjectID: cur.ProjectID, ID: cur.ID}]
	if !ok || f.Status != cur.Status {
		return files.ErrConditionFailed
	}
	f.ReconcileAt = time.Time{}
	m.files[files.FileKey{ProjectID: cur.ProjectID, ID: cur.ID}] = f
	return nil
}

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

func (m *memStore) Delete(_ context.Context, cur *files.File) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[files.FileKey{ProjectID: cur.ProjectID, ID: cur.ID}]
	switch {
	case !ok:
		return files.ErrNotFound
	case f.Status != cur.Status:
		return files.ErrConditionFailed
	}
	delete(m.files, files.FileKey{ProjectID: cur.ProjectID, ID: cur.ID})
	return nil
}

// memObjects is in-memory object storage; failDelete and failPut inject
// faults, and failAfterPut fails a Put after storing (an answer lost on the
// way back).
type memObject struct {
	body        []byte
	contentType string
	modified    time.Time
	metadata    map[string]string
}

type memObjects struct {
	mu           sync.Mutex
	objects      map[string]memObject
	failDelete   error
	failPut      error
	failAfterPut error
	lastUpload   files.Upload // what the last PresignUpload signed
	uploads      map[string]*memUpload
	slowAssembly bool // CompleteMultipart outlasts any deadline
	lastPart     files.Part
	lists        int              // bucket listings
	failPeek     map[string]error // Peek's fault, by key
}

// memUpload is a multipart upload in progress.
type memUpload struct {
	key, contentType string
	parts            map[int][]byte
	initiated        time.Time
}

func (m *memObjects) StartMultipart(_ context.Context, key, contentType string, _ bool) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.uploads == nil {
		m.uploads = map[string]*memUpload{}
	}
	id := fmt.Sprintf("upload-%d", len(m.uploads)+1)
	m.uploads[id] = &memUpload{key: key, contentType: contentType, parts: map[int][]byte{}, initiated: time.Now()}
	return id, nil
}

func (m *memObjects) PresignPart(_ context.Context, key, uploadID string, p files.Part) (files.Presigned, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastPart = p
	return files.Presigned{URL: fmt.Sprintf("https://s3.test/%s?uploadId=%s&partNumber=%d", key, uploadID, p.Number), ExpiresAt: time.Now().Add(p.Expires)}, nil
}

// putPart stores a part as a client's PUT to its URL would.
func (m *memObjects) putPart(uploadID string, n int, body []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.uploads[uploadID].parts[n] = body
}

func (m *memObjects) ListParts(_ context.Context, _, uploadID string) ([]files.StoredPart, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.uploads[uploadID]
	if !ok {
		return nil, files.ErrObjectMissing
	}
	var out []files.StoredPart
	for n := 1; n <= files.MaxParts; n++ {
		if b, ok := u.parts[n]; ok {
			out = append(out, files.StoredPart{Number: n, SizeBytes: int64(len(b)), ETag: fmt.Sprintf(`"%d"`, n)})
		}
	}
	return out, nil
}

func (m *memObjects) CompleteMultipart(ctx context.Context, _, uploadID string, parts []files.StoredPart) error {
	if m.slowAssembly {
		<-ctx.Done()
		return ctx.Err()
	}
	m.mu.Lock()
	u, ok := m.uploads[uploadID]
	delete(m.uploads, uploadID)
	m.mu.Unlock()
	if !ok {
		return files.ErrObjectMissing
	}
	var body []byte
	for _, p := range parts {
		body = append(body, u.parts[p.Number]...)
	}
	m.put(u.key, u.contentType, body)
	return nil
}

func (m *memObjects) AbortMultipart(_ context.Context, _, uploadID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.uploads, uploadID)
	return nil
}

// OpenUploads lists the uploads of exactly the key prefix, as MinIO does
// (S3 lists every key under it).
func (m *memObjects) OpenUploads(_ context.Context, prefix string, max int) ([]files.OpenUpload, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []files.OpenUpload
	for id, u := range m.uploads {
		if u.key == prefix && len(out) < max {
			out = append(out, files.OpenUpload{Key: u.key, UploadID: id, Initiated: u.initiated})
		}
	}
	return out, nil
}

func (m *memObjects) hasUpload(uploadID string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.uploads[uploadID]
	return ok
}

// Put is write-once, like If-None-Match: *, and refuses bytes whose
// SHA-256 is not sha256, like x-amz-checksum-sha256.
func (m *memObjects) Put(_ context.Context, key string, body []byte, contentType, sha256 string) error {
	if m.failPut != nil {
		return m.failPut
	}
	if sum := sha256Hex(body); sha256 != sum {
		return fmt.Errorf("BadDigest: the body's SHA-256 is %s, not %s", sum, sha256)
	}
	if m.has(key) {
		return files.ErrObjectExists
	}
	m.put(key, contentType, body)
	return m.failAfterPut
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

func (m *memObjects) PresignUpload(_ context.Context, key string, u files.Upload) (files.Presigned, error) {
	m.mu.Lock()
	m.lastUpload = u
	m.mu.Unlock()
	return files.Presigned{URL: "https://s3.test/" + key, ExpiresAt: time.Now().Add(u.Expires)}, nil
}

func (m *memObjects) PresignDownload(_ context.Context, key string, d files.Download) (files.Presigned, error) {
	return files.Presigned{URL: "https://s3.test/" + key, ExpiresAt: time.Now().Add(d.Expires)}, nil
}

func (m *memObjects) Peek(_ context.Context, key string, n int64) (files.ObjectInfo, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failPeek[key]; err != nil {
		return files.ObjectInfo{}, nil, err
	}
	o, ok := m.objects[key]
	if !ok {
		return files.ObjectInfo{}, nil, files.ErrObjectMissing
	}
	sum := md5.Sum(o.body)
	info := files.ObjectInfo{Size: int64(len(o.body)), ContentType: o.contentType, ETag: `"` + hex.EncodeToString(sum[:]) + `"`, Metadata: o.metadata}
	return info, o.body[:min(int64(len(o.body)), n)], nil
}

func (m *memObjects) List(_ context.Context, prefix, after string, max int) ([]files.ObjectSummary, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lists++
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
	out := make([]files.ObjectSummary, len(keys))
	for i, k := range keys {
		out[i] = files.ObjectSummary{Key: k, LastModified: m.objects[k].modified}
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

// testStore is the record ports the upload use cases take, all in one.
type testStore interface {
	files.RecordReader
	files.RecordCreator
	files.Transitioner
	files.RecordDeleter
	reconcileStore
}

// service is every use case over one store and one bucket, wired as the
// functions wire them.
type service struct {
	*Sessions
	*Settlement             // complete's: it does not scan
	scanning    *Settlement // process-upload's and GuardDuty results': it scans
	direct      *Direct
	reconciler  *Reconciler
	records     *files.Records
	cancel      *files.Cancellation
	deletion    *files.Deletion
	downloads   *files.Downloads
}

func newService(st testStore, obj *memObjects, o files.Options) *service {
	return newScanningService(st, obj, nil, o)
}

// newScanningService is newService whose settling scans with scanner, as
// process-upload's, reconcile's and the compat upload's do; complete's
// (the embedded Settlement) does not scan, as in the functions.
func newScanningService(st testStore, obj *memObjects, scanner Scanner, o files.Options) *service {
	records := files.NewRecords(st, o)
	scanning := NewScanningSettlement(st, obj, scanner, o)
	return &service{
		Sessions: NewSessions(st, obj, o), Settlement: NewSettlement(st, obj, o), scanning: scanning, direct: NewDirect(st, obj, scanning, o),
		reconciler: NewReconciler(st, obj, scanning, o), records: records,
		cancel: files.NewCancellation(records, st, obj, o), deletion: files.NewDeletion(records, st, obj, o), downloads: files.NewDownloads(records, obj, o),
	}
}

// ObjectCreated is process-upload's: its settlement scans.
func (s *service) ObjectCreated(ctx context.Context, key string) (Outcome, error) {
	return s.scanning.ObjectCreated(ctx, key)
}

// Scanned is scan-result's: its settlement scans.
func (s *service) Scanned(ctx context.Context, key string, res files.ScanResult) (Outcome, error) {
	return s.scanning.Scanned(ctx, key, res)
}

func (s *service) Get(ctx context.Context, projectID string, id files.FileID) (*files.File, error) {
	return s.records.Get(ctx, projectID, id)
}

func (s *service) Cancel(ctx context.Context, projectID string, id files.FileID) (*files.File, error) {
	return s.cancel.Cancel(ctx, projectID, id)
}

func (s *service) Delete(ctx context.Context, projectID string, id files.FileID) error {
	return s.deletion.Delete(ctx, projectID, id)
}

func (s *service) UploadDirect(ctx context.Context, in files.DirectUpload) (*files.File, error) {
	return s.direct.Upload(ctx, in)
}

func (s *service) DownloadURL(ctx context.Context, projectID string, id files.FileID) (files.Presigned, error) {
	return s.downloads.DownloadURL(ctx, projectID, id)
}

func (s *service) ContentURL(ctx context.Context, f *files.File, lifetime *time.Duration) (files.Presigned, error) {
	return s.downloads.ContentURL(ctx, f, lifetime)
}

func newTestService() (*service, *memStore, *memObjects) {
	st, obj := newMemStore(), newMemObjects()
	return newService(st, obj, files.Options{}), st, obj
}

// newCompatService is newTestService, for the direct upload's tests.
func newCompatService() (*service, *memStore, *memObjects) { return newTestService() }

func ptr[T any](v T) *T { return &v }

// all is every stored record.
func (m *memStore) all() []files.File {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]files.File, 0, len(m.files))
	for _, f := range m.files {
		out = append(out, f)
	}
	return out
}
