package e2e

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
)

// TestSignedInputsFitWhatStorageAccepts: every input that ends up in a
// signed header or URL (mimeType in the PUT's Content-Type and the
// download's response-content-type, filename in its
// response-content-disposition) is either refused at create with a 400 naming
// it, or small enough that storage accepts the request: no session is created
// that can never complete.
func TestSignedInputsFitWhatStorageAccepts(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	for _, tc := range []struct{ name, mimeType string }{
		{"a 30 KB subtype", "application/" + strings.Repeat("x", 30<<10)},
		{"a 128-character subtype", "application/" + strings.Repeat("x", 128)},
		{"a 128-character type", strings.Repeat("x", 128) + "/pdf"},
		{"characters RFC 6838 does not allow", "application/x~y"},
	} {
		var e apitest.ErrorEnvelope
		if st := c.Call("POST", "/v1/files", map[string]any{"filename": "a.bin", "mimeType": tc.mimeType, "sizeBytes": 10}, &e); st != http.StatusBadRequest || !strings.Contains(e.Error.Message, "mimeType") {
			t.Errorf("%s: %d %q, want 400 naming mimeType", tc.name, st, e.Error.Message)
		}
	}

	// The largest accepted values make a session that completes and downloads.
	body := make([]byte, 64)
	rand.Read(body)
	longestType := strings.Repeat("a", 127) + "/" + strings.Repeat("b", 127)
	longestName := strings.Repeat("\U0001F4C4", 251) + ".bin" // 255 characters, 1,008 bytes of UTF-8
	f := c.Create(longestName, longestType, len(body), "")
	if st := put(t, f.UploadURL, f.UploadHeaders, body); st != http.StatusOK {
		t.Fatalf("PUT with the longest accepted mimeType: %d", st)
	}
	var done filegate.File
	if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, &done); st != http.StatusOK || done.Status != "COMPLETED" {
		t.Fatalf("complete: %d %+v", st, done)
	}
	if got := download(t, c, f.ID); !bytes.Equal(got, body) {
		t.Fatal("downloaded bytes differ")
	}
}
