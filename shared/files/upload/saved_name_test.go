package upload

import (
	"context"
	"errors"
	"testing"

	"github.com/filegate/filegate/shared/files"
)

// savedNameCases are filenames whose saved name (what a browser or a disk
// keeps: files.DownloadName) means text/html, or that carry characters
// create refuses, each declared as a PDF; code is the 400 create answers.
// Every one used to pass create (its own extension is unknown or absent)
// and download as "invoice.html".
var savedNameCases = []struct{ name, filename, code string }{
	{"trailing dot", "invoice.html.", "type_extension_mismatch"},
	{"trailing dots", "invoice.html...", "type_extension_mismatch"},
	{"trailing space", "invoice.html ", "type_extension_mismatch"},
	{"trailing dots and spaces", "invoice.html. . ", "type_extension_mismatch"},
	{"trailing no-break space", "invoice.html\u00a0", "type_extension_mismatch"},
	{"trailing ideographic space", "invoice.html\u3000", "type_extension_mismatch"},
	{"trailing thin space", "invoice.html\u2009", "type_extension_mismatch"},
	{"upper case and a trailing dot", "INVOICE.HTM.", "type_extension_mismatch"},
	{"a path before it", "docs/invoice.html.", "type_extension_mismatch"},
	{"a Windows path before it", `C:\docs\invoice.html `, "type_extension_mismatch"},
	{"long s for s (Windows upper-cases it to S)", "logo.\u017fvg", "type_extension_mismatch"},
	{"right-to-left override after it", "invoice.html\u202e", "invalid_filename"},
	{"right-to-left override disguising it", "invoice\u202elmth.pdf", "invalid_filename"},
	{"byte-order mark after it", "invoice.html\ufeff", "invalid_filename"},
	{"zero-width space inside it", "invoice.ht\u200bml", "invalid_filename"},
	{"left-to-right isolate", "invoice.\u2066html\u2069", "invalid_filename"},
	{"Arabic letter mark", "invoice.html\u061c", "invalid_filename"},
	{"soft hyphen", "invoice.ht\u00adml", "invalid_filename"},
	{"line separator", "invoice.html\u2028", "invalid_filename"},
	{"paragraph separator", "invoice.html\u2029", "invalid_filename"},
	{"a noncharacter", "invoice.html\ufffe", "invalid_filename"},
	{"a delete control", "invoice.html\x7f", "invalid_filename"},
	{"a C1 control", "invoice.html\u0085", "invalid_filename"},
}

// TestTheExtensionRuleJudgesTheSavedName: the type/extension rule judges
// the name the download carries, so no spelling of invoice.html declared as
// a PDF passes create, on either dialect (the native create and the compat
// upload), and nothing is recorded.
func TestTheExtensionRuleJudgesTheSavedName(t *testing.T) {
	ctx := context.Background()
	for _, tc := range savedNameCases {
		t.Run(tc.name, func(t *testing.T) {
			s, st, obj := newTestService()
			_, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: tc.filename, MimeType: "application/pdf", SizeBytes: int64(len(pdfBody))}})
			checkRefused(t, "native create", err, tc.code)
			_, err = s.UploadDirect(ctx, files.DirectUpload{ProjectID: project, Filename: tc.filename, ContentType: "application/pdf", Purpose: "parse", Body: pdfBody})
			checkRefused(t, "compat upload", err, tc.code)
			// Labelled application/octet-stream (what the official client
			// sends), the compat upload takes the saved name's type, which the
			// PDF bytes contradict: 422, where it used to complete as a PDF.
			_, err = s.UploadDirect(ctx, files.DirectUpload{ProjectID: project, Filename: tc.filename, ContentType: "application/octet-stream", Purpose: "parse", Body: pdfBody})
			if tc.code == "type_extension_mismatch" {
				var e *files.Error
				if !errors.As(err, &e) || e.Kind != files.KindUnprocessable || e.Code != "type_mismatch" {
					t.Errorf("compat upload as octet-stream: %v, want a 422 type_mismatch", err)
				}
			} else {
				checkRefused(t, "compat upload as octet-stream", err, tc.code)
			}
			if len(st.files) != 0 || len(obj.objects) != 0 {
				t.Errorf("refusals left %d records and %d objects", len(st.files), len(obj.objects))
			}
		})
	}
}

func checkRefused(t *testing.T, what string, err error, code string) {
	t.Helper()
	var e *files.Error
	if !errors.As(err, &e) || e.Kind != files.KindInvalid || e.Code != code {
		t.Errorf("%s: %v, want a 400 %s", what, err, code)
	}
}

// Names whose saved form is harmless keep working, and the rule judges
// exactly that form: a trailing dot or space is dropped (report.pdf. is a
// PDF), a colon (an NTFS stream separator) becomes "_".
func TestSavedNamesThatAgreeAreAccepted(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ filename, mimeType, saved string }{
		{"report.pdf.", "application/pdf", "report.pdf"},
		{"report.pdf \u3000", "application/pdf", "report.pdf"},
		{"re\u0301sume\u0301.pdf", "application/pdf", "r\u00e9sum\u00e9.pdf"}, // NFD to NFC
		{"invoice.html:.pdf", "application/pdf", "invoice.html_.pdf"},
		{"invoice.html::$DATA", "application/pdf", "invoice.html__$DATA"},
		{"Q&A: what? *now*.txt", "text/plain", "Q&A_ what_ _now_.txt"},
		{"\u0645\u0644\u0641.pdf", "application/pdf", "\u0645\u0644\u0641.pdf"}, // right-to-left letters are not controls
	} {
		s, _, _ := newTestService()
		c, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: tc.filename, MimeType: tc.mimeType, SizeBytes: 10}})
		if err != nil {
			t.Errorf("%q as %s: %v", tc.filename, tc.mimeType, err)
			continue
		}
		if got := files.DownloadName(c.File.Filename); got != tc.saved {
			t.Errorf("%q downloads as %q, want %q", tc.filename, got, tc.saved)
		}
	}
}

// Every extension a browser or the OS opens as a web document or script is
// in the table, so none of them passes as a PDF; each still takes its own
// type, or a parent the content check can judge.
func TestWebDocumentExtensionsAreKnown(t *testing.T) {
	s, _, _ := newTestService()
	for _, tc := range []struct{ filename, ownType string }{
		{"invoice.xhtml", "application/xhtml+xml"},
		{"invoice.xht", "application/xhtml+xml"},
		{"invoice.shtml", "text/html"},
		{"invoice.svgz", "image/svg+xml"},
		{"invoice.js", "text/javascript"},
		{"invoice.mjs", "text/javascript"},
		{"invoice.xsl", "text/xml"},
		{"invoice.xslt", "application/xslt+xml"},
		{"invoice.hta", "text/html"},
		{"invoice.mht", "message/rfc822"},
		{"invoice.mhtml", "multipart/related"},
	} {
		_, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: tc.filename, MimeType: "application/pdf", SizeBytes: 10}})
		checkRefused(t, tc.filename+" as a PDF", err, "type_extension_mismatch")
		if _, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: tc.filename, MimeType: tc.ownType, SizeBytes: 10}}); err != nil {
			t.Errorf("%s as %s: %v", tc.filename, tc.ownType, err)
		}
	}
}

// Every extension Windows runs when the file is opened (programs, scripts,
// shortcuts, installers) is in the table too, so "invoice.pdf.exe" cannot
// pass as a PDF, nor a program as text; each still takes its own type. A
// script is text, so text/plain (its parent, as for a .csv) stays allowed:
// the saved name shows what it is.
func TestProgramExtensionsAreKnown(t *testing.T) {
	s, _, _ := newTestService()
	for _, tc := range []struct{ filename, ownType string }{
		{"invoice.pdf.exe", "application/vnd.microsoft.portable-executable"},
		{"invoice.pdf.scr", "application/vnd.microsoft.portable-executable"},
		{"invoice.pdf.com", "application/vnd.microsoft.portable-executable"},
		{"invoice.pdf.cpl", "application/vnd.microsoft.portable-executable"},
		{"invoice.pdf.dll", "application/vnd.microsoft.portable-executable"},
		{"invoice.pdf.msi", "application/x-ms-installer"},
		{"invoice.pdf.lnk", "application/x-ms-shortcut"},
		{"invoice.pdf.jar", "application/java-archive"},
		{"invoice.pdf.bat", "application/x-bat"},
		{"invoice.pdf.cmd", "application/x-bat"},
		{"invoice.pdf.ps1", "application/x-powershell"},
		{"invoice.pdf.vbs", "text/vbscript"},
		{"invoice.pdf.vbe", "text/vbscript"},
		{"invoice.pdf.jse", "text/javascript"},
		{"invoice.pdf.wsf", "application/x-wsh"},
		{"invoice.pdf.wsh", "application/x-wsh"},
		{"invoice.pdf.reg", "text/x-ms-regedit"},
		{"invoice.pdf.url", "application/x-url"},
	} {
		others := []string{"application/pdf"}
		if !isText(tc.ownType) {
			others = append(others, "text/plain") // a program is no text
		}
		for _, other := range others {
			_, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: tc.filename, MimeType: other, SizeBytes: 10}})
			checkRefused(t, tc.filename+" as "+other, err, "type_extension_mismatch")
		}
		if _, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: tc.filename, MimeType: tc.ownType, SizeBytes: 10}}); err != nil {
			t.Errorf("%s as %s: %v", tc.filename, tc.ownType, err)
		}
	}
}
