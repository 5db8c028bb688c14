package upload

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

func newClockedService() (*service, *memStore, *memObjects, *clock) {
	c := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	st, obj := newMemStore(), newMemObjects()
	return newService(st, obj, files.Options{Clock: c.Now}), st, obj, c
}

func stored(t *testing.T, st *memStore, f *files.File) *files.File {
	t.Helper()
	got, err := st.Get(context.Background(), f.ProjectID, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// Issue 24.1: reconcile works from the records. Once their sessions have
// ended, the PENDING files whose S3 event was lost are settled as
// validation says, and one without bytes is stored EXPIRED (its own write,
// which reads agree with); a session still open is left to its event; no
// bucket listing is made; the files leave the due list, so the next run has
// nothing to do.
func TestConvergeSettlesLostEventsAndStoresExpired(t *testing.T) {
	ctx := context.Background()
	s, st, obj, c := newClockedService()
	create := func() *files.File {
		cr, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBody))}})
		if err != nil {
			t.Fatal(err)
		}
		if !cr.File.ReconcileAt.Equal(cr.File.UploadExpiresAt) {
			t.Fatalf("a new session is due for reconcile at %s, want the end of its session %s", cr.File.ReconcileAt, cr.File.UploadExpiresAt)
		}
		return cr.File
	}
	valid, short, missing := create(), create(), create()
	obj.put(valid.ObjectKey, "application/pdf", pdfBody)
	obj.put(short.ObjectKey, "application/pdf", pdfBody[:10])
	c.now = c.now.Add(10 * time.Minute)
	open := create()
	obj.put(open.ObjectKey, "application/pdf", pdfBody)

	if rep, err := s.reconciler.Converge(ctx, false); err != nil || rep.Due != 0 {
		t.Fatalf("before any session ended: %+v %v, want nothing due", rep, err)
	}
	c.now = c.now.Add(6 * time.Minute) // the first three sessions have ended
	if got := stored(t, st, missing); got.StatusAt(c.now) != files.StatusExpired || got.Status != files.StatusPending {
		t.Fatalf("before the run: %s stored %s, want it read EXPIRED and stored PENDING", got.StatusAt(c.now), got.Status)
	}
	rep, err := s.reconciler.Converge(ctx, false)
	if err != nil || rep.Due != 3 || rep.Settled != 2 || rep.Expired != 1 || !rep.Done {
		t.Fatalf("the run: %+v %v; want 3 due, 2 settled, 1 expired", rep, err)
	}
	for _, tc := range []struct {
		f    *files.File
		want files.Status
	}{{valid, files.StatusCompleted}, {short, files.StatusRejected}, {missing, files.StatusExpired}, {open, files.StatusPending}} {
		got := stored(t, st, tc.f)
		if got.Status != tc.want || got.StatusAt(c.now) != tc.want {
			t.Errorf("%s: stored %s, read %s; want %s", tc.f.ID, got.Status, got.StatusAt(c.now), tc.want)
		}
		if pending := tc.want == files.StatusPending; got.ReconcileAt.IsZero() == pending {
			t.Errorf("%s (%s) is due at %v; want due only while PENDING", tc.f.ID, got.Status, got.ReconcileAt)
		}
	}
	if obj.has(short.ObjectKey) {
		t.Error("the rejected upload's object was kept")
	}
	if obj.lists != 0 {
		t.Errorf("the run listed the bucket %d times", obj.lists)
	}
	if again, err := s.reconciler.Converge(ctx, false); err != nil || again.Due != 0 {
		t.Errorf("a second run: %+v %v, want nothing due", again, err)
	}
	// A stored EXPIRED is final, like a computed one: complete and cancel
	// refuse it, and a late upload's object is deleted by its event.
	if _, err := s.Complete(ctx, project, missing.ID, "", ""); files.KindOf(err) != files.KindConflict {
		t.Errorf("complete of an EXPIRED file: %v, want a conflict", err)
	}
	if _, err := s.Cancel(ctx, project, missing.ID); files.KindOf(err) != files.KindConflict {
		t.Errorf("cancel of an EXPIRED file: %v, want a conflict", err)
	}
	obj.put(missing.ObjectKey, "application/pdf", pdfBody)
	if out, err := s.ObjectCreated(ctx, missing.ObjectKey); err != nil || out != ObjectDeleted || obj.has(missing.ObjectKey) {
		t.Errorf("a late upload of an EXPIRED file: %v %v, want its object deleted", out, err)
	}
}

// Issue 27.1: once complete has answered 202 (storage still assembling),
// the file stays PENDING, past its session too, and is due AssemblyGrace
// later; should the assembly have been cut off, reconcile assembles it from
// the stored parts and settles it, with no client call.
func TestConvergeFinishesAnAssemblyCutOffAfter202(t *testing.T) {
	s, st, obj, c := newClockedService()
	f, body := multipartFile(t, s, false)
	putParts(obj, f, body, 1, 2, 3)
	obj.slowAssembly = true
	ctx, cancel := context.WithTimeout(context.Background(), assemblyReserve+200*time.Millisecond)
	defer cancel()
	if got, err := s.Complete(ctx, project, f.ID, "", ""); err != nil || got.Status != files.StatusPending {
		t.Fatalf("complete while storage assembles: %+v %v, want 202 PENDING", got, err)
	}
	obj.slowAssembly = false // the assembly was cut off; storage works again
	got := stored(t, st, f)
	if got.AssemblingSince == nil || !got.ReconcileAt.Equal(c.now.Add(time.Minute)) {
		t.Fatalf("after the 202: assembling since %v, due %s; want since now, due a minute later", got.AssemblingSince, got.ReconcileAt)
	}
	if got.StatusAt(f.UploadExpiresAt.Add(time.Hour)) != files.StatusPending {
		t.Error("a file being assembled reads EXPIRED once its session ends; the service owns finishing it")
	}
	bg := context.Background()
	if rep, err := s.reconciler.Converge(bg, false); err != nil || rep.Due != 0 {
		t.Fatalf("within the grace: %+v %v, want nothing due (complete may still be at it)", rep, err)
	}
	c.now = c.now.Add(time.Minute)
	rep, err := s.reconciler.Converge(bg, false)
	if err != nil || rep.Assembled != 1 {
		t.Fatalf("after the grace: %+v %v, want the assembly finished", rep, err)
	}
	if got := stored(t, st, f); got.Status != files.StatusCompleted || !got.ReconcileAt.Equal(c.now) {
		t.Errorf("after reconcile: %s, due %s; want COMPLETED, due at once (its key's leftovers)", got.Status, got.ReconcileAt)
	}
}

// Issue 27.4: the multipart uploads of sessions that ended are found from
// the records (the fake lists uploads of an exact key only, as MinIO does):
// a session cancelled while another upload of its key stayed open, one
// that completed beside a keyed create's second upload, and one that
// expired unfinished leave no upload open; a live session keeps its own.
func TestConvergeAbortsWhatEndedSessionsLeftOpen(t *testing.T) {
	ctx := context.Background()
	s, st, obj, c := newClockedService()
	expired, _ := multipartFile(t, s, false)
	c.now = c.now.Add(25 * time.Hour) // its 24-hour session has ended
	live, _ := multipartFile(t, s, false)
	cancelled, _ := multipartFile(t, s, false)
	if _, err := s.Cancel(ctx, project, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	strayCancelled, _ := obj.StartMultipart(ctx, cancelled.ObjectKey, "text/plain", false)
	completed, body := multipartFile(t, s, false)
	putParts(obj, completed, body, 1, 2, 3)
	if got, err := s.Complete(ctx, project, completed.ID, "", ""); err != nil || got.Status != files.StatusCompleted {
		t.Fatalf("complete: %+v %v", got, err)
	}
	strayCompleted, _ := obj.StartMultipart(ctx, completed.ObjectKey, "text/plain", false)
	rep, err := s.reconciler.Converge(ctx, false)
	if err != nil || rep.Aborted != 3 || rep.Expired != 1 {
		t.Fatalf("the run: %+v %v; want 3 uploads aborted, 1 session expired", rep, err)
	}
	for name, id := range map[string]string{"expired": expired.Multipart.UploadID, "cancelled's stray": strayCancelled, "completed's stray": strayCompleted} {
		if obj.hasUpload(id) {
			t.Errorf("the %s upload is still open", name)
		}
	}
	if !obj.hasUpload(live.Multipart.UploadID) {
		t.Error("the live session's upload was aborted")
	}
	for _, f := range []*files.File{expired, cancelled, completed} {
		if got := stored(t, st, f); !got.ReconcileAt.IsZero() {
			t.Errorf("%s (%s) is still due at %s after its leftovers went", f.ID, got.Status, got.ReconcileAt)
		}
	}
}

// Converge's all looks at every PENDING file, due or not: a single-PUT
// upload whose bytes are stored settles (storage restarted and its event
// was lost), a live session without bytes or a multipart one is left alone.
func TestConvergeAllSettlesLiveUploadsWithStoredBytes(t *testing.T) {
	ctx := context.Background()
	s, st, obj, _ := newClockedService()
	uploaded, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBody))}})
	if err != nil {
		t.Fatal(err)
	}
	obj.put(uploaded.File.ObjectKey, "application/pdf", pdfBody)
	waiting, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "b.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBody))}})
	if err != nil {
		t.Fatal(err)
	}
	parts, _ := multipartFile(t, s, false)
	rep, err := s.reconciler.Converge(ctx, true)
	if err != nil || rep.Due != 3 || rep.Settled != 1 {
		t.Fatalf("all: %+v %v", rep, err)
	}
	for f, want := range map[*files.File]files.Status{uploaded.File: files.StatusCompleted, waiting.File: files.StatusPending, parts: files.StatusPending} {
		if got := stored(t, st, f); got.Status != want {
			t.Errorf("%s: %s, want %s", f.Filename, got.Status, want)
		}
	}
}

// A file reconcile cannot judge (a fault reading its object) stays due for
// the next run and does not hold up the files behind it; only a dependency
// that is unavailable for several files in a row ends the run.
func TestConvergeGoesPastAFileThatFails(t *testing.T) {
	ctx := context.Background()
	s, st, obj, c := newClockedService()
	var made []*files.File
	for range 5 {
		cr, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBody))}})
		if err != nil {
			t.Fatal(err)
		}
		obj.put(cr.File.ObjectKey, "application/pdf", pdfBody)
		made = append(made, cr.File)
		c.now = c.now.Add(time.Second) // due in creation order
	}
	c.now = c.now.Add(time.Hour)
	obj.failPeek = map[string]error{made[0].ObjectKey: files.Internal(errors.New("access denied"))}
	rep, err := s.reconciler.Converge(ctx, false)
	if err != nil || rep.Due != 5 || rep.Settled != 4 || !rep.Done {
		t.Fatalf("a run with one failing file first: %+v %v; want the 4 others settled", rep, err)
	}
	if got := stored(t, st, made[0]); got.Status != files.StatusPending || got.ReconcileAt.IsZero() {
		t.Errorf("the failing file: %s, due %s; want it PENDING and still due", got.Status, got.ReconcileAt)
	}
	down := files.Unavailable("object storage", errors.New("down"))
	for _, f := range made[1:] {
		st.files[files.FileKey{ProjectID: f.ProjectID, ID: f.ID}] = *f // PENDING and due again
		obj.failPeek[f.ObjectKey] = down
	}
	rep, err = s.reconciler.Converge(ctx, false)
	if files.KindOf(err) != files.KindUnavailable || rep.Done || rep.Due != maxFaults+1 {
		t.Errorf("storage unavailable: %+v %v; want the run to stop after %d unavailable files in a row", rep, err, maxFaults)
	}
}
