package e2e

import (
	"io"
	"net/http"
	"testing"
)

// TestBucketCORSFollowsTheTemplate: a browser page on an allowed origin may
// PUT to a presigned URL and read the download (the preflight is answered
// from template.yaml's bucket rules); any other origin, including the
// template's default that the stack's options replaced, is refused.
func TestBucketCORSFollowsTheTemplate(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	f := c.create("page.pdf", "application/pdf", len(pdfBytes), "")
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, f.UploadURL, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "PUT")
		req.Header.Set("Access-Control-Request-Headers", "content-type,if-none-match")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := preflight(testOrigin); resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != testOrigin || resp.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Errorf("preflight from the allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	for _, origin := range []string{"https://evil.example", "https://example.com"} {
		if resp := preflight(origin); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from %s: %d %v, want 403", origin, resp.StatusCode, resp.Header)
		}
	}
	if st := put(t, f.UploadURL, f.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Fatalf("PUT: %d", st)
	}
	c.waitStatus(f.ID, "COMPLETED")
	var u struct{ URL string }
	c.call("GET", "/v1/files/"+f.ID+"/url", nil, &u)
	for origin, want := range map[string]string{testOrigin: testOrigin, "https://evil.example": ""} {
		req, _ := http.NewRequest(http.MethodGet, u.URL, nil)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != want {
			t.Errorf("download from %s: %d, Access-Control-Allow-Origin %q, want %q", origin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), want)
		}
	}
}
