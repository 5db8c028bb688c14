package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/filegate/filegate/infra/apitest"
)

// send makes one raw request with exactly these headers.
func send(t *testing.T, method, url string, headers map[string]string) *http.Response {
	t.Helper()
	resp, _, err := apitest.Send(context.Background(), nil, method, url, headers, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestBucketCORSFollowsTheTemplate: a browser page on an allowed origin may
// PUT to a presigned URL and read the download (the preflight is answered
// from template.yaml's bucket rules); any other origin, including the
// template's default that the stack's options replaced, is refused.
func TestBucketCORSFollowsTheTemplate(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	f := c.Create("page.pdf", "application/pdf", len(pdfBytes), "")
	preflight := func(origin string) *http.Response {
		return send(t, http.MethodOptions, f.UploadURL, map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type,if-none-match",
		})
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
	c.WaitStatus(f.ID, "COMPLETED")
	var u struct{ URL string }
	c.Call("GET", "/v1/files/"+f.ID+"/url", nil, &u)
	for origin, want := range map[string]string{testOrigin: testOrigin, "https://evil.example": ""} {
		resp := send(t, http.MethodGet, u.URL, map[string]string{"Origin": origin})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != want {
			t.Errorf("download from %s: %d, Access-Control-Allow-Origin %q, want %q", origin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), want)
		}
	}
}
