package faults

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
)

// TestMakeDevStartsTenTimesOnData is issue 16's acceptance for `make dev`:
// the command, run in a clone whose .local holds a few hundred files, starts
// and stops (as Ctrl-C stops it) ten times in a row. A start fails if the
// bucket notification cannot be configured (what made it flaky). Every run
// must list all earlier files and take a new one to COMPLETED; in the last,
// its S3 event alone completes it, and the audit follows. An upload URL
// issued before a restart still works after it (storage keeps its address).
func TestMakeDevStartsTenTimesOnData(t *testing.T) {
	const runs, files = 10, 300
	d := newDevClone(t)
	up := &Uploads{}

	r := d.start()
	began := time.Now()
	populate(t, r.api, up, files)
	r.stop()
	t.Logf("populated with %d files in %s", files, time.Since(began).Round(time.Millisecond))

	want := files
	var carried filegate.File // created in the first run, uploaded in the second
	carriedBody := uniquePDF(files + runs)
	for i := range runs {
		began := time.Now()
		r := d.start()
		started := time.Since(began)
		// Counted once across restarts: the stream is read again from its
		// start, and each shard's mark skips what was counted.
		waitTotalCount(t, r.api, want)
		if carried.ID != "" {
			putBody(t, carried, carriedBody) // to the URL the previous run signed
			completeSettles(t, r.api, carried.ID, fmt.Sprintf("run %d: complete of the file uploaded through the previous run's URL", i+1))
			carried = filegate.File{}
		}
		body := uniquePDF(files + i)
		f := create(r.api, body)
		up.Add(f.ID, body)
		putBody(t, f, body)
		want++
		if i < runs-1 {
			completeSettles(t, r.api, f.ID, fmt.Sprintf("run %d: complete", i+1))
		} else {
			waitFor(t, r.api, f.ID, "COMPLETED") // no complete call: its S3 event does it
			if rep := r.audit(up); rep.ByStatus["COMPLETED"] != want {
				t.Errorf("audit: %d COMPLETED files, want %d", rep.ByStatus["COMPLETED"], want)
			}
		}
		if i == 0 {
			carried = create(r.api, carriedBody)
			up.Add(carried.ID, carriedBody)
			want++
		}
		stopping := time.Now()
		r.stop()
		t.Logf("run %d: started in %s, stopped in %s", i+1, started.Round(time.Millisecond), time.Since(stopping).Round(time.Millisecond))
	}
}

// completeSettles completes id and sees it COMPLETED: at once (200), or
// after its malware scan (202: make dev scans uploads by default).
func completeSettles(t *testing.T, c *client, id, what string) {
	t.Helper()
	var f filegate.File
	switch st, _ := c.Do("POST", "/v1/files/"+id+"/complete", nil, &f); {
	case st == http.StatusOK && f.Status == "COMPLETED":
	case st == http.StatusAccepted:
		waitFor(t, c, id, "COMPLETED")
	default:
		t.Fatalf("%s: %d %s", what, st, f.Status)
	}
}

// populate uploads n files, a few at a time, and waits until their S3 events
// have completed them.
func populate(t *testing.T, c *client, up *Uploads, n int) {
	t.Helper()
	const workers = 6
	ids := make([]string, n)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n && errs[w] == nil; i += workers {
				ids[i], errs[w] = upload(c, up, uniquePDF(i))
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("populating: %v", err)
		}
	}
	for _, id := range ids {
		waitFor(t, c, id, "COMPLETED")
	}
}

// upload creates a file and PUTs body, without failing the test (it runs on
// other goroutines).
func upload(c *client, up *Uploads, body []byte) (string, error) {
	ctx := context.Background()
	f, err := c.Client.Create(ctx, filegate.CreateRequest{Filename: "f.pdf", MimeType: "application/pdf", SizeBytes: int64(len(body))})
	if err != nil {
		return "", err
	}
	up.Add(f.ID, body)
	return f.ID, c.Upload(ctx, f, bytes.NewReader(body), int64(len(body)))
}
