package upload

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/filegate/filegate/shared/files"
)

const project = "0b7c1c9e-3c1b-4c39-9a53-0d1d1f3a6a10"

var pdfBody = []byte("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")

func mustCreate(t *testing.T, s *service) *files.File {
	t.Helper()
	c, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBody))})
	if err != nil {
		t.Fatal(err)
	}
	return c.File
}

func TestObjectCreated(t *testing.T) {
	ctx := context.Background()
	t.Run("completes a valid upload once; duplicates change nothing", func(t *testing.T) {
		s, st, obj := newTestService()
		f := mustCreate(t, s)
		obj.put(f.ObjectKey, "application/pdf", pdfBody)
		for i, want := range []Outcome{Completed, Unchanged} {
			if out, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil || out != want {
				t.Fatalf("event %d: %s (%v), want %s", i+1, out, err, want)
			}
		}
		got, _ := st.Get(ctx, project, f.ID)
		if got.Status != files.StatusCompleted || got.MD5 == "" || !obj.has(f.ObjectKey) {
			t.Fatalf("after two events: %+v", got)
		}
	})
	t.Run("rejects and deletes an invalid upload", func(t *testing.T) {
		s, st, obj := newTestService()
		f := mustCreate(t, s)
		obj.put(f.ObjectKey, "application/pdf", append([]byte("\x89PNG\r\n\x1a\n"), pdfBody[8:]...))
		if out, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil || out != Rejected {
			t.Fatalf("%s (%v), want rejected", out, err)
		}
		got, _ := st.Get(ctx, project, f.ID)
		if got.Status != files.StatusRejected || got.Rejection.Code != "type_mismatch" || obj.has(f.ObjectKey) {
			t.Fatalf("after an invalid upload: %+v, object kept %v", got, obj.has(f.ObjectKey))
		}
	})
	t.Run("deletes a late upload to a cancelled file", func(t *testing.T) {
		s, st, obj := newTestService()
		f := mustCreate(t, s)
		if _, err := s.Cancel(ctx, project, f.ID); err != nil {
			t.Fatal(err)
		}
		obj.put(f.ObjectKey, "application/pdf", pdfBody)
		if out, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil || out != ObjectDeleted {
			t.Fatalf("%s (%v), want object deleted", out, err)
		}
		got, _ := st.Get(ctx, project, f.ID)
		if got.Status != files.StatusCancelled || obj.has(f.ObjectKey) {
			t.Fatalf("late upload: %+v, object kept %v", got, obj.has(f.ObjectKey))
		}
	})
	t.Run("deletes the object of a deleted file; ignores foreign keys", func(t *testing.T) {
		s, _, obj := newTestService()
		f := mustCreate(t, s)
		if err := s.Delete(ctx, project, f.ID); err != nil {
			t.Fatal(err)
		}
		obj.put(f.ObjectKey, "application/pdf", pdfBody)
		obj.put("elsewhere/x", "text/plain", pdfBody)
		for k, want := range map[string]Outcome{f.ObjectKey: ObjectDeleted, "elsewhere/x": Unchanged} {
			if out, err := s.ObjectCreated(ctx, k); err != nil || out != want {
				t.Fatalf("%s: %s (%v), want %s", k, out, err, want)
			}
		}
		if obj.has(f.ObjectKey) || !obj.has("elsewhere/x") {
			t.Fatal("want the orphan deleted and the foreign key untouched")
		}
	})
	t.Run("returns retryable faults so Lambda retries", func(t *testing.T) {
		s, _, obj := newTestService()
		f := mustCreate(t, s)
		if _, err := s.Cancel(ctx, project, f.ID); err != nil {
			t.Fatal(err)
		}
		obj.put(f.ObjectKey, "application/pdf", pdfBody)
		obj.failDelete = files.Unavailable("object storage", errors.New("503 SlowDown"))
		if _, err := s.ObjectCreated(ctx, f.ObjectKey); files.KindOf(err) != files.KindUnavailable {
			t.Fatalf("err = %v, want unavailable", err)
		}
	})
}

func TestCompleteWithoutUploadIsAConflict(t *testing.T) {
	s, st, _ := newTestService()
	f := mustCreate(t, s)
	_, err := s.Complete(context.Background(), project, f.ID, "", "")
	if files.KindOf(err) != files.KindConflict {
		t.Fatalf("err = %v, want conflict", err)
	}
	if got, _ := st.Get(context.Background(), project, f.ID); got.Status != files.StatusPending {
		t.Fatalf("status %s, want PENDING", got.Status)
	}
}

// raceStore lets a competitor's transition land just before this caller's
// first one: the interleaving of two completes racing.
type raceStore struct {
	*memStore
	before func()
	once   sync.Once
}

func (r *raceStore) Transition(ctx context.Context, f *files.File, from files.Status, c files.Change) (*files.File, error) {
	r.once.Do(r.before)
	return r.memStore.Transition(ctx, f, from, c)
}

// A complete with a wrong md5 answers 422 checksum_mismatch and leaves the
// file REJECTED without its object, whether it ran before, after or in the
// middle of a plain complete (or the S3 event).
func TestWrongMD5LosesEveryInterleaving(t *testing.T) {
	ctx := context.Background()
	const wrong = "0123456789abcdef0123456789abcdef"
	for _, order := range []string{"before", "after", "plain wins between its read and its write"} {
		t.Run(order, func(t *testing.T) {
			mem, obj := newMemStore(), newMemObjects()
			st := &raceStore{memStore: mem, before: func() {}}
			s := newService(st, obj, files.Options{})
			plain := newService(mem, obj, files.Options{})
			f := mustCreate(t, s)
			obj.put(f.ObjectKey, "application/pdf", pdfBody)
			switch order {
			case "after":
				if _, err := plain.Complete(ctx, project, f.ID, "", ""); err != nil {
					t.Fatal(err)
				}
			case "plain wins between its read and its write":
				st.before = func() {
					if _, err := plain.Complete(ctx, project, f.ID, "", ""); err != nil {
						t.Fatal(err)
					}
				}
			}
			// The outcome is the REJECTED file (each dialect answers it 422).
			done, err := s.Complete(ctx, project, f.ID, wrong, "")
			if err != nil || done.Status != files.StatusRejected || done.Rejection.Code != "checksum_mismatch" {
				t.Fatalf("wrong md5 %s: %+v (%v), want REJECTED checksum_mismatch", order, done, err)
			}
			if order == "before" {
				// The plain complete that follows sees the rejection.
				if _, err := plain.Complete(ctx, project, f.ID, "", ""); err == nil {
					t.Fatal("a plain complete after the rejection succeeded")
				}
			}
			got, _ := mem.Get(ctx, project, f.ID)
			if got.Status != files.StatusRejected || got.Rejection == nil || got.Rejection.Code != "checksum_mismatch" || obj.has(f.ObjectKey) {
				t.Fatalf("ended %s %+v, object kept %v", got.Status, got.Rejection, obj.has(f.ObjectKey))
			}
		})
	}
}

// Validation refuses an object stored with metadata the session did not
// sign, except the Cache-Control user agents add to a conditional PUT.
func TestStoredMetadataMustBeWhatTheSessionSigned(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		metadata map[string]string
		ok       bool
	}{
		{nil, true},
		{map[string]string{"Cache-Control": "no-cache"}, true},
		{map[string]string{"Cache-Control": "max-age=0"}, true},
		{map[string]string{"Cache-Control": "public, max-age=31536000"}, false},
		{map[string]string{"Content-Encoding": "gzip"}, false},
		{map[string]string{"Cache-Control": "no-cache", "x-amz-meta-a": "b"}, false},
	} {
		s, st, obj := newTestService()
		f := mustCreate(t, s)
		obj.put(f.ObjectKey, "application/pdf", pdfBody)
		obj.objects[f.ObjectKey] = memObject{body: pdfBody, contentType: "application/pdf", metadata: tc.metadata}
		done, err := s.Complete(ctx, project, f.ID, "", "")
		if err != nil {
			t.Fatalf("%v: %v", tc.metadata, err)
		}
		got, _ := st.Get(ctx, project, f.ID)
		if tc.ok != (done.Status == files.StatusCompleted) || !tc.ok && (got.Status != files.StatusRejected || got.Rejection.Code != "unexpected_metadata" || obj.has(f.ObjectKey)) {
			t.Errorf("%v: answered %s, stored %s %+v", tc.metadata, done.Status, got.Status, got.Rejection)
		}
	}
}
