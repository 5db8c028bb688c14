package minio

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/infra/localstack/process"
)

// MustStart is for tests: a MinIO of the test's own (tools from `make tools`), stopped when it ends.
func MustStart(t testing.TB, webhooks map[string]string) *MinIO {
	t.Helper()
	tools := process.RequireTools(t, "bin/minio")
	dir := t.TempDir()
	start := time.Now()
	m, err := StartMinIO(t.Context(), tools, filepath.Join(dir, "minio"), filepath.Join(dir, "minio.log"), webhooks)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	t.Logf("MinIO ready at %s in %s", m.Endpoint, time.Since(start))
	return m
}

// XMLField extracts <name>…</name> from an S3 XML error body, for logs.
func XMLField(b []byte, name string) string {
	s, open := string(b), "<"+name+">"
	if i := strings.Index(s, open); i >= 0 {
		if j := strings.Index(s[i:], "</"+name+">"); j > 0 {
			return s[i+len(open) : i+j]
		}
	}
	return ""
}
