package upload

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/gabriel-vasile/mimetype"

	"github.com/filegate/filegate/infra/samples"
	"github.com/filegate/filegate/shared/files"
)

func utf16LE(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = []byte{0xFF, 0xFE}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

const script = "<!DOCTYPE html><html><head><script>alert(document.cookie)</script></head><body>pay here</body></html>\n"

// polyglots are files that are valid as the declared binary type (or close
// enough for a sniffer) and carry active content a browser or a downstream
// tool would run.
func polyglots() []struct {
	name, declared string
	body           []byte
} {
	png := samples.Named("photo.png").Body
	gif := samples.Named("anim.gif").Body
	pdf := samples.PDF()
	return []struct {
		name, declared string
		body           []byte
	}{
		{"HTML+PDF: HTML first, %PDF- within the first KB", "application/pdf", cat([]byte(script), pdf)},
		{"PDF+HTML: HTML after the PDF", "application/pdf", cat(pdf, []byte(script))},
		{"PDF with an HTML comment body", "application/pdf", cat(pdf[:20], []byte("<html><body onload=go()>"), pdf[20:])},
		{"GIF+JS: a GIF header that opens a JS comment", "image/gif", cat([]byte("GIF89a/*"), gif[8:], []byte("*/=1;alert(document.domain);//"))},
		{"PNG+HTML: HTML after IEND", "image/png", cat(png, []byte(script))},
		{"PNG+SVG", "image/png", cat(png, []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`))},
		{"JPEG with an iframe in a comment", "image/jpeg", cat([]byte{0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x20}, []byte("<iframe src=//evil.example>"), samples.Named("photo.jpg").Body[2:])},
		{"UTF-16 HTML declared as PDF", "application/pdf", utf16LE(script, true)},
		{"PDF then UTF-16LE HTML", "application/pdf", cat(pdf, utf16LE(script, false))},
		{"PDF then UTF-16LE HTML at an odd offset", "application/pdf", cat(pdf, []byte{'x'}, utf16LE(script, false))},
		{"UTF-16 HTML declared as text", "text/plain", utf16LE(script, true)},
		{"HTML after whitespace padding, declared as text", "text/plain", cat(bytes.Repeat([]byte(" \n\t"), 600), []byte(script))},
		{"HTML after whitespace padding, declared as PDF", "application/pdf", cat([]byte("%PDF-1.4\n"), bytes.Repeat([]byte(" "), 1500), []byte(script))},
		{"XHTML with a handler stored in a zip", "application/zip", cat([]byte("PK\x03\x04"), make([]byte, 26), []byte(`<html xmlns="http://www.w3.org/1999/xhtml"><body onpageshow="go()"/></html>`))},
		{"MP3 with a javascript: URL", "audio/mpeg", cat(samples.MP3()[:20], []byte("javascript:alert(1)"), samples.MP3()[20:])},
		{"HTML declared as octet-stream", "application/octet-stream", []byte(script)},
	}
}

func TestPolyglotsAreRejected(t *testing.T) {
	for _, tc := range polyglots() {
		t.Run(tc.name, func(t *testing.T) {
			head := tc.body[:min(len(tc.body), sniffBytes)]
			if rej := checkContent(head, tc.declared); rej == nil {
				t.Fatalf("%s declared %s passed the content check", tc.name, tc.declared)
			}
		})
	}
}

// Polyglots are rejected through the real validation path too, and the
// object is deleted.
func TestPolyglotUploadIsRejectedAndDeleted(t *testing.T) {
	ctx := context.Background()
	for _, tc := range polyglots() {
		t.Run(tc.name, func(t *testing.T) {
			s, st, obj := newTestService()
			c, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "upload", MimeType: tc.declared, SizeBytes: int64(len(tc.body))}})
			if err != nil {
				t.Fatal(err)
			}
			obj.put(c.File.ObjectKey, tc.declared, tc.body)
			if done, err := s.Complete(ctx, project, c.File.ID, "", ""); err != nil || done.Status != files.StatusRejected {
				t.Fatalf("complete: %+v (%v), want the REJECTED outcome", done, err)
			}
			got, _ := st.Get(ctx, project, c.File.ID)
			if got.Status != files.StatusRejected || obj.has(c.File.ObjectKey) {
				t.Fatalf("%s, object kept %v", got.Status, obj.has(c.File.ObjectKey))
			}
		})
	}
}

// Text types may quote HTML anywhere; Markdown may even open with it.
func TestTextTypesMayQuoteHTML(t *testing.T) {
	for _, tc := range []struct {
		name, declared string
		body           string
	}{
		{"plain text quoting a script", "text/plain", "To reproduce, paste this:\n" + script},
		{"CSV with an HTML cell", "text/csv", "id,snippet\n1,\"<script>alert(1)</script>\"\n2,\"<b>bold</b>\"\n"},
		{"Markdown with an HTML block", "text/markdown", "# Title\n\n<div><script>x()</script></div>\n"},
		{"Markdown opening with HTML", "text/markdown", "<p align=\"center\"><img src=\"logo.png\"></p>\n\n# Title\n"},
		{"JSON holding HTML", "application/json", `{"html": "<script>alert(1)</script>"}`},
		{"an email with an HTML body", "message/rfc822", string(samples.Named("mail.eml").Body)},
		{"captions with markup", "text/vtt", string(samples.Named("captions.vtt").Body)},
		{"UTF-16 text quoting HTML", "text/plain", string(utf16LE("quoted: "+script, true))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rej := checkContent([]byte(tc.body), tc.declared); rej != nil {
				t.Fatalf("%s declared %s: %+v", tc.name, tc.declared, rej)
			}
		})
	}
}

func TestDeclaredTypeMustAgreeWithExtension(t *testing.T) {
	s, _, _ := newTestService()
	for _, tc := range []struct {
		filename, mimeType string
		ok                 bool
	}{
		{"invoice.html", "application/pdf", false},
		{"photo.jpg", "image/png", false},
		{"report.pdf", "text/html", false},
		{"report.pdf", "application/pdf", true},
		{"REPORT.PDF", "application/x-pdf", true}, // an alias of the same type
		{"report.pdf", "application/octet-stream", true},
		{"data.csv", "text/plain", true},              // a parent
		{"notes.txt", "text/csv", true},               // a child
		{"letter.docx", "application/zip", true},      // a parent container
		{"archive.zip", "application/epub+zip", true}, // a child
		{"macro.docm", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true},
		{"notes.md", "text/plain", true},
		{"call.m4a", "audio/x-m4a", true},
		{"call.webm", "audio/webm", true},
		{"call.mp4", "audio/mp4", true},
		{"page.html", "text/plain", true}, // agrees; the content check still refuses HTML as text
		{"no-extension", "application/pdf", true},
		{"unknown.xyz", "application/pdf", true},
	} {
		_, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: tc.filename, MimeType: tc.mimeType, SizeBytes: 10}})
		var e *files.Error
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s as %s: %v, want accepted", tc.filename, tc.mimeType, err)
		case !tc.ok && (!errors.As(err, &e) || e.Kind != files.KindInvalid || e.Field != files.FieldMimeType || !strings.Contains(e.Message, tc.filename)):
			t.Errorf("%s as %s: %#v, want a 400 naming mimeType and the file", tc.filename, tc.mimeType, err)
		}
	}
}

// llamaCloudPurposes are the purposes LlamaCloud documents.
var llamaCloudPurposes = []string{"user_data", "parse", "extract", "classify", "split", "sheet", "agent_app"}

// notParsed are sample types LlamaParse does not list; only the purposes
// that take any type accept them.
var notParsed = map[string]bool{"captions.vtt": true, "captions.srt": true, "mail.eml": true}

// Every LlamaCloud purpose accepts every type LlamaCloud's parsers read, and
// a genuine file of each, declared as its extension says, completes through
// the real validation path (size, purpose, sniffed type, active content).
func TestEveryPurposeCompletesAGenuineFileOfEachAcceptedType(t *testing.T) {
	ctx := context.Background()
	for _, purpose := range llamaCloudPurposes {
		for _, sample := range samples.All() {
			anyType := purpose == "user_data" || purpose == "agent_app"
			if notParsed[sample.Filename] && !anyType {
				continue
			}
			t.Run(purpose+"/"+sample.Filename, func(t *testing.T) {
				s, st, obj := newTestService()
				declared := TypeByExtension(sample.Filename)
				if declared == "" {
					t.Fatalf("the extension table has no type for %s", sample.Filename)
				}
				c, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: sample.Filename, MimeType: declared, SizeBytes: int64(len(sample.Body)), Purpose: purpose}})
				if err != nil {
					t.Fatalf("create %s (%s) for %s: %v", sample.Filename, declared, purpose, err)
				}
				obj.put(c.File.ObjectKey, declared, sample.Body)
				if _, err := s.Complete(ctx, project, c.File.ID, "", ""); err != nil {
					t.Fatalf("complete %s (%s, sniffed %s): %v", sample.Filename, declared, sniffed(sample.Body), err)
				}
				if got, _ := st.Get(ctx, project, c.File.ID); got.Status != files.StatusCompleted {
					t.Fatalf("status %s", got.Status)
				}
			})
		}
	}
}

func TestSamplesCoverEveryFamily(t *testing.T) {
	want := []string{"documents", "presentations", "spreadsheets", "images", "audio", "ebooks", "web", "text"}
	if got := samples.Families(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sample families %v, want %v", got, want)
	}
}

func sniffed(b []byte) string { return mimetype.Detect(b).String() }

// BenchmarkCheckContent is the content check on a full window of a genuine
// binary file, where every marker must be searched for and none is found.
func BenchmarkCheckContent(b *testing.B) {
	body := samples.Named("photo.jpg").Body
	head := make([]byte, 0, sniffBytes)
	for len(head) < sniffBytes {
		head = append(head, body...)
	}
	head = head[:sniffBytes]
	b.ReportAllocs()
	for b.Loop() {
		if rej := checkContent(head, "image/jpeg"); rej != nil {
			b.Fatal(rej)
		}
	}
}

// FuzzCheckContent: any bytes, declared as any of a few types, are judged
// without a panic, and a declared binary type never passes with a marker in
// the window.
func FuzzCheckContent(f *testing.F) {
	// A few genuine files besides the polyglots: make test gives each fuzzer
	// 3 s, baseline coverage of every seed included.
	for _, name := range []string{"report.pdf", "letter.docx", "photo.png", "call.mp3", "table.csv"} {
		s := samples.Named(name)
		f.Add(s.Body, TypeByExtension(s.Filename))
	}
	for _, p := range polyglots() {
		f.Add(p.body, p.declared)
	}
	f.Fuzz(func(t *testing.T, body []byte, declared string) {
		head := body[:min(len(body), sniffBytes)]
		rej := checkContent(head, declared)
		if rej == nil && !isText(declared) && activeMarker(head) != "" {
			t.Fatalf("declared %q passed with marker %q", declared, activeMarker(head))
		}
	})
}
