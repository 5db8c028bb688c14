package upload

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

const project = "0b7c1c9e-3c1b-4c39-9a53-0d1d1f3a6a10"

var pdfBody = []byte("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")

func mustCreate(t *testing.T, s *service) *files.File {
	t.Helper()
	c, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBody))}})
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

// A complete with a wrong md5 never gets the file: before the file settles
// it answers 422 checksum_mismatch and leaves the file REJECTED without its
// object; once a plain complete (or the S3 event) settled it, in between
// this caller's read and write too, it answers 409 and the COMPLETED file
// and its object stay as they are.
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
			done, err := s.Complete(ctx, project, f.ID, wrong, "")
			got, _ := mem.Get(ctx, project, f.ID)
			if order == "before" {
				// The outcome is the REJECTED file (each dialect answers it 422).
				if err != nil || done.Status != files.StatusRejected || done.Rejection.Code != "checksum_mismatch" {
					t.Fatalf("wrong md5 first: %+v (%v), want REJECTED checksum_mismatch", done, err)
				}
				// The plain complete that follows sees the rejection.
				if _, err := plain.Complete(ctx, project, f.ID, "", ""); err == nil {
					t.Fatal("a plain complete after the rejection succeeded")
				}
				if got.Status != files.StatusRejected || got.Rejection == nil || got.Rejection.Code != "checksum_mismatch" || obj.has(f.ObjectKey) {
					t.Fatalf("ended %s %+v, object kept %v", got.Status, got.Rejection, obj.has(f.ObjectKey))
				}
				return
			}
			var e *files.Error
			if !errors.As(err, &e) || e.Kind != files.KindConflict || e.Code != "checksum_mismatch" || files.RetryOf(err) != files.RetryNever {
				t.Fatalf("wrong md5 %s: %+v (%v), want a permanent 409 checksum_mismatch", order, done, err)
			}
			if got.Status != files.StatusCompleted || got.Rejection != nil || !obj.has(f.ObjectKey) {
				t.Fatalf("ended %s %+v, object kept %v; want the COMPLETED file unchanged", got.Status, got.Rejection, obj.has(f.ObjectKey))
			}
		})
	}
}

// A settled file never changes state through complete, whoever calls it
// and whatever it carries: a COMPLETED file answers itself to a complete
// with its own checksum or none, and 409 to another (its record and object
// untouched); a REJECTED, CANCELLED or EXPIRED one is a 409 state conflict.
// The compat upload's retry, which settles through the same path, follows
// the same rule.
func TestCompleteNeverChangesASettledFile(t *testing.T) {
	ctx := context.Background()
	const other = "0123456789abcdef0123456789abcdef"
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	type settled struct {
		s   *service
		st  *memStore
		obj *memObjects
		f   *files.File
	}
	setup := func(t *testing.T, to files.Status) settled {
		t.Helper()
		now := start
		st, obj := newMemStore(), newMemObjects()
		s := newService(st, obj, files.Options{Clock: func() time.Time { return now }})
		f := mustCreate(t, s)
		switch to {
		case files.StatusCompleted:
			obj.put(f.ObjectKey, "application/pdf", pdfBody)
			if _, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil {
				t.Fatal(err)
			}
		case files.StatusRejected:
			obj.put(f.ObjectKey, "application/pdf", append([]byte("\x89PNG\r\n\x1a\n"), pdfBody[8:]...))
			if _, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil {
				t.Fatal(err)
			}
		case files.StatusCancelled:
			if _, err := s.Cancel(ctx, project, f.ID); err != nil {
				t.Fatal(err)
			}
		case files.StatusExpired:
			obj.put(f.ObjectKey, "application/pdf", pdfBody) // in time, but nobody settled it
			now = f.UploadExpiresAt
		}
		got, _ := st.Get(ctx, project, f.ID)
		if got.StatusAt(now) != to {
			t.Fatalf("set up %s, got %s", to, got.StatusAt(now))
		}
		return settled{s, st, obj, got}
	}
	md5Of := func(b []byte) string { return etagMD5(obj5(b)) }
	for _, tc := range []struct {
		status files.Status
		md5    string
		code   string // "" = answered with the file as stored
	}{
		{files.StatusCompleted, "", ""},
		{files.StatusCompleted, md5Of(pdfBody), ""},
		{files.StatusCompleted, other, "checksum_mismatch"},
		{files.StatusRejected, "", "invalid_state"},
		{files.StatusRejected, other, "invalid_state"},
		{files.StatusCancelled, "", "invalid_state"},
		{files.StatusExpired, "", "invalid_state"},
		{files.StatusExpired, md5Of(pdfBody), "invalid_state"},
	} {
		t.Run(string(tc.status)+" md5 "+tc.md5, func(t *testing.T) {
			x := setup(t, tc.status)
			hadObject := x.obj.has(x.f.ObjectKey)
			done, err := x.s.Complete(ctx, project, x.f.ID, tc.md5, "")
			switch {
			case tc.code == "" && (err != nil || !reflect.DeepEqual(done, x.f)):
				t.Errorf("answered %+v (%v), want the stored file %+v", done, err, x.f)
			case tc.code != "" && (files.KindOf(err) != files.KindConflict || err.(*files.Error).Code != tc.code || files.RetryOf(err) != files.RetryNever):
				t.Errorf("answered %+v (%v), want a permanent 409 %s", done, err, tc.code)
			}
			if got, _ := x.st.Get(ctx, project, x.f.ID); !reflect.DeepEqual(got, x.f) || x.obj.has(x.f.ObjectKey) != hadObject {
				t.Errorf("the record became %+v (object kept %v), want it unchanged: %+v (object %v)", got, x.obj.has(x.f.ObjectKey), x.f, hadObject)
			}
		})
	}
	t.Run("multipart file completed with a claimed sha256", func(t *testing.T) {
		s, st, obj := newTestService()
		f, body := multipartFile(t, s, false)
		putParts(obj, f, body, 1, 2, 3)
		claim, other := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
		done, err := s.Complete(ctx, project, f.ID, "", claim)
		if err != nil || done.Status != files.StatusCompleted {
			t.Fatalf("complete: %+v %v", done, err)
		}
		for _, sum := range []string{"", claim} {
			if again, err := s.Complete(ctx, project, f.ID, "", sum); err != nil || !reflect.DeepEqual(again, done) {
				t.Errorf("complete again with sha256 %q: %+v (%v), want the stored file", sum, again, err)
			}
		}
		if _, err := s.Complete(ctx, project, f.ID, "", other); files.KindOf(err) != files.KindConflict || files.RetryOf(err) != files.RetryNever {
			t.Errorf("complete again with another sha256: %v, want a permanent 409", err)
		}
		if got, _ := st.Get(ctx, project, f.ID); !reflect.DeepEqual(got, done) || !obj.has(f.ObjectKey) {
			t.Errorf("the file became %+v, want it unchanged: %+v, with its object", got, done)
		}
	})
	t.Run("compat upload retried with other bytes", func(t *testing.T) {
		s, st, obj := newCompatService()
		op := &files.Operation{Seed: "upload", At: time.Now()}
		in := files.DirectUpload{ProjectID: project, Filename: "a.pdf", Purpose: "parse", Body: pdfBody, Operation: op}
		f, err := s.UploadDirect(ctx, in)
		if err != nil || f.Status != files.StatusCompleted {
			t.Fatalf("upload: %+v %v", f, err)
		}
		in.Body = append(append([]byte{}, pdfBody...), '\n')
		if _, err := s.UploadDirect(ctx, in); files.KindOf(err) != files.KindConflict || files.RetryOf(err) != files.RetryNever {
			t.Errorf("a retry with other bytes: %v, want a permanent 409", err)
		}
		if got, _ := st.Get(ctx, project, f.ID); !reflect.DeepEqual(got, f) || !bytes.Equal(obj.objects[f.ObjectKey].body, pdfBody) {
			t.Errorf("the file became %+v, want it unchanged: %+v, with its bytes", got, f)
		}
	})
}

// obj5 is the ETag storage gives b (its MD5, quoted).
func obj5(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
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
