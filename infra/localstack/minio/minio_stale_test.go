package minio

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/infra/localstack/process"
)

// MinIO ignores the bucket's AbortIncompleteMultipartUpload rule and aborts
// unfinished multipart uploads itself after MINIO_API_STALE_UPLOADS_EXPIRY
// (24 h by default), which would cut off a live multipart session of up to
// 7 days. The MinIO the stack runs must get the template's rule instead: the
// longest session the MultipartSessionSeconds parameter allows + 1 day (the
// rule's DaysAfterInitiation, StaleUploadsExpiry), and take it without a
// configuration error.
func TestMinIOKeepsMultipartUploadsAsLongAsTheBucketRule(t *testing.T) {
	want := StaleUploadsExpiry // the template's rule: TestBucketRuleKeepsMultipartUploadsAsLongAsMinIO
	tools := process.RequireTools(t, "bin/minio")
	dir := t.TempDir()
	logPath := filepath.Join(dir, "minio.log")
	m, err := StartMinIO(t.Context(), tools, filepath.Join(dir, "minio"), logPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", m.proc.Load().Pid()))
	if err != nil {
		t.Fatalf("reading MinIO's environment: %v", err)
	}
	const name = "MINIO_API_STALE_UPLOADS_EXPIRY"
	var got string
	for _, kv := range bytes.Split(environ, []byte{0}) {
		if v, ok := strings.CutPrefix(string(kv), name+"="); ok {
			got = v
		}
	}
	if got == "" {
		t.Fatalf("MinIO runs without %s: it aborts unfinished multipart uploads after 24 h, want %s", name, want)
	}
	if d, err := time.ParseDuration(got); err != nil || d != want {
		t.Errorf("%s=%q (%v), want %s (the longest multipart session + 1 day)", name, got, err, want)
	}
	if log := process.TailFile(logPath, 200); strings.Contains(log, "Invalid api configuration") {
		t.Errorf("MinIO refused its api configuration:\n%s", log)
	}
}
