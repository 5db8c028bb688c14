package files

import (
	"errors"
	"strings"
	"testing"

	"github.com/gabriel-vasile/mimetype"
)

func TestCompatible(t *testing.T) {
	pdf := []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	html := []byte("<!DOCTYPE html><html><body><script>x()</script></body></html>")
	csv := []byte("a,b,c\n1,2,3\n4,5,6\n")
	text := []byte("just some words\n")
	json := []byte(`{"a": [1, 2, 3]}`)
	for _, tc := range []struct {
		name     string
		body     []byte
		declared string
		want     bool
	}{
		{"pdf as pdf", pdf, "application/pdf", true},
		{"png as pdf", png, "application/pdf", false},
		{"html as text", html, "text/plain", false},
		{"html as html", html, "text/html", true},
		{"html as octet-stream", html, "application/octet-stream", false},
		{"csv as csv", csv, "text/csv", true},
		{"csv as text", csv, "text/plain", true},
		{"text as csv (short CSV sniffs as text)", text, "text/csv", true},
		{"json as json", json, "application/json", true},
		{"pdf as octet-stream", pdf, "application/octet-stream", true},
		{"text as a type the sniffer does not know", text, "application/x-filegate-test", true},
		{"text as pdf", text, "application/pdf", false},
		{"random bytes as png", []byte{0, 1, 2, 3, 4, 5}, "image/png", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := compatible(mimetype.Detect(tc.body), tc.declared); got != tc.want {
				t.Fatalf("compatible(%s sniffed as %s, %s) = %v", tc.name, mimetype.Detect(tc.body), tc.declared, got)
			}
		})
	}
}

func TestNormalizeMimeType(t *testing.T) {
	longest := "application/" + strings.Repeat("x", 127)
	for in, want := range map[string]string{
		"application/pdf":           "application/pdf",
		"Text/Plain; charset=utf-8": "text/plain",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"image/svg+xml": "image/svg+xml",
		longest:         longest,
		"pdf":           "",
		"*/*":           "",
		"text/":         "",
		"":              "",
		"application/" + strings.Repeat("x", 128):    "", // RFC 6838: at most 127 characters per part
		strings.Repeat("a", 128) + "/pdf":            "",
		"application/" + strings.Repeat("x", 30<<10): "",
		"application/pd%66":                          "", // token characters RFC 6838 does not allow in a name
		"application/pdf~":                           "",
		"application/-pdf":                           "", // a name starts with a letter or digit
	} {
		got, err := NormalizeMimeType(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormalizeMimeType(%.40q) = %q, %v; want %q", in, got, err, want)
		}
		var e *Error
		if err != nil && (!errors.As(err, &e) || e.Kind != KindInvalid || e.Param != "mimeType") {
			t.Errorf("NormalizeMimeType(%.40q): error %#v, want a 400 naming mimeType", in, err)
		}
	}
}

// FuzzNormalizeMimeType: whatever is accepted is a lower-case RFC 6838
// type/subtype that fits a signed Content-Type header.
func FuzzNormalizeMimeType(f *testing.F) {
	for _, s := range []string{"application/pdf", "Text/Plain; charset=utf-8", "image/svg+xml", "*/*", "a/b/c", "application/" + strings.Repeat("x", 128)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		mt, err := NormalizeMimeType(in)
		if err != nil {
			return
		}
		typ, sub, ok := strings.Cut(mt, "/")
		if !ok || !restrictedName(typ) || !restrictedName(sub) || mt != strings.ToLower(mt) {
			t.Fatalf("NormalizeMimeType(%q) accepted %q", in, mt)
		}
	})
}
