package faults

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/auth"
)

var pdf = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// client is the shared test kit's project key.
type client = apitest.Tenant

func putObject(t *testing.T, f filegate.File) {
	t.Helper()
	putBody(t, f, pdf)
}

// TestDynamoDBDownMeans503sAndConsistencyAfter stops DynamoDB Local mid-run:
// every API answer must be a 503 with Retry-After (never a 500 with
// internals), uploads made meanwhile must not be lost, and after the restart
// every file must be consistent.
func TestDynamoDBDownMeans503sAndConsistencyAfter(t *testing.T) {
	ctx := context.Background()
	st, err := localstack.Start(ctx, localstack.Options{
		Root: "../..", DataDir: t.TempDir(), CacheAuthorizations: true,
		Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("the local stack did not start: %v (run `make tools`; Java 17+ is required)", err)
	}
	defer st.Stop()
	key, err := st.MintKey(ctx, "00000000-0000-4000-8000-000000000001", "3f1c2a8e-8c1d-4f7a-9d55-2f0f7a9b1c01", auth.ScopeCreate, auth.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{T: t, Client: filegate.Client{Base: st.APIURL, Key: key}}
	var done, pending, late filegate.File
	body := map[string]any{"filename": "f.pdf", "mimeType": "application/pdf", "sizeBytes": len(pdf)}
	c.Do("POST", "/v1/files", body, &done)
	c.Do("POST", "/v1/files", body, &pending)
	c.Do("POST", "/v1/files", body, &late)
	putObject(t, done)
	waitFor(t, c, done.ID, "COMPLETED")
	// The table stops with the creates' counts possibly still in flight: the
	// stack's stream feed, like Lambda, keeps a failed batch and retries it.

	if err := st.DynamoDB.Stop(); err != nil {
		t.Fatal(err)
	}
	putObject(t, late) // its S3 event cannot be processed while the table is down
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/v1/files/" + done.ID, nil},
		{"GET", "/v1/files", nil},
		{"POST", "/v1/files", body},
		{"POST", "/v1/files/" + pending.ID + "/complete", nil},
		{"POST", "/v1/files/" + pending.ID + "/cancel", nil},
		{"GET", "/v1/files/" + done.ID + "/url", nil},
		{"DELETE", "/v1/files/" + done.ID, nil},
	} {
		var e struct {
			Error struct{ Type, Message string }
		}
		status, h := c.Do(r.method, r.path, r.body, &e)
		if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || e.Error.Type != "service_unavailable" {
			t.Errorf("%s %s with DynamoDB down: %d %+v Retry-After=%q, want 503 with Retry-After", r.method, r.path, status, e, h.Get("Retry-After"))
		}
	}

	if err := st.DynamoDB.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, done.ID, "COMPLETED")
	waitFor(t, c, pending.ID, "PENDING")
	waitFor(t, c, late.ID, "COMPLETED") // MinIO redelivers the event it could not hand over
	var l struct {
		Data []filegate.File `json:"data"`
	}
	if c.Do("GET", "/v1/files", nil, &l); len(l.Data) != 3 {
		t.Fatalf("after restart: %d files listed, want 3 (no half-written create)", len(l.Data))
	}
	waitTotalCount(t, c, 3) // the count follows the stream (eventually consistent)
}

func waitFor(t *testing.T, c *client, id, want string) {
	t.Helper()
	var f filegate.File
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if st, _ := c.Do("GET", "/v1/files/"+id, nil, &f); st == http.StatusOK && f.Status == want {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("file %s is %q, want %s", id, f.Status, want)
}
