package dynamostore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// A SCANNING file is in reconcile's index (ByReconcileAt, shared with the
// PENDING files: no index of its own) at its scan's due time, from the
// transition that makes it wait until the one that settles it; it is
// listed once its look is due and not before, and a retry's new due time
// moves it. Its scan state round-trips.
func TestDueScans(t *testing.T) {
	ctx := context.Background()
	tab, store := openStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	var waiting []*files.File
	create := func(name string) *files.File {
		f := pending(projectA, name)
		if err := store.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	for i := range 3 {
		f := create("waiting.pdf")
		due := now.Add(time.Duration(i-1) * time.Minute) // one a minute ago, one now, one in a minute
		f, err := store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusScanning, At: now, ETag: `"e"`, Scan: &files.ScanState{Due: due}, TTL: due.Add(time.Hour).Unix(), ReconcileAt: due})
		if err != nil {
			t.Fatal(err)
		}
		waiting = append(waiting, f)
	}
	done := create("done.pdf") // settled without a scan: never due
	if _, err := store.Transition(ctx, done, files.StatusPending, files.Change{To: files.StatusCompleted, At: now}); err != nil {
		t.Fatal(err)
	}
	ids := func(fs []*files.File) []files.FileID {
		var out []files.FileID
		for _, f := range fs {
			out = append(out, f.ID)
		}
		slices.SortFunc(out, files.FileID.Compare)
		return out
	}
	if got, want := due(t, store, now), ids(waiting[:2]); !slices.Equal(got, want) {
		t.Fatalf("due at now: %v, want %v (the past and present ones)", got, want)
	}
	for _, f := range waiting[:2] {
		got, err := store.Get(ctx, f.ProjectID, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != files.StatusScanning || got.Scan == nil || got.Scan.Due.After(now) || !got.ReconcileAt.Equal(got.Scan.Due) || got.ETag != `"e"` {
			t.Errorf("due file read back as %s %+v reconcileAt %v etag %q", got.Status, got.Scan, got.ReconcileAt, got.ETag)
		}
	}
	// A retry moves the first one's look into the future; a verdict settles
	// the second: neither is due any more.
	later := now.Add(time.Hour)
	if _, err := store.Transition(ctx, waiting[0], files.StatusScanning, files.Change{To: files.StatusScanning, At: now, Scan: &files.ScanState{Due: later, Attempts: 1}, TTL: later.Unix(), ReconcileAt: later}); err != nil {
		t.Fatal(err)
	}
	settled, err := store.Transition(ctx, waiting[1], files.StatusScanning, files.Change{To: files.StatusCompleted, At: now, Scan: &files.ScanState{Verdict: files.ScanClean}})
	if err != nil {
		t.Fatal(err)
	}
	if settled.Scan == nil || settled.Scan.Verdict != files.ScanClean || settled.ETag != `"e"` {
		t.Errorf("settled file: %+v etag %q", settled.Scan, settled.ETag)
	}
	item := tab.item(t, settled)
	for _, attr := range []string{"rpk", "rat"} {
		if _, ok := item[attr]; ok {
			t.Errorf("a settled file keeps the index attribute %s", attr)
		}
	}
	if got := due(t, store, now.Add(2*time.Minute)); !slices.Equal(got, ids(waiting[2:])) {
		t.Fatalf("due in two minutes: %v, want only the third", got)
	}
	if got := due(t, store, later); !slices.Equal(got, ids([]*files.File{waiting[0], waiting[2]})) {
		t.Fatalf("due in an hour: %v, want the retried and the third", got)
	}
}
