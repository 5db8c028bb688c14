package e2e

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/files/upload"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// jobBench is a reconcile of its own: a fresh table and bucket on the stack's
// DynamoDB Local and MinIO (so its cursor and lease are its own), holding n
// COMPLETED files, which reconcile looks at and leaves alone.
type jobBench struct {
	store   *dynamostore.Store
	objects objectPorts
	n       int
}

func newJobBench(t *testing.T, n int) *jobBench {
	t.Helper()
	ctx := t.Context()
	own := ownTableAndBucket(t)
	bucket := own.Config.BucketName
	b := &jobBench{store: wiring.Store(own), objects: s3wiring.Storage(own), n: n}
	svc := b.service(nil)
	project := apitest.NewUUID()
	for range n {
		c, err := svc.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBytes))}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = stack.S3Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(c.File.ObjectKey), Body: bytes.NewReader(pdfBytes), ContentType: aws.String("application/pdf")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Complete(ctx, project, c.File.ID, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (b *jobBench) service(now func() time.Time) *useCases {
	return useCasesOn(b.store, b.objects, files.Options{Clock: now})
}

// A run whose Lambda deadline comes near stops taking objects in time,
// saves where it stopped and reports it did not finish; the next run
// resumes there instead of walking the same keys again. The service's clock
// leaps ten minutes a reading, so the hour to the deadline runs out after a
// few objects, deterministically, while the context never expires.
func TestReconcileStopsBeforeItsDeadlineAndTheNextRunResumes(t *testing.T) {
	b := newJobBench(t, 8)
	start := time.Now()
	var readings atomic.Int64
	leaping := b.service(func() time.Time { return start.Add(time.Duration(readings.Add(1)) * 10 * time.Minute) })
	ctx, cancel := context.WithDeadline(t.Context(), start.Add(time.Hour))
	defer cancel()
	first, err := leaping.SweepOrphans(ctx, 1000, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if first.Done || first.Scanned == 0 || first.Scanned >= b.n {
		t.Fatalf("near its deadline a run looked at %d of %d objects (done=%v); want it to stop part-way", first.Scanned, b.n, first.Done)
	}
	next, err := b.service(nil).SweepOrphans(t.Context(), 1000, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !next.Done || next.Scanned != b.n-first.Scanned {
		t.Errorf("the next run looked at %d objects (done=%v), want the %d the first left", next.Scanned, next.Done, b.n-first.Scanned)
	}
}

// gatedObjects holds List until released, so a run can be caught mid-way.
type gatedObjects struct {
	objectPorts
	listing chan struct{} // closed when a List starts
	release chan struct{}
	once    sync.Once
}

func (g *gatedObjects) List(ctx context.Context, prefix, after string, max int) ([]files.ObjectSummary, string, error) {
	g.once.Do(func() { close(g.listing) })
	<-g.release
	return g.objectPorts.List(ctx, prefix, after, max)
}

// One run at a time: while a run holds the job's lease, another returns at
// once having done nothing (Lambda's retries and a late schedule overlap
// otherwise); a finished run frees the lease, and one a crashed run left
// behind stops counting when it expires.
func TestReconcileRunsOneAtATime(t *testing.T) {
	b := newJobBench(t, 3)
	gated := &gatedObjects{objectPorts: b.objects, listing: make(chan struct{}), release: make(chan struct{})}
	slow := useCasesOn(b.store, gated, files.Options{})
	type result struct {
		rep upload.ReconcileReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := slow.SweepOrphans(t.Context(), 1000, time.Hour)
		done <- result{rep, err}
	}()
	select {
	case <-gated.listing:
	case <-time.After(30 * time.Second):
		t.Fatal("the first run never started listing")
	}
	second, err := b.service(nil).SweepOrphans(t.Context(), 1000, time.Hour)
	if err != nil || second.Scanned != 0 || !second.Busy {
		t.Errorf("a run during another looked at %d objects (busy=%v, %v), want none and busy", second.Scanned, second.Busy, err)
	}
	close(gated.release)
	first := <-done
	if first.err != nil || first.rep.Scanned != b.n {
		t.Errorf("the run holding the lease looked at %d objects (%v), want %d", first.rep.Scanned, first.err, b.n)
	}
	third, err := b.service(nil).SweepOrphans(t.Context(), 1000, time.Hour)
	if err != nil || third.Scanned != b.n || third.Busy {
		t.Errorf("a run after the first finished looked at %d objects (busy=%v, %v), want %d: the lease was not freed", third.Scanned, third.Busy, err, b.n)
	}
	// A run that crashed (Lambda killed it) never freed its lease, which
	// lasts until that run's deadline: an hour here.
	now := time.Now()
	if held, err := b.store.AcquireLease(t.Context(), upload.OrphanJob, "crashed-run", now, now.Add(time.Hour)); err != nil || !held {
		t.Fatalf("leaving a crashed run's lease: %v %v", held, err)
	}
	if rep, err := b.service(nil).SweepOrphans(t.Context(), 1000, time.Hour); err != nil || !rep.Busy || rep.Scanned != 0 {
		t.Errorf("a run during a crashed run's live lease: %+v (%v), want busy", rep, err)
	}
	later := func() time.Time { return now.Add(61 * time.Minute) }
	if rep, err := b.service(later).SweepOrphans(t.Context(), 1000, time.Hour); err != nil || rep.Busy || rep.Scanned != b.n {
		t.Errorf("a run after the crashed run's lease expired: %+v (%v), want it to work", rep, err)
	}
}

// The lease's conditional write is the whole mutual exclusion: of many runs
// starting at once, exactly one holds it.
func TestLeaseGoesToExactlyOneOfManyRacers(t *testing.T) {
	b := newJobBench(t, 0)
	now := time.Now()
	var held atomic.Int64
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := b.store.AcquireLease(t.Context(), "race", fmt.Sprint("run-", i), now, now.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			if ok {
				held.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := held.Load(); n != 1 {
		t.Errorf("%d of 16 racing runs hold the lease, want exactly 1", n)
	}
}
