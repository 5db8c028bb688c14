package files

import (
	"errors"
	"strings"
	"testing"
)

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
		if err != nil && (!errors.As(err, &e) || e.Kind != KindInvalid || e.Field != FieldMimeType) {
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
