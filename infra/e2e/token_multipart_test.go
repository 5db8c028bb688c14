package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/shared/files"
)

// A browser uploads in parts with its upload token alone: the token signs
// part URLs, lists stored parts and refreshes a single PUT's URL for the
// files it created, and for no other file (its project key's, another
// project's, an unknown id: 404, as if absent).
func TestUploadTokenUploadsInPartsOnlyItsOwnFiles(t *testing.T) {
	t.Parallel()
	ten, other := newTenant(t), newTenant(t)
	browser, _ := mintToken(t, ten.Tenant, nil)
	body := bytes.Repeat([]byte("a line of a multipart upload by a browser\n"), (files.MinPartBytes+4096)/42)
	mine := (&tenant{browser}).createMultipart("mine.txt", "text/plain", body)
	keys := ten.createMultipart("keys.txt", "text/plain", body)
	theirs := other.createMultipart("theirs.txt", "text/plain", body)
	single := browser.Create("single.pdf", "application/pdf", len(pdfBytes), "")

	sum := sha256.Sum256(partOf(body, files.MinPartBytes, 1))
	sign := map[string]any{"parts": []map[string]any{{"partNumber": 1, "sha256": hex.EncodeToString(sum[:])}}}
	for _, id := range []string{keys.ID, theirs.ID, "fil_06H0EN1ZAP202AP5WPNPHXF894"} {
		refused(t, browser, "sign parts of "+id, "POST", "/v1/files/"+id+"/parts", sign, 404, "not_found")
		refused(t, browser, "list parts of "+id, "GET", "/v1/files/"+id+"/parts", nil, 404, "not_found")
		refused(t, browser, "upload-url of "+id, "POST", "/v1/files/"+id+"/upload-url", map[string]any{}, 404, "not_found")
	}
	refused(t, browser, "upload-url of the project key's single-PUT file", "POST", "/v1/files/"+ten.Create("k.pdf", "application/pdf", 5, "").ID+"/upload-url", map[string]any{}, 404, "not_found")

	// Its own multipart file, start to end, with the token alone.
	own := &tenant{browser}
	for _, u := range own.partURLsFor(mine.ID, body, files.MinPartBytes, 1, 2) {
		if st := put(t, u.URL, u.Headers, partOf(body, files.MinPartBytes, u.PartNumber)); st != http.StatusOK {
			t.Fatalf("PUT part %d with a URL the token signed: %d", u.PartNumber, st)
		}
	}
	var listed struct{ Data []struct{ PartNumber int } }
	if st := browser.Call("GET", "/v1/files/"+mine.ID+"/parts", nil, &listed); st != http.StatusOK || len(listed.Data) != 2 {
		t.Fatalf("the token lists its file's parts: %d %+v, want both", st, listed)
	}
	var done filegate.File
	if st := browser.Call("POST", "/v1/files/"+mine.ID+"/complete", map[string]any{}, &done); st != http.StatusOK || done.Status != "COMPLETED" {
		t.Fatalf("complete: %d %+v", st, done)
	}

	// Its own single-PUT file gets a fresh URL, which works.
	var fresh filegate.File
	if st := browser.Call("POST", "/v1/files/"+single.ID+"/upload-url", map[string]any{}, &fresh); st != http.StatusOK || fresh.UploadURL == "" {
		t.Fatalf("upload-url of the token's own file: %d %+v", st, fresh)
	}
	if st := put(t, fresh.UploadURL, fresh.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Fatalf("PUT to the fresh URL: %d", st)
	}
	// Nothing here reached the other files: they are PENDING with no part.
	for _, c := range []struct {
		who *tenant
		id  string
	}{{ten, keys.ID}, {other, theirs.ID}} {
		var parts struct{ Data []any }
		if st := c.who.Call("GET", "/v1/files/"+c.id+"/parts", nil, &parts); st != http.StatusOK || len(parts.Data) != 0 {
			t.Errorf("%s after the token's attempts: %d, %d parts; want none", c.id, st, len(parts.Data))
		}
	}
}
