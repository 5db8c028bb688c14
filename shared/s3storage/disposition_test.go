package s3storage

import (
	"mime"
	"regexp"
	"strings"
	"testing"

	"github.com/filegate/filegate/shared/files"
)

func TestAttachmentRoundTripsAnyFilename(t *testing.T) {
	for _, name := range []string{
		"report.pdf",
		"résumé 2026.docx",
		"日本語のファイル.txt",
		`q"uote;\back.pdf`,
		"a; filename=evil.exe",
		"../../etc/passwd",
		"\u202eexe.pdf",
		"%41%20.pdf",
	} {
		t.Run(name, func(t *testing.T) {
			v := Attachment(name)
			if strings.ContainsAny(v, "\r\n") {
				t.Fatalf("header value %q contains a line break", v)
			}
			d, params, err := mime.ParseMediaType(v)
			if err != nil || d != "attachment" || params["filename"] != name {
				t.Fatalf("%q parses to %q %q (%v)", v, d, params["filename"], err)
			}
		})
	}
}

// fallbackName is the plain filename parameter of an Attachment value, the
// one a client without RFC 8187 support saves under.
var fallbackName = regexp.MustCompile(`; filename="([^"]*)"`)

// A download carries the name the type/extension rule judged
// (files.FileType of the client's name) in both of its parameters: the
// UTF-8 filename* is that name exactly, and the ASCII fallback has the same
// extension or, where the extension is not ASCII, one no type table knows
// (it holds a "_").
func TestAttachmentCarriesTheJudgedName(t *testing.T) {
	for _, name := range []string{
		"invoice.html.", "invoice.html \u00a0", "invoice.html\u3000", "invoice.html\u202e", "INVOICE.HTM. ",
		"docs/invoice.html.", "invoice.html:.pdf", "=?utf-8?b?aW52b2ljZS5odG1s?=", "r\u00e9sum\u00e9.p\u00e9f",
		"logo.\u017fvg", "%2e%2e.html%2e", "invoice.html%00.pdf",
	} {
		checkJudgedName(t, name)
	}
}

func checkJudgedName(t *testing.T, name string) {
	t.Helper()
	saved := files.DownloadName(name)
	v := Attachment(saved)
	_, params, err := mime.ParseMediaType(v)
	if err != nil || params["filename"] != saved {
		t.Fatalf("Attachment(DownloadName(%q)) = %q: filename* parses to %q (%v), want %q", name, v, params["filename"], err, saved)
	}
	m := fallbackName.FindStringSubmatch(v)
	if m == nil {
		t.Fatalf("Attachment(%q) = %q has no plain filename", saved, v)
	}
	if ext, judged := files.FileType(m[1]), files.FileType(name); ext != judged && !strings.Contains(ext, "_") {
		t.Fatalf("%q downloads with the fallback name %q (extension %q), but the rule judged %q", name, m[1], ext, judged)
	}
	if strings.ContainsAny(m[1], "?%") {
		t.Fatalf("the fallback name %q could be decoded again (RFC 2047 or percent-encoding)", m[1])
	}
}

func FuzzAttachment(f *testing.F) {
	for _, s := range []string{"a.pdf", `"`, "é", "\u202e", ";=", "invoice.html.", "=?utf-8?q?a.html?="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v := Attachment(name)
		if !strings.HasPrefix(v, "attachment;") || strings.ContainsAny(v, "\r\n\x00") {
			t.Fatalf("Attachment(%q) = %q", name, v)
		}
		checkJudgedName(t, name)
	})
}
