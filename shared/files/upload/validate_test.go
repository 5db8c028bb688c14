package upload

import (
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
