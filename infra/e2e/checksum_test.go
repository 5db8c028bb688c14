package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
)

// TestDeclaredSHA256IsEnforcedByStorage: a create with sha256 gets a PUT
// that signs x-amz-checksum-sha256, so storage refuses other bytes before
// storing anything (the file stays PENDING), accepts the right ones, and the
// file keeps the checksum.
func TestDeclaredSHA256IsEnforcedByStorage(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	sum := sha256.Sum256(pdfBytes)
	var f filegate.File
	if st := c.Call("POST", "/v1/files", map[string]any{"filename": "sum.pdf", "mimeType": "application/pdf", "sizeBytes": len(pdfBytes), "sha256": base64.StdEncoding.EncodeToString(sum[:])}, &f); st != http.StatusOK {
		t.Fatalf("create with sha256: %d", st)
	}
	if got := f.UploadHeaders["X-Amz-Checksum-Sha256"]; got != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("uploadHeaders %v do not carry the checksum to send", f.UploadHeaders)
	}
	tampered := append([]byte{}, pdfBytes...)
	tampered[len(tampered)-2] ^= 1 // same length, other digest
	if st := put(t, f.UploadURL, f.UploadHeaders, tampered); st != http.StatusBadRequest {
		t.Fatalf("PUT of bytes that do not match the signed sha256: %d, want 400 (BadDigest)", st)
	}
	withoutSum := map[string]string{}
	for k, v := range f.UploadHeaders {
		if k != "X-Amz-Checksum-Sha256" {
			withoutSum[k] = v
		}
	}
	// S3 answers 403 SignatureDoesNotMatch, MinIO 400 AccessDenied: refused either way.
	if st := put(t, f.UploadURL, withoutSum, pdfBytes); st != http.StatusForbidden && st != http.StatusBadRequest {
		t.Fatalf("PUT without the signed checksum header: %d, want it refused", st)
	}
	if objectExists(t, c.ProjectID, f.ID) {
		t.Fatal("storage kept refused bytes")
	}
	time.Sleep(300 * time.Millisecond) // room for a (wrong) event
	if got := c.WaitStatus(f.ID, "PENDING"); got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("the PENDING file shows sha256 %q, want %x", got.SHA256, sum)
	}
	if st := put(t, f.UploadURL, f.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Fatalf("PUT of the declared bytes: %d", st)
	}
	if got := c.WaitStatus(f.ID, "COMPLETED"); got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("GET answers sha256 %q, want %x", got.SHA256, sum)
	}
}

// TestCompatUploadRecordsSHA256: the compat upload computes the SHA-256 of
// the bytes it received, stores it with the object and on the record, which
// the native GET shows.
func TestCompatUploadRecordsSHA256(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	st, raw := compatUpload(t, c.Key, "sum.pdf", "user_data", pdfBytes)
	var up struct{ ID string }
	if st != http.StatusOK || json.Unmarshal(raw, &up) != nil {
		t.Fatalf("compat upload: %d %s", st, raw)
	}
	sum := sha256.Sum256(pdfBytes)
	if got := c.WaitStatus(up.ID, "COMPLETED"); got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("the compat upload recorded sha256 %q, want %x", got.SHA256, sum)
	}
}

// TestMultipartWholeFileDigestIsAClaim: storage checks a multipart file's
// parts, never its whole-file SHA-256, so the digest complete carries is
// shown as claimedSha256, never as the verified sha256 a single PUT gets.
func TestMultipartWholeFileDigestIsAClaim(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	body := []byte("a multipart file of one short part\n")
	f := c.uploadedInOnePart("claim.txt", "text/plain", body)
	sum := sha256.Sum256(body)
	want := hex.EncodeToString(sum[:])
	var done map[string]any
	if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{"sha256": base64.StdEncoding.EncodeToString(sum[:])}, &done); st != http.StatusOK || done["status"] != "COMPLETED" {
		t.Fatalf("complete: %d %v", st, done)
	}
	var got map[string]any
	if st := c.Call("GET", "/v1/files/"+f.ID, nil, &got); st != http.StatusOK {
		t.Fatalf("get: %d", st)
	}
	for what, file := range map[string]map[string]any{"complete": done, "GET": got} {
		if _, shown := file["sha256"]; shown || file["claimedSha256"] != want {
			t.Errorf("%s shows sha256 %v and claimedSha256 %v; want the claim %s as claimedSha256 alone", what, file["sha256"], file["claimedSha256"], want)
		}
	}
}
