package upload

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// fakeScanner answers every scan with verdict, or with err (the scanner
// down), or with no verdict yet (pending: an asynchronous scanner).
type fakeScanner struct {
	mu      sync.Mutex
	verdict files.ScanResult
	err     error
	pending bool
	scans   int
}

func (f *fakeScanner) Scan(_ context.Context, key string) (files.ScanResult, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scans++
	switch {
	case f.err != nil:
		return files.ScanResult{}, false, f.err
	case f.pending:
		return files.ScanResult{}, false, nil
	}
	return f.verdict, true, nil
}

func (f *fakeScanner) set(verdict files.ScanResult, err error, pending bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.verdict, f.err, f.pending = verdict, err, pending
}

var (
	clean    = files.ScanResult{Verdict: files.ScanClean}
	infected = files.ScanResult{Verdict: files.ScanInfected, Signature: "Eicar-Test-Signature.UNOFFICIAL"}
	unjudged = files.ScanResult{Verdict: files.ScanUnsupported, Signature: "Heuristics.Limits.Exceeded.MaxFileSize"}
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// scanService is a service scanning in mode with sc, on a settable clock.
func scanService(mode files.ScanMode, sc Scanner, cfg func(*files.ScanConfig)) (*service, *memStore, *memObjects, *clock) {
	c := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s, st, obj := scanServiceOn(c.Now, mode, sc, cfg)
	return s, st, obj, c
}

// scanServiceOn is scanService on the clock now (the compat upload's
// wait runs in real time).
func scanServiceOn(now func() time.Time, mode files.ScanMode, sc Scanner, cfg func(*files.ScanConfig)) (*service, *memStore, *memObjects) {
	scan := files.ScanConfig{Mode: mode, RetryAfter: time.Minute, Wait: 300 * time.Millisecond}
	if cfg != nil {
		cfg(&scan)
	}
	st, obj := newMemStore(), newMemObjects()
	return newScanningService(st, obj, sc, files.Options{Clock: now, Config: files.Config{Scan: scan}}), st, obj
}

// uploaded is a created file whose bytes are in storage.
func uploaded(t *testing.T, s *service, obj *memObjects) *files.File {
	t.Helper()
	f := mustCreate(t, s)
	obj.put(f.ObjectKey, "application/pdf", pdfBody)
	return f
}

func TestScanVerdictsSettleFiles(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		verdict    files.ScanResult
		accept     bool
		want       files.Status
		rejection  string
		objectKept bool
	}{
		{"clean completes", clean, false, files.StatusCompleted, "", true},
		{"infected is rejected and deleted", infected, false, files.StatusRejected, "malware_detected", false},
		{"unsupported is rejected by default", unjudged, false, files.StatusRejected, "scan_unsupported", false},
		{"unsupported completes when accepted", unjudged, true, files.StatusCompleted, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &fakeScanner{verdict: tt.verdict}
			s, st, obj, _ := scanService(files.ScanClamAV, sc, func(c *files.ScanConfig) { c.AcceptUnsupported = tt.accept })
			f := uploaded(t, s, obj)
			if _, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil {
				t.Fatal(err)
			}
			got := stored(t, st, f)
			if got.Status != tt.want || obj.has(f.ObjectKey) != tt.objectKept {
				t.Fatalf("status %s (object kept %v), want %s (kept %v)", got.Status, obj.has(f.ObjectKey), tt.want, tt.objectKept)
			}
			if tt.rejection != "" && (got.Rejection == nil || got.Rejection.Code != tt.rejection) {
				t.Fatalf("rejection %+v, want %s", got.Rejection, tt.rejection)
			}
			if got.Scan == nil || got.Scan.Verdict != tt.verdict.Verdict || got.Scan.Signature != tt.verdict.Signature {
				t.Fatalf("scan state %+v, want verdict %+v kept for the operator", got.Scan, tt.verdict)
			}
			if got.Rejection != nil && tt.verdict.Signature != "" && strings.Contains(got.Rejection.Message, tt.verdict.Signature) {
				t.Fatalf("the rejection the uploader reads names the signature: %q", got.Rejection.Message)
			}
			if got.Status == files.StatusCompleted && got.TTL != 0 {
				t.Fatalf("a completed file kept the scan's TTL %d", got.TTL)
			}
		})
	}
}

func TestScanningOffCompletesAtOnce(t *testing.T) {
	s, st, obj, _ := scanService(files.ScanOff, &fakeScanner{verdict: infected}, nil)
	f := uploaded(t, s, obj)
	if out, err := s.ObjectCreated(context.Background(), f.ObjectKey); err != nil || out != Completed {
		t.Fatalf("%s (%v), want completed", out, err)
	}
	if got := stored(t, st, f); got.Scan != nil {
		t.Fatalf("scan state %+v with scanning off", got.Scan)
	}
}

func TestScannerDownFilesWaitAndSettleWhenItReturns(t *testing.T) {
	ctx := context.Background()
	sc := &fakeScanner{err: errors.New("clamd: connection refused")}
	s, st, obj, clk := scanService(files.ScanClamAV, sc, nil)
	f := uploaded(t, s, obj)
	if out, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil || out != Scanning {
		t.Fatalf("%s (%v), want scanning: a scanner down is no fault to retry the event for", out, err)
	}
	got := stored(t, st, f)
	if got.Status != files.StatusScanning || got.Scan == nil || got.Scan.Attempts != 1 || !got.Scan.Due.Equal(clk.Now().Add(time.Minute)) {
		t.Fatalf("after a failed scan: %s %+v", got.Status, got.Scan)
	}
	if want := s.Settlement.Config.ScanTTL(got, got.Scan.Due); got.TTL != want {
		t.Fatalf("TTL %d, want the scan's own %d", got.TTL, want)
	}
	if !got.ReconcileAt.Equal(got.Scan.Due) {
		t.Fatalf("reconcile's look at %v, want the scan's due time %v (one index for both)", got.ReconcileAt, got.Scan.Due)
	}
	// Days later, far past the upload session, the file still waits.
	clk.add(3 * 24 * time.Hour)
	if st := got.StatusAt(clk.Now()); st != files.StatusScanning {
		t.Fatalf("a waiting file reads as %s", st)
	}
	if _, err := s.DownloadURL(ctx, project, f.ID); !errors.Is(err, files.ErrScanPending) {
		t.Fatalf("download of a waiting file: %v, want scan_pending", err)
	}
	if _, err := s.Cancel(ctx, project, f.ID); files.KindOf(err) != files.KindConflict {
		t.Fatalf("cancel of a waiting file: %v, want a conflict", err)
	}
	// Reconcile looks again while it is down: the file waits on, its TTL moved.
	rep, err := s.reconciler.Converge(ctx, false)
	if err != nil || rep.ScansDue != 1 || rep.ScansSettled != 0 {
		t.Fatalf("reconcile with the scanner down: %+v, %v", rep, err)
	}
	got = stored(t, st, f)
	if got.Status != files.StatusScanning || got.Scan.Attempts != 2 || got.TTL <= clk.Now().Unix() {
		t.Fatalf("after a retry: %s %+v ttl %d", got.Status, got.Scan, got.TTL)
	}
	// Before its look is due, reconcile leaves it; once due, the returned
	// scanner settles it.
	sc.set(clean, nil, false)
	if rep, err := s.reconciler.Converge(ctx, false); err != nil || rep.ScansDue != 0 {
		t.Fatalf("reconcile before the look is due: %+v, %v", rep, err)
	}
	clk.add(time.Minute)
	if rep, err := s.reconciler.Converge(ctx, false); err != nil || rep.ScansSettled != 1 {
		t.Fatalf("reconcile with the scanner back: %+v, %v", rep, err)
	}
	if got := stored(t, st, f); got.Status != files.StatusCompleted || !got.ReconcileAt.IsZero() {
		t.Fatalf("after the scanner returned: %s, reconcile's look at %v (want none)", got.Status, got.ReconcileAt)
	}
}

func TestCompleteAnswersScanningAndTheEventScans(t *testing.T) {
	ctx := context.Background()
	sc := &fakeScanner{verdict: clean}
	s, st, obj, _ := scanService(files.ScanClamAV, sc, nil)
	f := uploaded(t, s, obj)
	// complete's settlement does not scan: it answers with the file waiting.
	got, err := s.Complete(ctx, project, f.ID, "", "")
	if err != nil || got.Status != files.StatusScanning || sc.scans != 0 {
		t.Fatalf("complete: %+v, %v (scans %d)", got, err, sc.scans)
	}
	if again, err := s.Complete(ctx, project, f.ID, "", ""); err != nil || again.Status != files.StatusScanning {
		t.Fatalf("complete again: %+v, %v", again, err)
	}
	if _, err := s.Complete(ctx, project, f.ID, strings.Repeat("0", 32), ""); files.KindOf(err) != files.KindConflict {
		t.Fatalf("complete with another md5: %v, want a conflict", err)
	}
	if out, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil || out != Completed {
		t.Fatalf("the S3 event after complete: %s (%v), want completed", out, err)
	}
	if got := stored(t, st, f); got.Status != files.StatusCompleted || sc.scans != 1 {
		t.Fatalf("status %s after %d scans", got.Status, sc.scans)
	}
}

func TestAsynchronousVerdicts(t *testing.T) {
	ctx := context.Background()
	t.Run("the event waits for the verdict without a write", func(t *testing.T) {
		sc := &fakeScanner{pending: true}
		s, st, obj, clk := scanService(files.ScanGuardDuty, sc, nil)
		f := uploaded(t, s, obj)
		if out, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil || out != Scanning {
			t.Fatalf("%s (%v), want scanning", out, err)
		}
		first := stored(t, st, f)
		if first.Scan.Attempts != 0 {
			t.Fatalf("a pending verdict counted as a failed attempt: %+v", first.Scan)
		}
		clk.add(time.Minute)
		if _, err := s.reconciler.Converge(ctx, false); err != nil {
			t.Fatal(err)
		}
		if got := stored(t, st, f); !got.Scan.Due.After(first.Scan.Due) || got.TTL <= first.TTL {
			t.Fatalf("a late verdict's look did not move on: %+v ttl %d (was %+v ttl %d)", got.Scan, got.TTL, first.Scan, first.TTL)
		}
		if _, err := s.Scanned(ctx, f.ObjectKey, clean); err != nil {
			t.Fatal(err)
		}
		if got := stored(t, st, f); got.Status != files.StatusCompleted {
			t.Fatalf("after the verdict: %s", got.Status)
		}
	})
	t.Run("a verdict before validation validates first", func(t *testing.T) {
		s, st, obj, _ := scanService(files.ScanGuardDuty, &fakeScanner{pending: true}, nil)
		f := uploaded(t, s, obj)
		if out, err := s.Scanned(ctx, f.ObjectKey, clean); err != nil || out != Completed {
			t.Fatalf("%s (%v), want completed", out, err)
		}
		if got := stored(t, st, f); got.Status != files.StatusCompleted || got.MD5 == "" {
			t.Fatalf("%+v, want COMPLETED with validation's md5", got)
		}
		if out, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil || out != Unchanged {
			t.Fatalf("the late S3 event: %s (%v)", out, err)
		}
	})
	t.Run("a clean verdict does not pass an invalid upload", func(t *testing.T) {
		s, st, obj, _ := scanService(files.ScanGuardDuty, &fakeScanner{pending: true}, nil)
		f := mustCreate(t, s)
		obj.put(f.ObjectKey, "application/pdf", pdfBody[:10]) // fewer bytes than declared
		if _, err := s.Scanned(ctx, f.ObjectKey, clean); err != nil {
			t.Fatal(err)
		}
		if got := stored(t, st, f); got.Status != files.StatusRejected || got.Rejection.Code != "size_mismatch" {
			t.Fatalf("%s %+v, want REJECTED size_mismatch", got.Status, got.Rejection)
		}
	})
	t.Run("an infected verdict before validation rejects", func(t *testing.T) {
		s, st, obj, _ := scanService(files.ScanGuardDuty, &fakeScanner{pending: true}, nil)
		f := uploaded(t, s, obj)
		if out, err := s.Scanned(ctx, f.ObjectKey, infected); err != nil || out != Rejected {
			t.Fatalf("%s (%v), want rejected", out, err)
		}
		if got := stored(t, st, f); got.Rejection.Code != "malware_detected" || obj.has(f.ObjectKey) {
			t.Fatalf("%+v, object kept %v", got.Rejection, obj.has(f.ObjectKey))
		}
	})
	t.Run("a duplicate verdict changes nothing", func(t *testing.T) {
		s, st, obj, _ := scanService(files.ScanGuardDuty, &fakeScanner{pending: true}, nil)
		f := uploaded(t, s, obj)
		if _, err := s.Scanned(ctx, f.ObjectKey, clean); err != nil {
			t.Fatal(err)
		}
		if out, err := s.Scanned(ctx, f.ObjectKey, infected); err != nil || out != Unchanged {
			t.Fatalf("%s (%v), want unchanged", out, err)
		}
		if got := stored(t, st, f); got.Status != files.StatusCompleted {
			t.Fatalf("a late verdict changed a settled file: %s", got.Status)
		}
	})
}

func TestCompatUploadWaitsForTheVerdict(t *testing.T) {
	ctx := context.Background()
	in := files.DirectUpload{ProjectID: project, Filename: "a.pdf", ContentType: "application/pdf", Body: pdfBody, Purpose: "parse"}
	t.Run("clamav scans inline", func(t *testing.T) {
		s, _, _, _ := scanService(files.ScanClamAV, &fakeScanner{verdict: infected}, nil)
		f, err := s.UploadDirect(ctx, in)
		if err != nil || f.Status != files.StatusRejected || f.Rejection.Code != "malware_detected" {
			t.Fatalf("%+v, %v", f, err)
		}
	})
	t.Run("guardduty: the verdict arrives within the wait", func(t *testing.T) {
		s, st, _ := scanServiceOn(time.Now, files.ScanGuardDuty, &fakeScanner{pending: true}, func(c *files.ScanConfig) { c.Wait = 5 * time.Second })
		done := make(chan struct{})
		go func() { // GuardDuty's event, once the file waits
			defer close(done)
			for range 100 {
				time.Sleep(20 * time.Millisecond)
				for _, f := range st.all() {
					if f.Status == files.StatusScanning {
						_, _ = s.Scanned(ctx, f.ObjectKey, clean)
						return
					}
				}
			}
		}()
		f, err := s.UploadDirect(ctx, in)
		<-done
		if err != nil || f.Status != files.StatusCompleted {
			t.Fatalf("%+v, %v; want COMPLETED once the verdict came", f, err)
		}
	})
	t.Run("guardduty: no verdict within the wait", func(t *testing.T) {
		s, _, _ := scanServiceOn(time.Now, files.ScanGuardDuty, &fakeScanner{pending: true}, nil)
		start := time.Now()
		f, err := s.UploadDirect(ctx, in)
		if err != nil || f.Status != files.StatusScanning {
			t.Fatalf("%+v, %v; want the file still SCANNING", f, err)
		}
		if took := time.Since(start); took < 300*time.Millisecond || took > 5*time.Second {
			t.Fatalf("waited %s for a 300 ms bound", took)
		}
	})
}

// A SCANNING file due for its look, handed to a reconciler without a
// scanner (scanning turned off while it waited), is not asked about but
// moved on: it stays SCANNING, due again RetryAfter later, rather than due
// at every run.
func TestReconcileWithoutAScannerMovesADueScanOn(t *testing.T) {
	ctx := context.Background()
	sc := &fakeScanner{err: errors.New("clamd: connection refused")}
	s, st, obj, clk := scanService(files.ScanClamAV, sc, nil)
	f := uploaded(t, s, obj)
	if out, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil || out != Scanning {
		t.Fatalf("%s (%v), want scanning", out, err)
	}
	clk.add(time.Minute)
	unscanning := newScanningService(st, obj, nil, files.Options{Clock: clk.Now, Config: files.Config{Scan: files.ScanConfig{Mode: files.ScanOff, RetryAfter: time.Minute}}})
	rep, err := unscanning.reconciler.Converge(ctx, false)
	if err != nil || rep.ScansDue != 1 || rep.ScansSettled != 0 {
		t.Fatalf("reconcile without a scanner: %+v, %v", rep, err)
	}
	got := stored(t, st, f)
	if want := clk.Now().Add(time.Minute); got.Status != files.StatusScanning || !got.ReconcileAt.Equal(want) || !got.Scan.Due.Equal(want) {
		t.Fatalf("after the look: %s, reconcile at %v, scan %+v; want SCANNING due at %v", got.Status, got.ReconcileAt, got.Scan, want)
	}
	if rep, err := unscanning.reconciler.Converge(ctx, false); err != nil || rep.ScansDue != 0 {
		t.Fatalf("the next run, before its look: %+v, %v", rep, err)
	}
}

// The orphan walk keeps the object of a file waiting for its scan: a
// SCANNING file is live, and its bytes are what the scan is still to read
// (deleting them turned a scanner outage into upload_missing rejections).
func TestOrphanWalkKeepsAWaitingFilesObject(t *testing.T) {
	ctx := context.Background()
	sc := &fakeScanner{err: errors.New("clamd: connection refused")}
	s, st, obj, _ := scanService(files.ScanClamAV, sc, nil)
	f := uploaded(t, s, obj)
	if out, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil || out != Scanning {
		t.Fatalf("%s (%v), want scanning", out, err)
	}
	rep, err := s.reconciler.SweepOrphans(ctx, 100, 0)
	if err != nil || rep.Deleted != 0 || !obj.has(f.ObjectKey) {
		t.Fatalf("orphan walk: %+v, %v; object kept %v", rep, err, obj.has(f.ObjectKey))
	}
	if got := stored(t, st, f); got.Status != files.StatusScanning {
		t.Fatalf("after the walk: %s", got.Status)
	}
}

// completeFirst is a store where the client's complete validates the file
// between the S3 event's read of it (PENDING) and its conditional write.
type completeFirst struct {
	testStore
	complete func()
	once     *sync.Once
}

func (c completeFirst) Transition(ctx context.Context, f *files.File, from files.Status, ch files.Change) (*files.File, error) {
	if from == files.StatusPending {
		c.once.Do(c.complete)
	}
	return c.testStore.Transition(ctx, f, from, ch)
}

// The S3 event that loses validation to complete still scans: complete
// leaves the scan to the functions that scan, and the event is the one
// that came. Before, it answered "scanning" and left the file waiting for
// reconcile's next pass (minutes), though its look was due at once.
func TestTheEventThatLosesToCompleteStillScans(t *testing.T) {
	ctx := context.Background()
	sc := &fakeScanner{verdict: clean}
	s, st, obj, _ := scanService(files.ScanClamAV, sc, nil)
	f := uploaded(t, s, obj)
	completed := make(chan *files.File, 1)
	racing := completeFirst{testStore: st, once: &sync.Once{}, complete: func() {
		got, err := s.Complete(ctx, project, f.ID, "", "")
		if err != nil {
			t.Errorf("complete: %v", err)
		}
		completed <- got
	}}
	event := NewScanningSettlement(racing, obj, sc, s.Settlement.Options)
	out, err := event.ObjectCreated(ctx, f.ObjectKey)
	if got := <-completed; got == nil || got.Status != files.StatusScanning {
		t.Fatalf("complete answered %+v, want the file waiting for its scan", got)
	}
	if err != nil || out != Completed || sc.scans != 1 {
		t.Fatalf("the S3 event that lost to complete: %s (%v) after %d scans, want completed after 1", out, err, sc.scans)
	}
	if got := stored(t, st, f); got.Status != files.StatusCompleted {
		t.Fatalf("stored status %s, want COMPLETED", got.Status)
	}
}

// A verdict that arrives while complete validates the file is still the
// file's verdict: whether it lost the validation (clean) or the rejection
// (infected) to complete, it settles the file complete left waiting.
func TestAVerdictThatLosesToCompleteStillSettles(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		verdict files.ScanResult
		want    files.Status
	}{{clean, files.StatusCompleted}, {infected, files.StatusRejected}} {
		t.Run(string(tc.verdict.Verdict), func(t *testing.T) {
			sc := &fakeScanner{pending: true}
			s, st, obj, _ := scanService(files.ScanGuardDuty, sc, nil)
			f := uploaded(t, s, obj)
			racing := completeFirst{testStore: st, once: &sync.Once{}, complete: func() {
				if got, err := s.Complete(ctx, project, f.ID, "", ""); err != nil || got.Status != files.StatusScanning {
					t.Errorf("complete: %+v, %v", got, err)
				}
			}}
			results := NewScanningSettlement(racing, obj, sc, s.Settlement.Options)
			if _, err := results.Scanned(ctx, f.ObjectKey, tc.verdict); err != nil {
				t.Fatal(err)
			}
			if got := stored(t, st, f); got.Status != tc.want || sc.scans != 0 {
				t.Fatalf("stored %s after %d scans, want %s after none (the verdict was in hand)", got.Status, sc.scans, tc.want)
			}
		})
	}
}
