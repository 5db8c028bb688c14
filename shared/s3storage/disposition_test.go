package s3storage

import (
	"mime"
	"strings"
	"testing"
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

func FuzzAttachment(f *testing.F) {
	for _, s := range []string{"a.pdf", `"`, "é", "\u202e", ";="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v := Attachment(name)
		if !strings.HasPrefix(v, "attachment;") || strings.ContainsAny(v, "\r\n\x00") {
			t.Fatalf("Attachment(%q) = %q", name, v)
		}
	})
}
