package faults

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
)

// TestEventsWaitInTheQueueWhileTheWebhookIsDown makes MinIO's webhook target
// (the S3 bridge to process-upload) unreachable: uploads made meanwhile must
// wait as events in MinIO's queue directory, not be lost, and complete once
// the target is back and the queue has drained, with no complete call and no
// reconcile run; then the audit.
func TestEventsWaitInTheQueueWhileTheWebhookIsDown(t *testing.T) {
	const n = 12
	ctx := context.Background()
	st := startStack(t)
	c := newClient(t, st)
	up := &Uploads{}
	sessions := createN(c, n)

	if err := st.Webhook.Down(); err != nil {
		t.Fatal(err)
	}
	for i, f := range sessions {
		body := uniquePDF(i)
		up.Add(f.ID, body)
		if status, err := apitest.PutWith(ctx, nil, f.UploadURL, f.UploadHeaders, bytes.NewReader(body), int64(len(body))); err != nil || status != http.StatusOK {
			t.Fatalf("PUT with the webhook target down: %d %v", status, err)
		}
	}
	waitQueue(t, st.EventQueueDir(), func(k int) bool { return k >= n }, "every upload's event queued")
	// Past MinIO's 3 s redelivery interval, so deliveries have failed and been retried.
	time.Sleep(4 * time.Second)
	queued := waitQueue(t, st.EventQueueDir(), func(k int) bool { return k >= n }, "the events still queued")
	t.Logf("%d events queued on disk while the target is down", queued)
	for _, f := range sessions {
		var got filegate.File
		if c.Do("GET", "/v1/files/"+f.ID, nil, &got); got.Status != "PENDING" {
			t.Fatalf("file %s is %s while its event cannot be delivered", f.ID, got.Status)
		}
	}

	back := time.Now()
	if _, err := st.Webhook.Up(); err != nil {
		t.Fatal(err)
	}
	for _, f := range sessions {
		waitFor(t, c, f.ID, "COMPLETED")
	}
	waitQueue(t, st.EventQueueDir(), func(k int) bool { return k == 0 }, "the queue drained")
	t.Logf("queue drained and every file COMPLETED %s after the target came back", time.Since(back).Round(time.Millisecond))
	auditStack(t, st, up)
}

// waitQueue polls the number of events in MinIO's queue dir until ok accepts it.
func waitQueue(t *testing.T, dir string, ok func(int) bool, what string) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		k := 0
		err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				k++
			}
			return err
		})
		if err != nil {
			t.Fatalf("reading the event queue %s: %v", dir, err)
		}
		if ok(k) {
			return k
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %d events in %s", what, k, dir)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
