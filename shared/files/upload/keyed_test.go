package upload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// A keyed create whose record an earlier attempt wrote (its answer lost)
// answers with that file, signed anew for the rest of its session; a replay
// only looks up, so a file deleted since stays deleted; a session that is
// over has no URL to give.
func TestKeyedCreateConvergesOnOneFile(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := start
	st, obj := newMemStore(), newMemObjects()
	s := newService(st, obj, files.Options{Clock: func() time.Time { return now }})
	op := &files.Operation{Seed: "project#POST /v1/files\x00k\x00body", At: start}
	in := files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: 10}, Operation: op}
	first, err := s.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.File.ID != files.KeyedID(project, op) || !first.File.CreatedAt.Equal(start) || obj.lastUpload.Expires != 15*time.Minute {
		t.Fatalf("first attempt: %s created %s, URL for %s", first.File.ID, first.File.CreatedAt, obj.lastUpload.Expires)
	}

	now = start.Add(5 * time.Minute)
	again, err := s.Create(ctx, in)
	if err != nil || again.File.ID != first.File.ID || len(st.files) != 1 {
		t.Fatalf("retry: %v, file %v, %d records; want the first attempt's file", err, again, len(st.files))
	}
	if obj.lastUpload.Expires != 10*time.Minute || !again.File.UploadExpiresAt.Equal(first.File.UploadExpiresAt) {
		t.Errorf("retry's URL lives %s, want the 10 minutes left of the session", obj.lastUpload.Expires)
	}

	replay := *op
	replay.Replay = true
	in.Operation = &replay
	if c, err := s.Create(ctx, in); err != nil || c.File.ID != first.File.ID {
		t.Fatalf("replay: %v %v", c, err)
	}
	now = start.Add(16 * time.Minute)
	if c, err := s.Create(ctx, in); err != nil || c.File.ID != first.File.ID || c.File.StatusAt(now) != files.StatusExpired || c.Upload.URL != "" {
		t.Errorf("replay after the session ended: %+v %v, want the file, EXPIRED, with no URL to give", c, err)
	}
	if err := st.Delete(ctx, first.File); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, in); files.KindOf(err) != files.KindConflict || len(st.files) != 0 {
		t.Errorf("replay after the file was deleted: %v with %d records, want a conflict and no file", err, len(st.files))
	}
}

// Issue 27.3: a keyed create repeated after its file settled (a client that
// died before it learned the upload completed, by its own complete or the
// S3 event) answers 200 with the file as it is now, and no URL: the client
// learns its bytes are stored instead of uploading them again as a second
// file. A repeat of the first attempt (its answer lost) and a replay of a
// stored answer converge alike, whatever the file became.
func TestKeyedCreateAfterItsFileSettledAnswersTheFile(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		settle func(s *service, st *memStore, obj *memObjects, f *files.File)
		want   files.Status
	}{
		{"completed by the client", func(s *service, _ *memStore, obj *memObjects, f *files.File) {
			obj.put(f.ObjectKey, "application/pdf", pdfBody)
			if _, err := s.Complete(ctx, project, f.ID, "", ""); err != nil {
				t.Fatal(err)
			}
		}, files.StatusCompleted},
		{"completed by the S3 event", func(s *service, _ *memStore, obj *memObjects, f *files.File) {
			obj.put(f.ObjectKey, "application/pdf", pdfBody)
			if _, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil {
				t.Fatal(err)
			}
		}, files.StatusCompleted},
		{"rejected", func(s *service, _ *memStore, obj *memObjects, f *files.File) {
			obj.put(f.ObjectKey, "application/pdf", pdfBody[:10])
			if _, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil {
				t.Fatal(err)
			}
		}, files.StatusRejected},
		{"cancelled", func(s *service, _ *memStore, _ *memObjects, f *files.File) {
			if _, err := s.Cancel(ctx, project, f.ID); err != nil {
				t.Fatal(err)
			}
		}, files.StatusCancelled},
	} {
		for _, replay := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/replay=%v", tc.name, replay), func(t *testing.T) {
				s, st, obj := newTestService()
				op := &files.Operation{Seed: "project#POST /v1/files\x00k\x00body", At: time.Now()}
				in := files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBody))}, Operation: op}
				first, err := s.Create(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				tc.settle(s, st, obj, first.File)
				again := *op
				again.Replay = replay
				in.Operation = &again
				c, err := s.Create(ctx, in)
				if err != nil {
					t.Fatalf("the keyed create repeated after the file became %s: %v, want 200 with the file", tc.want, err)
				}
				if c.File.ID != first.File.ID || c.File.Status != tc.want || c.Upload.URL != "" || len(st.files) != 1 {
					t.Errorf("repeat: file %s %s, upload URL %q, %d records; want %s %s, no URL, one record", c.File.ID, c.File.Status, c.Upload.URL, len(st.files), first.File.ID, tc.want)
				}
			})
		}
	}
}

// A PUT URL never outlives the file's retention.
func TestUploadURLEndsAtRetention(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st, obj := newMemStore(), newMemObjects()
	s := newService(st, obj, files.Options{Clock: func() time.Time { return now }})
	until := now.Add(30*time.Second + 500*time.Millisecond)
	if _, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: 10}, RetainUntil: &until}); err != nil {
		t.Fatal(err)
	}
	if obj.lastUpload.Expires != 30*time.Second {
		t.Errorf("URL lives %s, want the 30 whole seconds of retention left", obj.lastUpload.Expires)
	}
	soon := now.Add(500 * time.Millisecond)
	_, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: 10}, RetainUntil: &soon})
	if e, ok := err.(*files.Error); !ok || e.Code != "invalid_retention" || e.Field != files.FieldRetention || len(st.files) != 1 {
		t.Errorf("retention ending in half a second: %v, %d records; want invalid_retention and no record", err, len(st.files))
	}
}

// crashingStore fails one kind of call as a database crash does: the call
// is lost, or applied with its answer lost (after).
type crashingStore struct {
	testStore
	op    string // "create" or "transition"
	after bool
}

var errCrashed = files.Unavailable("storage", errors.New("crashed"))

func (c *crashingStore) crash(apply func() error) error {
	if c.after {
		if err := apply(); err != nil {
			return err
		}
	}
	return errCrashed
}

func (c *crashingStore) Create(ctx context.Context, f *files.File) error {
	if c.op != "create" {
		return c.testStore.Create(ctx, f)
	}
	return c.crash(func() error { return c.testStore.Create(ctx, f) })
}

func (c *crashingStore) Transition(ctx context.Context, f *files.File, from files.Status, ch files.Change) (*files.File, error) {
	if c.op != "transition" {
		return c.testStore.Transition(ctx, f, from, ch)
	}
	return nil, c.crash(func() error { _, err := c.testStore.Transition(ctx, f, from, ch); return err })
}

// A keyed compat upload cut off at each point a crash can reach, then
// retried with its key: the retry converges on one COMPLETED file holding
// the bytes, storing them if the first attempt had not.
func TestKeyedDirectUploadAfterACrash(t *testing.T) {
	for _, tc := range []struct {
		name         string
		store        *crashingStore // nil: the store works
		failAfterPut bool
		left         files.Status // what the first attempt leaves ("" no record)
		object       bool
	}{
		{"record lost", &crashingStore{op: "create"}, false, "", false},
		{"record written, answer lost", &crashingStore{op: "create", after: true}, false, files.StatusPending, false},
		{"bytes stored, answer lost (the record is removed)", nil, true, "", true},
		{"bytes stored, settling lost", &crashingStore{op: "transition"}, false, files.StatusPending, true},
		{"settled, answer lost", &crashingStore{op: "transition", after: true}, false, files.StatusCompleted, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			_, mem, obj := newCompatService()
			var first testStore = mem
			if tc.store != nil {
				tc.store.testStore = mem
				first = tc.store
			}
			obj.failAfterPut = map[bool]error{true: errCrashed}[tc.failAfterPut]
			op := &files.Operation{Seed: "upload", At: time.Now()}
			in := files.DirectUpload{ProjectID: project, Filename: "a.pdf", Purpose: "parse", Body: pdfBody, Operation: op}
			if _, err := newService(first, obj, files.Options{}).UploadDirect(ctx, in); err == nil {
				t.Fatal("the first attempt succeeded despite the crash")
			}
			id := files.KeyedID(project, op)
			left, _ := mem.Get(ctx, project, id)
			if (left == nil && tc.left != "") || (left != nil && left.Status != tc.left) || obj.has(files.ObjectKey(project, id)) != tc.object {
				t.Fatalf("the first attempt left %+v, object %v; want %q, object %v", left, obj.has(files.ObjectKey(project, id)), tc.left, tc.object)
			}

			obj.failAfterPut = nil
			f, err := newService(mem, obj, files.Options{}).UploadDirect(ctx, in)
			if err != nil || f.ID != id || f.Status != files.StatusCompleted || len(mem.files) != 1 {
				t.Fatalf("retry: %+v %v with %d records; want the one file %s COMPLETED", f, err, len(mem.files), id)
			}
			if got := obj.objects[f.ObjectKey].body; !bytes.Equal(got, pdfBody) {
				t.Fatalf("the object holds %q", got)
			}
		})
	}
}
