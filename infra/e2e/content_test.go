package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/samples"
)

// htmlThenPDF is the polyglot of the issue: an HTML page with a script, then
// a PDF whose %PDF- header lies within the first KB.
var htmlThenPDF = append([]byte("<!DOCTYPE html><html><head><script>alert(document.cookie)</script></head><body>Invoice</body></html>\n"), samples.PDF()...)

// TestDeclaredTypeMustMatchTheExtensionOnBothDialects: invoice.html declared
// as a PDF is a 400 at create, on the native create and the compat upload.
func TestDeclaredTypeMustMatchTheExtensionOnBothDialects(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	var e apitest.ErrorEnvelope
	if st := c.Call("POST", "/v1/files", map[string]any{"filename": "invoice.html", "mimeType": "application/pdf", "sizeBytes": len(htmlThenPDF), "purpose": "knowledge_user"}, &e); st != http.StatusBadRequest || !strings.Contains(e.Error.Message, "invoice.html") {
		t.Errorf("native create of invoice.html as a PDF: %d %+v, want 400", st, e)
	}
	st, body := compatUploadAs(t, c.Key, "invoice.html", "application/pdf", "parse", htmlThenPDF)
	if st != http.StatusBadRequest || !bytes.Contains(body, []byte("invoice.html")) {
		t.Errorf("compat upload of invoice.html as a PDF: %d %s, want 400", st, body)
	}
	// Rows, not the (eventually consistent) count: a record would show here.
	var l struct{ Data []filegate.File }
	if c.Call("GET", "/v1/files", nil, &l); len(l.Data) != 0 {
		t.Errorf("refused uploads left %d records", len(l.Data))
	}
}

// TestPolyglotsAreRejectedOnBothDialects: active content hidden in a declared
// binary type is REJECTED with its object deleted (native), or refused
// without a trace (compat).
func TestPolyglotsAreRejectedOnBothDialects(t *testing.T) {
	t.Parallel()
	png := samples.Named("photo.png").Body
	gif := samples.Named("anim.gif").Body
	for _, tc := range []struct {
		name, mimeType string
		body           []byte
	}{
		{"invoice.pdf", "application/pdf", htmlThenPDF},
		{"scan.pdf", "application/pdf", append(samples.PDF(), "<html><body><script>alert(1)</script></body></html>"...)},
		{"photo.png", "image/png", append(append([]byte{}, png...), "<html><script>alert(1)</script></html>"...)},
		{"anim.gif", "image/gif", append(append([]byte("GIF89a/*"), gif[8:]...), "*/=1;alert(document.domain);//"...)},
		// markup judged by its structure: no tag list names these
		{"details.pdf", "application/pdf", append(samples.PDF(), "<details open ontoggle=go()>"...)},
		{"autofocus.pdf", "application/pdf", append(samples.PDF(), "<x onfocus=go() autofocus>"...)},
		{"link.pdf", "application/pdf", append(samples.PDF(), `<a href="&#106;ava&Tab;script&colon;go()">`...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTenant(t)
			f := c.Create(tc.name, tc.mimeType, len(tc.body), "knowledge_user") // the native API's parsed purpose
			if st := put(t, f.UploadURL, f.UploadHeaders, tc.body); st != http.StatusOK {
				t.Fatalf("PUT: %d", st)
			}
			got := c.WaitStatus(f.ID, "REJECTED")
			if got.Rejection == nil || got.Rejection.Code != "active_content" {
				t.Errorf("native: rejection %+v, want active_content", got.Rejection)
			}
			waitObjectGone(t, c.ProjectID, f.ID)

			st, body := compatUploadAs(t, c.Key, tc.name, tc.mimeType, "parse", tc.body)
			if st != http.StatusUnprocessableEntity || !bytes.Contains(body, []byte("active content")) {
				t.Errorf("compat: %d %s, want 422 naming active content", st, body)
			}
			var page struct{ Items []any }
			if st := c.Call("GET", "/api/v1/beta/files", nil, &page); st != http.StatusOK || len(page.Items) != 0 {
				t.Errorf("compat list after refused uploads: %d, %d items", st, len(page.Items))
			}
		})
	}
}

// TestGenuineFilesOfEachFamilyUploadOnBothDialects runs a representative
// genuine file of each family through the compat upload (declared by its
// extension, as the official client does, or by its exact type) and the
// native presigned flow; all complete.
func TestGenuineFilesOfEachFamilyUploadOnBothDialects(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"report.pdf", "letter.docx", "letter.doc", "story.odt", "deck.pptx", "sheet.xlsx", "table.csv",
		"photo.png", "photo.jpg", "photo.webp", "scan.tiff", "logo.svg", "call.mp3", "call.wav", "call.m4a",
		"call.webm", "book.epub", "page.html", "badges.md", "data.json", "plain.txt",
		// markup in the window that runs nothing
		"report-pdfa.pdf", "photo-xmp.jpg", "photo-xmp.png", "book-stored.epub", "letter-stored.docx",
	} {
		s := samples.Named(name)
		t.Run(name, func(t *testing.T) {
			c := newTenant(t)
			st, body := compatUpload(t, c.Key, s.Filename, "parse", s.Body)
			var up struct {
				ID       string `json:"id"`
				FileType string `json:"file_type"`
			}
			if st != http.StatusOK || json.Unmarshal(body, &up) != nil || up.ID == "" {
				t.Fatalf("compat upload: %d %s", st, body)
			}
			f := c.Create(s.Filename, typeOf(t, s.Filename), len(s.Body), "knowledge_user") // the native API's parsed purpose
			if st := put(t, f.UploadURL, f.UploadHeaders, s.Body); st != http.StatusOK {
				t.Fatalf("PUT: %d", st)
			}
			var done filegate.File
			if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, &done); st != http.StatusOK || done.Status != "COMPLETED" {
				t.Fatalf("native complete: %d %+v", st, done)
			}
		})
	}
}

// typeOf is the type a client declares for name: the one its extension means.
func typeOf(t *testing.T, name string) string {
	t.Helper()
	byExt := map[string]string{
		"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"doc": "application/msword", "odt": "application/vnd.oasis.opendocument.text",
		"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
		"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv",
		"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "tiff": "image/tiff", "svg": "image/svg+xml",
		"mp3": "audio/mpeg", "wav": "audio/wav", "m4a": "audio/mp4", "webm": "audio/webm", "epub": "application/epub+zip",
		"html": "text/html", "md": "text/markdown", "json": "application/json", "txt": "text/plain",
	}
	ext := name[strings.LastIndexByte(name, '.')+1:]
	if byExt[ext] == "" {
		t.Fatalf("no type for %s", name)
	}
	return byExt[ext]
}
