package faults

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
)

// TestUploadsAroundAMinIOCrashSettle kills MinIO with SIGKILL in the middle
// of a stream of presigned PUTs and restarts it on its data. Uploads that
// committed while their answer was lost, whose event died with the process,
// or that landed while MinIO was booting (its S3 API answers before it has
// loaded the bucket's notification rules, so they raise no event) must all
// end COMPLETED with no complete call and no scheduled reconcile run: by
// their event or by the reconcile pass that follows every MinIO start. Then
// the audit.
func TestUploadsAroundAMinIOCrashSettle(t *testing.T) {
	const n = 60
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st := startStack(t)
	c := newClient(t, st)
	up := &Uploads{}
	sessions := createN(c, n)

	// Six uploaders PUT a file every 20 ms each and retry each PUT until MinIO
	// has it, so that several land the moment MinIO answers again.
	const workers = 6
	var stored atomic.Int32
	var mu sync.Mutex
	answers := map[string]int{}
	uploaded := make(chan error, workers)
	hc := &http.Client{Timeout: 2 * time.Second}
	upload := func(i int, f filegate.File) error {
		body := uniquePDF(i)
		up.Add(f.ID, body) // before the PUT: one whose answer is lost may have landed
		for {
			status, err := apitest.PutWith(ctx, hc, f.UploadURL, f.UploadHeaders, bytes.NewReader(body), int64(len(body)))
			answer := fmt.Sprint(status)
			if err != nil {
				answer = "transport error"
			}
			mu.Lock()
			answers[answer]++
			mu.Unlock()
			// 412: If-None-Match found the object an attempt whose answer was lost stored.
			if status == http.StatusOK || status == http.StatusPreconditionFailed {
				stored.Add(1)
				return nil
			}
			if ctx.Err() != nil {
				return fmt.Errorf("file %d never uploaded: %d %v", i, status, err)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for w := range workers {
		go func() {
			for i := w; i < n; i += workers {
				if err := upload(i, sessions[i]); err != nil {
					uploaded <- err
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
			uploaded <- nil
		}()
	}

	for stored.Load() < n/4 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := st.MinIO.Kill(); err != nil {
		t.Fatal(err)
	}
	atKill := stored.Load()
	time.Sleep(300 * time.Millisecond) // PUTs fail while it is down
	rep, err := st.RestartMinIO(ctx)
	if err != nil {
		t.Fatal(err)
	}
	atPass := stored.Load()
	for range workers {
		if err := <-uploaded; err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	t.Logf("killed after %d uploads; %d stored when the post-start pass ended, which settled %d; PUT answers: %v", atKill, atPass, rep.Settled, answers)
	mu.Unlock()
	for _, f := range sessions {
		waitFor(t, c, f.ID, "COMPLETED")
	}
	auditStack(t, st, up)
}
