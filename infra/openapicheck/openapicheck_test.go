package openapicheck

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The documents load and validate, and the transport catches a response
// that drifts from them: an undocumented field, a wrong type, an
// undocumented route; a matching one passes.
func TestTransportCatchesDrift(t *testing.T) {
	answers := map[string]string{
		"/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894":                `{"id":"fil_06H0EN1ZAP202AP5WPNPHXF894","status":"PENDING","filename":"a","mimeType":"text/plain","sizeBytes":1,"purpose":null,"createdAt":"2026-01-01T00:00:00Z","completedAt":null,"expiresAt":null,"retentionExpiresAt":null}`,
		"/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF895":                `{"id":"fil_06H0EN1ZAP202AP5WPNPHXF895","status":"PENDING","filename":"a","mimeType":"text/plain","sizeBytes":1,"purpose":null,"createdAt":"2026-01-01T00:00:00Z","completedAt":null,"expiresAt":null,"retentionExpiresAt":null,"extra":1}`,
		"/api/v1/beta/files/0193a1b2-0000-7000-8000-000000000001": `{"id":"0193a1b2-0000-7000-8000-000000000001","name":"a","project_id":"0193a1b2-0000-7000-8000-000000000002","file_size":"big"}`,
		"/v1/nothing": `{}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(answers[r.URL.Path]))
	}))
	defer srv.Close()
	c, err := Load("../..", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: c.Transport(nil)}
	for path := range answers {
		res, err := hc.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	bad, checked := c.Violations()
	if checked != 4 || len(bad) != 3 {
		t.Fatalf("checked %d, violations %d: %s; want 4 and 3", checked, len(bad), strings.Join(bad, "\n"))
	}
	for _, want := range []string{"F895", "file_size", "/v1/nothing"} {
		if !strings.Contains(strings.Join(bad, "\n"), want) {
			t.Errorf("no violation for %s in:\n%s", want, strings.Join(bad, "\n"))
		}
	}
}
