package upload

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// memSessions is the expiry index over a memStore: its PENDING records
// whose window ended by before.
type memSessions struct{ *memStore }

func (m memSessions) ExpiredSessions(_ context.Context, before time.Time, max int) ([]SessionRef, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []SessionRef
	for _, f := range m.files {
		if f.Status == files.StatusPending && !f.UploadExpiresAt.After(before) && len(out) < max {
			out = append(out, SessionRef{ProjectID: f.ProjectID, ID: f.ID})
		}
	}
	return out, nil
}

// A run stores EXPIRED for the sessions whose window ended more than the
// grace ago, dated at the window's end; one whose bytes did arrive is
// settled instead; one still in its grace, and settled files, stay.
func TestReconcileStoresExpiredSessions(t *testing.T) {
	ctx := context.Background()
	st, obj := newMemStore(), newMemObjects()
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	s := newService(st, obj, files.Options{Clock: func() time.Time { return time.Unix(0, now.Load()) }})
	s.reconciler.Expiring(memSessions{st})
	create := func(name string) *files.File {
		c, err := s.Create(ctx, files.CreateInput{ProjectID: project, Filename: name, MimeType: "application/pdf", SizeBytes: int64(len(pdfBody))})
		if err != nil {
			t.Fatal(err)
		}
		return c.File
	}
	lapsed, arrived, cancelled := create("lapsed.pdf"), create("arrived.pdf"), create("cancelled.pdf")
	obj.put(arrived.ObjectKey, "application/pdf", pdfBody) // its S3 event is late
	if _, err := s.cancel.Cancel(ctx, project, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	// Past the window, within the grace: nothing is stored yet.
	now.Store(lapsed.UploadExpiresAt.Add(expiryGrace / 2).UnixNano())
	young := create("young.pdf")
	if rep, err := s.reconciler.Run(ctx, 100, time.Hour); err != nil || rep.Expired != 0 {
		t.Fatalf("within the grace: %+v %v, want nothing expired", rep, err)
	}
	now.Store(lapsed.UploadExpiresAt.Add(expiryGrace + time.Second).UnixNano())
	rep, err := s.reconciler.Run(ctx, 100, time.Hour)
	if err != nil || rep.Expired != 1 {
		t.Fatalf("after the grace: %+v %v, want 1 expired", rep, err)
	}
	for f, want := range map[*files.File]files.Status{lapsed: files.StatusExpired, arrived: files.StatusCompleted, cancelled: files.StatusCancelled, young: files.StatusPending} {
		got, err := st.Get(ctx, project, f.ID)
		if err != nil || got.Status != want {
			t.Errorf("%s: stored %v (%v), want %s", f.Filename, got, err, want)
		}
	}
	if got, _ := st.Get(ctx, project, lapsed.ID); !got.UpdatedAt.Equal(lapsed.UploadExpiresAt) {
		t.Errorf("EXPIRED stored at %s, want the window's end %s", got.UpdatedAt, lapsed.UploadExpiresAt)
	}
	// Stored once: the next run finds nothing to do.
	if rep, err := s.reconciler.Run(ctx, 100, time.Hour); err != nil || rep.Expired != 0 {
		t.Errorf("second run: %+v %v, want nothing expired", rep, err)
	}
}
