package e2e

import (
	"encoding/json"
	"mime"
	"net/http"
	"regexp"
	"testing"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/samples"
)

// TestSavedNameIsJudgedOnBothDialects: the type/extension rule judges the
// name a download is saved under. invoice.html with a trailing dot, a
// trailing space or no-break space is refused as a PDF on the native create
// and the compat upload, as invoice.html is; a bidi override or a byte-order
// mark in a name is refused outright; so is the compat file part naming
// invoice.html. in RFC 2231 form (filename*). A harmless name with a trailing dot
// completes through the whole flow of each dialect (native create, PUT,
// complete; compat upload) and downloads with the normalised name in both
// Content-Disposition parameters.
func TestSavedNameIsJudgedOnBothDialects(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	pdf := samples.PDF()
	for _, tc := range []struct{ name, code string }{
		{"invoice.html.", "type_extension_mismatch"},
		{"invoice.html ", "type_extension_mismatch"},
		{"invoice.html.\u00a0.", "type_extension_mismatch"},
		{"invoice.html\u202e", "invalid_filename"},
		{"invoice.html\ufeff", "invalid_filename"},
	} {
		var e apitest.ErrorEnvelope
		if st := c.Call("POST", "/v1/files", map[string]any{"filename": tc.name, "mimeType": "application/pdf", "sizeBytes": len(pdf), "purpose": "knowledge_user"}, &e); st != http.StatusBadRequest || e.Error.Code != tc.code {
			t.Errorf("native create of %q as a PDF: %d %+v, want 400 %s", tc.name, st, e, tc.code)
		}
		st, body := compatUploadAs(t, c.Key, tc.name, "application/pdf", "parse", pdf)
		if st != http.StatusBadRequest {
			t.Errorf("compat upload of %q as a PDF: %d %s, want 400", tc.name, st, body)
		}
	}
	// The file part's name in RFC 2231 form, as some clients send it.
	if st, body := compatUploadPart(t, c.Key, `form-data; name="file"; filename*=UTF-8''invoice.html%2E%20`, "application/pdf", "parse", pdf); st != http.StatusBadRequest {
		t.Errorf("compat upload naming invoice.html. in RFC 2231 form: %d %s, want 400", st, body)
	}
	var l struct{ Data []filegate.File }
	if c.Call("GET", "/v1/files", nil, &l); len(l.Data) != 0 {
		t.Fatalf("refused uploads left %d records", len(l.Data))
	}

	// native: create, PUT, complete, download
	f := c.uploaded("report.pdf. ", "application/pdf", pdf)
	var done filegate.File
	if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, &done); st != http.StatusOK || done.Status != "COMPLETED" {
		t.Fatalf("native complete: %d %+v", st, done)
	}
	var u struct{ URL string }
	if st := c.Call("GET", "/v1/files/"+f.ID+"/url", nil, &u); st != http.StatusOK {
		t.Fatalf("native url: %d", st)
	}
	checkSavedAs(t, u.URL, "report.pdf")

	// compat: upload, content URL, download
	st, body := compatUploadAs(t, c.Key, "report.pdf.", "application/octet-stream", "parse", pdf)
	var up struct {
		ID       string `json:"id"`
		FileType string `json:"file_type"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &up) != nil || up.FileType != "pdf" {
		t.Fatalf("compat upload of report.pdf.: %d %s, want 200 with file_type pdf", st, body)
	}
	var content struct{ URL string }
	if st := c.Call("GET", "/api/v1/beta/files/"+up.ID+"/content", nil, &content); st != http.StatusOK {
		t.Fatalf("compat content: %d", st)
	}
	checkSavedAs(t, content.URL, "report.pdf")
}

var plainFilename = regexp.MustCompile(`; filename="([^"]*)"`)

// checkSavedAs downloads url and checks that both filename parameters of
// its Content-Disposition (the RFC 8187 one and the ASCII fallback) are want.
func checkSavedAs(t *testing.T, url, want string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	v := resp.Header.Get("Content-Disposition")
	d, params, err := mime.ParseMediaType(v)
	m := plainFilename.FindStringSubmatch(v)
	if resp.StatusCode != http.StatusOK || err != nil || d != "attachment" || params["filename"] != want || m == nil || m[1] != want {
		t.Errorf("download: %d, Content-Disposition %q, want attachment saved as %q", resp.StatusCode, v, want)
	}
}
