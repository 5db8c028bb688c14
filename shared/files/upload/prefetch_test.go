package upload

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// gatedStore's Get waits until the object has been read: a complete that
// reads the record before it starts on the object never gets past it.
type gatedStore struct {
	*memStore
	headed   chan struct{}
	timedOut atomic.Bool
}

func (g *gatedStore) Get(ctx context.Context, p string, id files.FileID) (*files.File, error) {
	select {
	case <-g.headed:
	case <-time.After(5 * time.Second):
		g.timedOut.Store(true)
	}
	return g.memStore.Get(ctx, p, id)
}

// countingObjects signals and counts object reads.
type countingObjects struct {
	*memObjects
	headed chan struct{}
	reads  atomic.Int32
}

func (c *countingObjects) Peek(ctx context.Context, key string, n int64) (files.ObjectInfo, []byte, error) {
	if c.reads.Add(1) == 1 && c.headed != nil {
		close(c.headed)
	}
	return c.memObjects.Peek(ctx, key, n)
}

// Complete's record read and its object reads overlap: the record read is
// not on the path before the object's range GET (the complete budget,
// docs/ARCHITECTURE.md "Budgets"), and the file still completes from what it read.
func TestCompleteReadsTheObjectBesideTheRecord(t *testing.T) {
	ctx := context.Background()
	s, st, obj := newTestService()
	f := mustCreate(t, s)
	obj.put(f.ObjectKey, "application/pdf", pdfBody)
	headed := make(chan struct{})
	gated := &gatedStore{memStore: st, headed: headed}
	counting := &countingObjects{memObjects: obj, headed: headed}
	settlement := NewSettlement(gated, counting, files.Options{})

	done, err := settlement.Complete(ctx, project, f.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if gated.timedOut.Load() {
		t.Fatal("the record read waited 5 s for an object read that never came: complete read the record before the object")
	}
	if done.Status != files.StatusCompleted {
		t.Fatalf("status %s, want COMPLETED", done.Status)
	}
	if n := counting.reads.Load(); n != 1 {
		t.Fatalf("%d object reads, want 1: the prefetched one is used", n)
	}
}

// The zero FileID (what the edge makes of an id that is no file's) names no
// object: complete reads nothing of storage for it.
func TestCompleteOfAMalformedIDReadsNoObject(t *testing.T) {
	st, obj := newMemStore(), newMemObjects()
	counting := &countingObjects{memObjects: obj}
	settlement := NewSettlement(st, counting, files.Options{})
	if _, err := settlement.Complete(context.Background(), project, files.FileID{}, "", ""); files.KindOf(err) != files.KindNotFound {
		t.Fatalf("err = %v, want not found", err)
	}
	if n := counting.reads.Load(); n != 0 {
		t.Fatalf("%d object reads for an id no file can have", n)
	}
}
