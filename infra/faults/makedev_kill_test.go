package faults

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
)

// TestMakeDevKilledMidTrafficRestartsOnItsData SIGKILLs `make dev` (the whole
// local stack: API, functions, MinIO and DynamoDB Local) in the middle of
// uploads and starts it again on the same .local. Nothing may be left
// running; the restart must succeed; every file a create answered for must
// be COMPLETED or PENDING (its upload cut off), counted in totalCount; the
// client can upload again; and the audit is clean.
func TestMakeDevKilledMidTrafficRestartsOnItsData(t *testing.T) {
	d := newDevClone(t)
	up := &Uploads{}
	r := d.start()
	populate(t, r.api, up, 20)

	// Uploaders run until the crash cuts them off.
	const workers, before = 4, 40
	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1000 + w; ; i += workers {
				id, err := upload(r.api, up, uniquePDF(i))
				if id != "" {
					mu.Lock()
					ids = append(ids, id)
					mu.Unlock()
				}
				if err != nil {
					return
				}
			}
		}()
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		k := len(ids)
		mu.Unlock()
		if k >= before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d uploads in a minute", k)
		}
	}
	r.kill()
	wg.Wait()

	r = d.start()
	statuses := map[string]int{}
	for _, id := range ids {
		var f filegate.File
		if st, _ := r.api.Do("GET", "/v1/files/"+id, nil, &f); st != http.StatusOK || f.Status != "COMPLETED" && f.Status != "PENDING" {
			t.Errorf("file %s, created before the crash: %d %s, want COMPLETED or PENDING", id, st, f.Status)
		}
		statuses[f.Status]++
	}
	t.Logf("%d files created during the traffic, after the restart: %v", len(ids), statuses)
	// A PENDING file's upload URL names the crashed run's MinIO: the client uploads anew.
	body := uniquePDF(999)
	f := create(r.api, body)
	up.Add(f.ID, body)
	putBody(t, f, body)
	waitFor(t, r.api, f.ID, "COMPLETED")

	rep := r.audit(up)
	// The count converges on the records the table holds, those written
	// just before the kill included: the stream outlives the process.
	waitTotalCount(t, r.api, rep.Records)
	r.stop()
}
