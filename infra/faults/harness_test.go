package faults

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/localstack/process"
)

// startStack starts a local stack of the test's own, on a data dir of its own
// (so MinIO and DynamoDB Local can be restarted on their data), with no
// orphan grace, so that reconcile leaves the bucket in the end state the
// audit checks. It stops when the test ends; if the test failed, the tail of
// the stack's log is printed. opts adjust the options further.
func startStack(t *testing.T, opts ...func(*localstack.Options)) *localstack.Stack {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "stack.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	o := localstack.Options{
		Root: "../..", DataDir: filepath.Join(dir, "data"),
		// Tenants' rate limits far above what any fault test offers.
		Env: map[string]string{"ORPHAN_GRACE_SECONDS": "0", "RATE_LIMIT_WRITE": "100000", "RATE_LIMIT_READ": "100000", "RATE_LIMIT_SEARCH": "100000"},
		Log: slog.New(slog.NewJSONHandler(logFile, nil)),
	}
	for _, opt := range opts {
		opt(&o)
	}
	st, err := localstack.Start(context.Background(), o)
	if err != nil {
		t.Fatalf("the local stack did not start: %v (run `make tools`; Java 17+ is required)", err)
	}
	t.Cleanup(func() {
		st.Stop()
		logFile.Close()
		if t.Failed() {
			t.Logf("--- last lines of the stack log ---\n%s", process.TailFile(logPath, 40))
		}
	})
	return st
}

// newClient mints a key for a fresh project of its own.
func newClient(t *testing.T, st *localstack.Stack) *client {
	t.Helper()
	return apitest.NewTenant(t, st)
}

// uniquePDF is a small valid PDF whose bytes differ from every other n's, so
// the audit can tell one file's bytes from another's.
func uniquePDF(n int) []byte {
	return fmt.Appendf(nil, "%%PDF-1.4\n%% file %d\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n", n)
}

// create opens an upload session for body.
func create(c *client, body []byte) filegate.File {
	c.T.Helper()
	return c.Create("f.pdf", "application/pdf", len(body), "")
}

// createN opens n upload sessions, the i-th for uniquePDF(i).
func createN(c *client, n int) []filegate.File {
	c.T.Helper()
	sessions := make([]filegate.File, n)
	for i := range sessions {
		sessions[i] = create(c, uniquePDF(i))
	}
	return sessions
}

// auditStack runs reconcile over the whole bucket and then Audit, failing the
// test on every problem it finds.
func auditStack(t *testing.T, st *localstack.Stack, up Uploaded) AuditReport {
	t.Helper()
	ctx := context.Background()
	if _, err := st.ReconcileAll(ctx); err != nil {
		t.Fatalf("reconcile before the audit: %v", err)
	}
	rep, err := Audit(ctx, st.DynamoClient(), st.S3Client(), localstack.TableName, localstack.BucketName, up)
	if err != nil {
		t.Fatal(err)
	}
	reportAudit(t, rep)
	return rep
}

func reportAudit(t *testing.T, rep AuditReport) {
	t.Helper()
	t.Logf("audit: %d records %v, %d objects", rep.Records, rep.ByStatus, rep.Objects)
	for _, p := range rep.Problems {
		t.Errorf("audit: %s", p)
	}
}

// putBody PUTs body to f's upload URL.
func putBody(t *testing.T, f filegate.File, body []byte) {
	t.Helper()
	if st := apitest.Put(t, f.UploadURL, f.UploadHeaders, body); st != http.StatusOK {
		t.Fatalf("PUT %s: %d", f.ID, st)
	}
}

// counterLag bounds how long a test waits for a project's totalCount: the
// counts follow the table's stream (eventually consistent), read by the
// local stack 4 times a second.
const counterLag = 15 * time.Second

// waitTotalCount waits until c's project's totalCount is want, and fails
// the test with the last value seen after counterLag.
func waitTotalCount(t *testing.T, c *client, want int) {
	t.Helper()
	deadline := time.Now().Add(counterLag)
	for {
		var l struct{ TotalCount int }
		st, _ := c.Do("GET", "/v1/files?limit=1", nil, &l)
		if st == http.StatusOK && l.TotalCount == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("totalCount %d (status %d) after %s, want %d", l.TotalCount, st, counterLag, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
