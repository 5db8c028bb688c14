package dynamostore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// A SCANNING file is in the index of due scans from the transition that
// makes it wait until the one that settles it, found once its look is due
// and not before; a retry's new due time moves it.
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
		f, err := store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusScanning, At: now, ETag: `"e"`, Scan: &files.ScanState{Due: due}, TTL: due.Add(time.Hour).Unix()})
		if err != nil {
			t.Fatal(err)
		}
		waiting = append(waiting, f)
	}
	done := create("done.pdf") // settled without a scan: never in the index
	if _, err := store.Transition(ctx, done, files.StatusPending, files.Change{To: files.StatusCompleted, At: now}); err != nil {
		t.Fatal(err)
	}
	ids := func(fs []*files.File) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.ID)
		}
		slices.Sort(out)
		return out
	}
	due, err := store.DueScans(ctx, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(due), ids(waiting[:2]); !slices.Equal(got, want) {
		t.Fatalf("due at now: %v, want %v (the past and present ones)", got, want)
	}
	for _, f := range due {
		if f.Status != files.StatusScanning || f.Scan == nil || f.Scan.Due.After(now) || f.ETag != `"e"` {
			t.Errorf("due file read back as %s %+v etag %q", f.Status, f.Scan, f.ETag)
		}
	}
	if one, err := store.DueScans(ctx, now, 1); err != nil || len(one) != 1 {
		t.Fatalf("max 1: %d files, %v", len(one), err)
	}
	// A retry moves the first one's look into the future; a verdict settles
	// the second: neither is due any more.
	later := now.Add(time.Hour)
	if _, err := store.Transition(ctx, waiting[0], files.StatusScanning, files.Change{To: files.StatusScanning, At: now, Scan: &files.ScanState{Due: later, Attempts: 1}, TTL: later.Unix()}); err != nil {
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
	for _, attr := range []string{"spk", "sdue"} {
		if _, ok := item[attr]; ok {
			t.Errorf("a settled file keeps the index attribute %s", attr)
		}
	}
	if due, err := store.DueScans(ctx, now.Add(2*time.Minute), 10); err != nil || !slices.Equal(ids(due), ids(waiting[2:])) {
		t.Fatalf("due in two minutes: %v (%v), want only the third", ids(due), err)
	}
}
