package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
)

// TestWrongMD5CompleteNeverWinsARace races, 200 times, a plain complete
// against a complete carrying a wrong md5 (a client retry does this), with
// the S3 event live as well. Whoever wins the conditional write, the
// wrong-md5 call never answers 200: if it settles the file first, 422
// checksum_mismatch and the file ends REJECTED with its object deleted; if
// the file settled first, 409 checksum_mismatch and the COMPLETED file keeps
// its object (a settled file never changes through complete).
func TestWrongMD5CompleteNeverWinsARace(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	const rounds, workers = 200, 8
	var wrong200 atomic.Int64
	work := make(chan int, rounds)
	for i := range rounds {
		work <- i
	}
	close(work)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if raceRound(t, c, i) {
					wrong200.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if n := wrong200.Load(); n != 0 {
		t.Fatalf("a complete with a wrong md5 answered 200 in %d of %d rounds", n, rounds)
	}
}

// raceRound runs one round and reports whether the wrong md5 got a 200;
// any other departure from the contract fails the test.
func raceRound(t *testing.T, c *tenant, i int) (wrongWon bool) {
	f := c.Create(fmt.Sprintf("race-%03d.pdf", i), "application/pdf", len(pdfBytes), "")
	if st := put(t, f.UploadURL, f.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Errorf("round %d: PUT: %d", i, st)
		return false
	}
	var wg sync.WaitGroup
	var e apitest.ErrorEnvelope
	var got filegate.File
	var wrongStatus int
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, nil)
	}()
	go func() {
		defer wg.Done()
		// Vary who starts first across rounds (0–3 ms apart).
		time.Sleep(time.Duration(i%4) * time.Millisecond)
		var raw map[string]any
		wrongStatus = c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]string{"md5": "0123456789abcdef0123456789abcdef"}, &raw)
		if wrongStatus == http.StatusOK {
			got.Status, _ = raw["status"].(string)
			return
		}
		if errObj, ok := raw["error"].(map[string]any); ok {
			e.Error.Code, _ = errObj["code"].(string)
		}
	}()
	wg.Wait()
	if wrongStatus == http.StatusOK {
		t.Errorf("round %d: the wrong md5 got 200 (%s)", i, got.Status)
		return true
	}
	switch {
	case e.Error.Code != "checksum_mismatch":
		t.Errorf("round %d: the wrong md5 got %d %q, want checksum_mismatch", i, wrongStatus, e.Error.Code)
	case wrongStatus == http.StatusUnprocessableEntity:
		if end := c.WaitStatus(f.ID, "REJECTED"); end.Rejection == nil || end.Rejection.Code != "checksum_mismatch" {
			t.Errorf("round %d: ended with rejection %+v, want checksum_mismatch", i, end.Rejection)
		}
		waitObjectGone(t, c.ProjectID, f.ID)
	case wrongStatus == http.StatusConflict:
		if end := c.WaitStatus(f.ID, "COMPLETED"); end.Rejection != nil || !objectExists(t, c.ProjectID, f.ID) {
			t.Errorf("round %d: after the 409 the file is %+v, object kept %v; want it COMPLETED with its object", i, end, objectExists(t, c.ProjectID, f.ID))
		}
	default:
		t.Errorf("round %d: the wrong md5 got %d, want 422 (before the file settled) or 409 (after)", i, wrongStatus)
	}
	return false
}
