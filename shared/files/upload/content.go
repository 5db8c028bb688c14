package upload

import (
	"bytes"
	"fmt"
	"unicode/utf16"

	"github.com/gabriel-vasile/mimetype"

	"github.com/filegate/filegate/shared/files"
)

// checkContent is the content check every upload path shares (SECURITY.md),
// on the first sniffBytes of the object (the window):
//   - the window must sniff to a type compatible with the declared one, and
//     active content (HTML, SVG, XHTML, script) that a sniffer recognises at
//     its start must be declared as itself;
//   - a declared binary type (PDF, images, audio/video, office documents,
//     archives, anything not text) must carry no active content anywhere in
//     the window (markup judged by its structure, see activeStructure, or
//     script), read as bytes and as UTF-16 in either byte order.
//
// Text types (text/*, message/rfc822, JSON, XML, CSV, Markdown, captions) may
// quote HTML: they are served as what they are, and quoting markup is what
// they are for. Bytes past the window are never read (SECURITY.md).
func checkContent(head []byte, declared string) *files.Rejection {
	detected := mimetype.Detect(head)
	if !compatible(detected, declared) {
		return typeMismatch(detected, declared)
	}
	if text := utf16Text(head); text != nil {
		// The sniffer reads UTF-16 as plain text; judge what it decodes to.
		if d := mimetype.Detect(text); !compatible(d, declared) {
			return typeMismatch(d, declared)
		}
	}
	if isText(declared) {
		return nil
	}
	if marker := activeMarker(head); marker != "" {
		return &files.Rejection{Code: "active_content", Message: fmt.Sprintf("the first %d bytes contain active content (%s), which a %s file must not carry", sniffBytes, marker, declared)}
	}
	return nil
}

func typeMismatch(detected *mimetype.MIME, declared string) *files.Rejection {
	return &files.Rejection{Code: "type_mismatch", Message: fmt.Sprintf("the content looks like %s, %s was declared", essence(detected.String()), declared)}
}

// activeTypes are types a browser would execute; they must be declared as
// themselves, never hidden under a parent type such as text/plain.
var activeTypes = []string{"text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript", "text/xml"}

func isActive(t string) bool {
	m := mimetype.Lookup(t)
	for _, a := range activeTypes {
		if t == a || m != nil && m.Is(a) {
			return true
		}
	}
	return false
}

// compatible reports whether content the sniffer identified as detected may
// be stored as declared. Types are compared by lineage (the type and its
// ancestors in the sniffer's tree, see lineage):
//   - the same type (or an alias or equivalent of it);
//   - a more specific type than declared (CSV declared as text/plain, DOCX
//     as application/zip) unless it is active content;
//   - a less specific one (a ZIP sniff of a declared DOCX, an OLE sniff of a
//     declared XLS, a text sniff of a declared CSV): the sniffer saw too
//     little to tell, and nothing contradicts the declaration;
//   - declared Markdown that opens with HTML (HTML blocks are Markdown);
//   - anything but active content declared as application/octet-stream;
//   - a generic sniff (text or nothing) of a type the sniffer does not know.
func compatible(detected *mimetype.MIME, declared string) bool {
	got, want := lineage(essence(detected.String())), lineage(declared)
	switch {
	case got[0] == want[0]:
		return true
	case contains(got[1:], want[0]), want[0] == rootType:
		return !isActive(got[0])
	case contains(want[1:], got[0]):
		return true
	case want[0] == "text/markdown" && got[0] == "text/html":
		return true
	case !sniffable(declared) && (got[0] == "text/plain" || got[0] == rootType):
		return true
	}
	return false
}

// utf16Text decodes head to UTF-8 when it starts with a UTF-16 byte-order
// mark, else returns nil.
func utf16Text(head []byte) []byte {
	if len(head) < 2 {
		return nil
	}
	var be bool
	switch {
	case head[0] == 0xFF && head[1] == 0xFE:
	case head[0] == 0xFE && head[1] == 0xFF:
		be = true
	default:
		return nil
	}
	units := make([]uint16, 0, len(head)/2)
	for i := 2; i+1 < len(head); i += 2 {
		if be {
			units = append(units, uint16(head[i])<<8|uint16(head[i+1]))
		} else {
			units = append(units, uint16(head[i+1])<<8|uint16(head[i]))
		}
	}
	return []byte(string(utf16.Decode(units)))
}

// scriptTokens are script outside markup (a GIF that is also a script, a
// script declared as application/octet-stream): fragments that mean script
// wherever they appear.
var scriptTokens = []string{
	"document.cookie", "document.write", "document.domain", "document.location", "window.location",
	"alert(", "eval(", "fetch(", "atob(", "import(", "fromcharcode(", "xmlhttprequest", "onerror=", "onload=",
}

// activeMarker describes the first active content in head (activeStructure,
// or a script fragment), read as bytes (UTF-8 and any ASCII-compatible
// encoding) and as UTF-16 in both byte orders from an even and an odd
// offset (with or without a byte-order mark), case-insensitively; "" if none.
func activeMarker(head []byte) string {
	views := [][]byte{asciiLower(head)}
	for _, o := range []int{0, 1} {
		views = append(views, utf16ASCII(head, o, false), utf16ASCII(head, o, true))
	}
	for _, v := range views {
		if m := activeStructure(v); m != "" {
			return m
		}
		for _, tok := range scriptTokens {
			if bytes.Contains(v, []byte(tok)) {
				return "script (" + tok + ")"
			}
		}
	}
	return ""
}

// utf16ASCII reads b from offset as UTF-16 code units and keeps the ASCII
// ones (a zero high byte), lower-cased; any other unit becomes 0xFF, which
// spells no marker (the structure scan reads it as some non-ASCII name
// character), so chance byte pairs in binary data do not spell markers.
func utf16ASCII(b []byte, offset int, bigEndian bool) []byte {
	out := make([]byte, 0, len(b)/2)
	for i := offset; i+1 < len(b); i += 2 {
		lo, hi := b[i], b[i+1]
		if bigEndian {
			lo, hi = hi, lo
		}
		switch {
		case hi != 0 || lo >= 0x80:
			lo = 0xFF
		case lo >= 'A' && lo <= 'Z':
			lo += 'a' - 'A'
		}
		out = append(out, lo)
	}
	return out
}

// asciiLower lower-cases ASCII letters only: binary data must keep its length.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
