package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
)

// TestUploadURLNeverOutlivesRetention: a file whose retention ends before its
// upload session would: its presigned PUT must stop working when retention
// ends, so no bytes land in a file that is already gone (a PUT after
// retention once succeeded and the file completed past its end).
func TestUploadURLNeverOutlivesRetention(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	until := time.Now().Add(2 * time.Second).UTC()
	var f filegate.File
	if st := c.Call("POST", "/v1/files", map[string]any{"filename": "short.pdf", "mimeType": "application/pdf", "sizeBytes": len(pdfBytes), "retentionExpiresAt": until.Format(time.RFC3339Nano)}, &f); st != http.StatusOK {
		t.Fatalf("create with a retention shorter than the session: %d", st)
	}
	if end := signedUntil(t, f.UploadURL); end.After(until) {
		t.Errorf("the upload URL is signed until %s, past retention (%s)", end, until)
	}
	time.Sleep(time.Until(until) + time.Second) // signatures count whole seconds
	if st := put(t, f.UploadURL, f.UploadHeaders, pdfBytes); st != http.StatusForbidden {
		t.Fatalf("PUT after retention ended: %d, want 403 (the URL expired with retention)", st)
	}
	if objectExists(t, c.ProjectID, f.ID) {
		t.Fatal("the PUT after retention stored an object")
	}
}

// TestReplayedCreateSignsAFreshUploadURL: a create replayed under its
// Idempotency-Key returns the same file with an upload URL signed at the
// replay, never the stored answer's URL (docs/ARCHITECTURE.md "Limits and lifetimes"), and that URL works.
func TestReplayedCreateSignsAFreshUploadURL(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	body := map[string]any{"filename": "again.pdf", "mimeType": "application/pdf", "sizeBytes": len(pdfBytes)}
	var first, again filegate.File
	st, raw, _ := c.postWithKey("/v1/files", "fresh-url", body)
	if st != http.StatusOK || json.Unmarshal(raw, &first) != nil {
		t.Fatalf("create: %d %s", st, raw)
	}
	time.Sleep(1100 * time.Millisecond) // signing times count whole seconds
	st, raw, h := c.postWithKey("/v1/files", "fresh-url", body)
	if st != http.StatusOK || json.Unmarshal(raw, &again) != nil || h.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s, replayed %q", st, raw, h.Get("Idempotent-Replayed"))
	}
	if again.ID != first.ID || again.CreatedAt != first.CreatedAt || again.Status != "PENDING" {
		t.Errorf("replay answered file %s created %s (%s), want %s created %s", again.ID, again.CreatedAt, again.Status, first.ID, first.CreatedAt)
	}
	if a, b := signedAt(t, first.UploadURL), signedAt(t, again.UploadURL); !b.After(a) {
		t.Errorf("the replay's upload URL was signed at %s, not after the first answer's (%s): a stored URL was replayed", b, a)
	}
	if st := put(t, again.UploadURL, again.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Fatalf("PUT to the replay's URL: %d", st)
	}
	c.WaitStatus(first.ID, "COMPLETED")
}

// signedAt is when a presigned URL was signed (X-Amz-Date).
func signedAt(t *testing.T, raw string) time.Time {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse("20060102T150405Z", u.Query().Get("X-Amz-Date"))
	if err != nil {
		t.Fatalf("presigned URL without X-Amz-Date: %s", raw)
	}
	return at
}

// signedUntil is when a presigned URL expires (X-Amz-Date + X-Amz-Expires).
func signedUntil(t *testing.T, raw string) time.Time {
	t.Helper()
	u, _ := url.Parse(raw)
	d, err := time.ParseDuration(u.Query().Get("X-Amz-Expires") + "s")
	if err != nil {
		t.Fatalf("presigned URL without X-Amz-Expires: %s", raw)
	}
	return signedAt(t, raw).Add(d)
}
