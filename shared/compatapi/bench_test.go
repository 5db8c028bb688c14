package compatapi

// Request-decoding benchmarks of the compat dialect (run by `make bench`):
// the GET listing's query string, the deprecated POST /query body, a page
// token, and a small multipart upload form.

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"testing"

	"github.com/filegate/filegate/shared/files"
)

const benchProject = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42"

func BenchmarkDecodeListQuery(b *testing.B) {
	const raw = "project_id=" + benchProject + "&file_name=meeting-notes.txt&page_size=20&order_by=name&expand=download_url" +
		"&file_ids=fil_06H0EN1ZAP202AP5WPNPHXF894,fil_06H0EN1ZAP202AP5WPNPHXF895&file_ids[]=fil_06H0EN1ZAP202AP5WPNPHXF896"
	b.ReportAllocs()
	for b.Loop() {
		q, err := url.ParseQuery(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := decodeListQuery(q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeQueryBody(b *testing.B) {
	body := []byte(`{"filter":{"project_id":"` + benchProject + `","file_name":"meeting-notes.txt","external_file_id":"crm-42","file_ids":["fil_06H0EN1ZAP202AP5WPNPHXF894"]},"order_by":"created_at","page_size":100}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeQueryBody(bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPageToken(b *testing.B) {
	query := fingerprint(files.OrderNameAsc, files.Filter{FileName: "meeting-notes.txt"})
	cursor := files.Cursor("meeting-notes.txt\x00fil_06H0EN1ZAP202AP5WPNPHXF894")
	b.ReportAllocs()
	for b.Loop() {
		tok := encodeToken(benchProject, query, cursor)
		if _, err := decodeToken(tok, benchProject, query); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeUpload(b *testing.B) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "fox.txt")
	if err != nil {
		b.Fatal(err)
	}
	_, _ = fw.Write([]byte("The quick brown fox jumps over the lazy dog"))
	_ = mw.WriteField("purpose", "user_data")
	_ = mw.WriteField("external_file_id", "crm-42")
	_ = mw.Close()
	body, contentType := buf.Bytes(), mw.FormDataContentType()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeUpload(contentType, body); err != nil {
			b.Fatal(err)
		}
	}
}
