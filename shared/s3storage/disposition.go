package s3storage

import (
	"strings"
	"unicode/utf8"
)

// Attachment is a Content-Disposition that forces a download (RFC 6266): an
// ASCII fallback filename for old clients plus filename* (RFC 8187) carrying
// the exact UTF-8 name, percent-encoded so no name can inject parameters.
func Attachment(filename string) string {
	return `attachment; filename="` + asciiFallback(filename) + `"; filename*=UTF-8''` + percentEncode(filename)
}

// asciiFallback keeps printable ASCII except quote, backslash and path
// separators, replacing everything else with "_".
func asciiFallback(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || strings.ContainsRune(`"\/%;`, r) {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "download"
	}
	return b.String()
}

// percentEncode encodes all but RFC 8187 attr-chars.
func percentEncode(name string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isAttrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isAttrChar(c byte) bool {
	return c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0)
}
