package e2e

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/shared/files"
)

// multipartPDF is a create of a multipart session of size bytes.
func multipartPDF(size int64) map[string]any {
	return map[string]any{"filename": "big.pdf", "mimeType": "application/pdf", "sizeBytes": size,
		"multipart": map[string]any{"partSizeBytes": files.MinPartBytes}}
}

// Every way a token can create a file spends its budget, bytes included:
// multipart creates count like single-PUT ones, and the compat upload (whose
// bytes would pass the ledger by) refuses tokens without writing anything.
func TestUploadTokenMultipartCreatesSpendTheBudget(t *testing.T) {
	t.Parallel()
	ten := newTenant(t)
	browser, _ := mintToken(t, ten.Tenant, map[string]any{"maxFiles": 1})
	var first filegate.File
	if st := browser.Call("POST", "/v1/files", multipartPDF(2*files.MinPartBytes), &first); st != http.StatusOK {
		t.Fatalf("the token's first (multipart) create: %d", st)
	}
	refused(t, browser, "a second multipart create", "POST", "/v1/files", multipartPDF(files.MinPartBytes), 403, "token_file_limit")
	refused(t, browser, "a single-PUT create after it", "POST", "/v1/files", pdf(5, ""), 403, "token_file_limit")
	if st := browser.Call("GET", "/v1/files/"+first.ID, nil, nil); st != http.StatusOK {
		t.Errorf("the token reads the multipart file it created: %d, want 200 (the ledger lists it)", st)
	}

	bytesLeft, _ := mintToken(t, ten.Tenant, map[string]any{"maxFiles": 5, "maxBytes": 2*files.MinPartBytes + 10})
	if st := bytesLeft.Call("POST", "/v1/files", multipartPDF(2*files.MinPartBytes), nil); st != http.StatusOK {
		t.Fatalf("a multipart create within the byte budget: %d", st)
	}
	refused(t, bytesLeft, "a create past the bytes a multipart file spent", "POST", "/v1/files", pdf(11, ""), 403, "token_byte_limit")

	if st, raw := compatUpload(t, browser.Key, "c.pdf", "user_data", pdfBytes); st != http.StatusForbidden {
		t.Errorf("compat upload with a token: %d %s, want 403", st, raw)
	}
	var page struct{ Data []filegate.File }
	if st := ten.Call("GET", "/v1/files", nil, &page); st != http.StatusOK || len(page.Data) != 2 {
		t.Errorf("the project holds %d files (%d), want the two the budgets allowed", len(page.Data), st)
	}
}

// A settled file never changes through complete, whoever calls it: a
// token's (or its key's) repeat complete of a COMPLETED file with its md5 or
// none answers the file; with another md5 a permanent 409, and the file
// stays COMPLETED with its object. The same holds for a file the compat
// upload completed, and a CANCELLED file is a 409 too.
func TestCompleteNeverChangesASettledFileOnTheStack(t *testing.T) {
	t.Parallel()
	ten := newTenant(t)
	browser, _ := mintToken(t, ten.Tenant, nil)
	f := browser.Create("mine.pdf", "application/pdf", len(pdfBytes), "")
	if st := put(t, f.UploadURL, f.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Fatalf("PUT: %d", st)
	}
	sum := md5.Sum(pdfBytes)
	right, wrong := hex.EncodeToString(sum[:]), "0123456789abcdef0123456789abcdef"
	var done filegate.File
	if st := browser.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{"md5": right}, &done); st != http.StatusOK || done.Status != "COMPLETED" {
		t.Fatalf("complete: %d %s", st, done.Status)
	}
	for _, body := range []map[string]any{{}, {"md5": right}} {
		var again filegate.File
		if st := browser.Call("POST", "/v1/files/"+f.ID+"/complete", body, &again); st != http.StatusOK || again.Status != "COMPLETED" || again.CompletedAt == nil || *again.CompletedAt != *done.CompletedAt {
			t.Errorf("complete again with %v: %d %+v, want the stored file", body, st, again)
		}
	}
	compatID := func() string {
		st, raw := compatUpload(t, ten.Key, "compat.pdf", "user_data", pdfBytes)
		if st != http.StatusOK {
			t.Fatalf("compat upload: %d %s", st, raw)
		}
		return ten.WaitStatus(compatIDOf(t, raw), "COMPLETED").ID
	}()
	for who, c := range map[string]*tenant{"token": {browser}, "API key": ten} {
		for _, id := range []string{f.ID, compatID} {
			if who == "token" && id == compatID {
				continue // not the token's file (404)
			}
			var e apitest.ErrorEnvelope
			st, h := c.Do("POST", "/v1/files/"+id+"/complete", map[string]any{"md5": wrong}, &e)
			if st != http.StatusConflict || e.Error.Type != "conflict" || e.Error.Code != "checksum_mismatch" || h.Get("X-Should-Retry") != "false" {
				t.Errorf("%s: complete of COMPLETED %s with another md5: %d %+v (x-should-retry %q), want 409 conflict checksum_mismatch, not to be retried", who, id, st, e.Error, h.Get("X-Should-Retry"))
			}
			if got := ten.WaitStatus(id, "COMPLETED"); got.Rejection != nil || !objectExists(t, ten.ProjectID, id) {
				t.Errorf("%s: after the refused complete %s is %+v, object kept %v", who, id, got, objectExists(t, ten.ProjectID, id))
			}
		}
	}
	refused(t, browser, "delete", "DELETE", "/v1/files/"+f.ID, nil, 403, "token_not_allowed")

	cancelled := browser.Create("gone.pdf", "application/pdf", len(pdfBytes), "")
	if st := browser.Call("POST", "/v1/files/"+cancelled.ID+"/cancel", map[string]any{}, nil); st != http.StatusOK {
		t.Fatalf("cancel: %d", st)
	}
	refused(t, browser, "complete of a CANCELLED file", "POST", "/v1/files/"+cancelled.ID+"/complete", map[string]any{}, 409, "invalid_state")
}

// compatIDOf is the id of the file a compat upload answered.
func compatIDOf(t *testing.T, raw []byte) string {
	t.Helper()
	var f struct{ ID string }
	if err := json.Unmarshal(raw, &f); err != nil || f.ID == "" {
		t.Fatalf("compat upload answered %s (%v)", raw, err)
	}
	return f.ID
}
