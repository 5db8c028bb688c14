package e2e

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/shared/files"
)

// TestConcurrentMixedOperationsEndConsistent runs 1,000 concurrent mixed
// operations — PUT, complete, cancel, delete, duplicate S3 events, reads — on
// 50 files and checks that every file ends in a valid state, every object
// matches its record, and no request got a 5xx.
func TestConcurrentMixedOperationsEndConsistent(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	events := serviceWith(realObjects(), files.Config{}) // delivers duplicate events directly
	var created []filegate.File
	for i := 0; i < 50; i++ {
		created = append(created, c.Create("race.pdf", "application/pdf", len(pdfBytes), ""))
	}
	var fiveXX atomic.Int64
	ops := []func(f filegate.File){
		func(f filegate.File) { put(t, f.UploadURL, f.UploadHeaders, pdfBytes) },
		func(f filegate.File) { fiveXX.Add(is5xx(c.Call("POST", "/v1/files/"+f.ID+"/complete", nil, nil))) },
		func(f filegate.File) { fiveXX.Add(is5xx(c.Call("POST", "/v1/files/"+f.ID+"/cancel", nil, nil))) },
		func(f filegate.File) { fiveXX.Add(is5xx(c.Call("DELETE", "/v1/files/"+f.ID, nil, nil))) },
		func(f filegate.File) { fiveXX.Add(is5xx(c.Call("GET", "/v1/files/"+f.ID, nil, nil))) },
		func(f filegate.File) {
			if _, err := events.ObjectCreated(context.Background(), files.ObjectKey(c.ProjectID, files.MustParseFileID(f.ID))); err != nil {
				t.Errorf("duplicate event: %v", err)
			}
		},
	}
	// Weight PUTs so most files get bytes before the other operations.
	weights := []int{0, 0, 0, 1, 1, 2, 3, 4, 5, 5}
	work := make(chan func(), 1000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		f, op := created[rng.IntN(len(created))], ops[weights[rng.IntN(len(weights))]]
		work <- func() { op(f) }
	}
	close(work)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for do := range work {
				do()
			}
		}()
	}
	wg.Wait()
	if n := fiveXX.Load(); n != 0 {
		t.Fatalf("%d requests got a 5xx", n)
	}
	// Let in-flight S3 events land, then check each file against its object.
	deadline := time.Now().Add(30 * time.Second)
	for _, f := range created {
		for {
			got, status, objectThere := inspectFile(t, c, f.ID)
			ok := consistent(status, got.Status, objectThere)
			if ok {
				if got.Status == "COMPLETED" && !bytes.Equal(download(t, c, f.ID), pdfBytes) {
					t.Fatalf("%s: COMPLETED with other bytes", f.ID)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: http %d, status %q, object present %v: inconsistent", f.ID, status, got.Status, objectThere)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

func is5xx(status int) int64 {
	if status >= 500 {
		return 1
	}
	return 0
}

func inspectFile(t *testing.T, c *tenant, id string) (filegate.File, int, bool) {
	var got filegate.File
	st := c.Call("GET", "/v1/files/"+id, nil, &got)
	return got, st, objectExists(t, c.ProjectID, id)
}

// consistent: a COMPLETED file has its object; a deleted, cancelled or
// rejected one has none; a PENDING one has none (else its event is pending).
func consistent(httpStatus int, status string, objectThere bool) bool {
	switch {
	case httpStatus == http.StatusNotFound:
		return !objectThere
	case httpStatus != http.StatusOK:
		return false
	case status == "COMPLETED":
		return objectThere
	case status == "PENDING", status == "CANCELLED", status == "REJECTED":
		return !objectThere
	}
	return false
}
