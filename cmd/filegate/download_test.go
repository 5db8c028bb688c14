package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// digestAPI serves one COMPLETED file whose File carries digest (a JSON
// fragment such as `"sha256":"…"`), and its bytes.
func digestAPI(t *testing.T, digest string, body []byte) string {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/files/fil_1":
			fmt.Fprintf(w, `{"id":"fil_1","status":"COMPLETED","filename":"a.bin","mimeType":"application/octet-stream","sizeBytes":%d%s}`, len(body), digest)
		case "/v1/files/fil_1/url":
			fmt.Fprintf(w, `{"url":%q,"expiresAt":"2030-01-01T00:00:00Z"}`, srv.URL+"/bytes")
		case "/bytes":
			_, _ = w.Write(body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// download checks the bytes against the File's digest: the verified sha256
// when there is one, else the uploader's claimedSha256 (a multipart file's),
// saying which; a mismatch with either is exit 4, since the bytes are not
// the ones uploaded. Without a digest it says nothing was verified.
func TestDownloadVerifiesAgainstTheDigestItHas(t *testing.T) {
	body := []byte("the uploaded bytes\n")
	sum := sha256.Sum256(body)
	right, wrong := hex.EncodeToString(sum[:]), strings.Repeat("0", 64)
	for _, tc := range []struct {
		name, digest string
		code         int
		against      string // the JSON line's verifiedAgainst
		says         string // in the text line, or the error
	}{
		{"verified sha256", `,"sha256":"` + right + `"`, exitOK, "sha256", "verified"},
		{"claimed sha256 that matches", `,"claimedSha256":"` + right + `"`, exitOK, "claimedSha256", "claimed"},
		{"claimed sha256 that does not", `,"claimedSha256":"` + wrong + `"`, exitIntegrity, "", "claimed"},
		{"sha256 that does not match", `,"sha256":"` + wrong + `"`, exitIntegrity, "", "checksum mismatch"},
		{"no digest", ``, exitOK, "", "no recorded checksum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := digestAPI(t, tc.digest, body)
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := runCLI(t, "download", "--api-url", api, "--api-key", "k", "-o", out, "fil_1")
			if code != tc.code || !strings.Contains(stdout+stderr, tc.says) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d saying %q", code, stdout, stderr, tc.code, tc.says)
			}
			if code != exitOK {
				return
			}
			_, stdout, _ = runCLI(t, "download", "--json", "--api-url", api, "--api-key", "k", "-o", out, "fil_1")
			var line struct {
				Verified        bool   `json:"verified"`
				VerifiedAgainst string `json:"verifiedAgainst"`
			}
			if err := json.Unmarshal([]byte(stdout), &line); err != nil || line.VerifiedAgainst != tc.against || line.Verified != (tc.against != "") {
				t.Errorf("--json printed %q; want verifiedAgainst %q", stdout, tc.against)
			}
		})
	}
}
