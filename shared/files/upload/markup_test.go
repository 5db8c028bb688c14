package upload

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/filegate/filegate/infra/samples"
)

// activeSpellings are markup a browser runs, in the spellings the check must
// see through: any element with an event-handler attribute, however the
// attributes are separated; the elements that run script or embed a
// document, namespaced or not; javascript: URLs behind character references
// (numeric and named, with and without semicolons, zero-padded) and the tab,
// line feed and carriage return a URL parser ignores inside a scheme. None
// uses a script fragment (alert(, eval(, …) the check also knows.
var activeSpellings = []struct{ name, markup string }{
	{"details ontoggle", `<details open ontoggle=go()>`},
	{"onfocus with autofocus", `<x onfocus=go() autofocus>`},
	{"slash-separated attributes", `<x/onfocus=go()/autofocus>`},
	{"slash after the tag name", `<p/onpointerover=go()>`},
	{"upper case, spaces around =", `<X ONMOUSEOVER = "go()">`},
	{"line feeds around =", "<x\nonclick\n=\ngo()>"},
	{"tab and form feed separators", "<x\tonfocusin=go()\ftabindex=1>"},
	{"a quoted value holding <", `<x title="<" onauxclick='go()'>`},
	{"no space after a quoted value", `<x a="b"onclick=go()>`},
	{"after an unquoted value", `<x a=b onclick=go()>`},
	{"namespaced element", `<h:a onclick="go()">`},
	{"any element name", `<b onanimationstart=go() style=animation:x>`},
	{"non-ASCII element name (XML)", "<\u00e9l\u00e9ment onclick=\"go()\"/>"},
	{"SVG animating an event attribute", `<set attributeName="onmouseover" to="go()"/>`},
	{"script", `<script>go()</script>`},
	{"namespaced script", `<svg:script>go()</svg:script>`},
	{"script split by a second <", `<scr<script>go()</script>`},
	{"namespaced iframe", `<h:iframe src=x>`},
	{"embed", "<EMBED\nsrc=x>"},
	{"object", `<object data=x>`},
	{"frameset", `<frameset>`},
	{"portal", `<portal src=x>`},
	{"SVG handler", `<handler type="application/ecmascript">go()</handler>`},
	{"XSLT stylesheet", `<?xml-stylesheet type="text/xsl" href="#t"?>`},
	{"DTD entity", `<!DOCTYPE x [<!ENTITY j "&#106;avascript&#58;">]>`},
	{"javascript: plain, mixed case", `<a href="JaVaScRiPt:go()">`},
	{"javascript: first letter decimal", `<a href="&#106;avascript:go()">`},
	{"javascript: all hex", `<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;go()">`},
	{"javascript: no semicolons", `<a href="&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58go()">`},
	{"javascript: zero-padded, upper-case X", `<a href="&#0000106;&#X000061;vascript:go()">`},
	{"javascript: named colon", `<a href="javascript&colon;go()">`},
	{"javascript: named tab", `<a href="java&Tab;script:go()">`},
	{"javascript: named newline", `<a href="java&NewLine;script:go()">`},
	{"javascript: tab reference", `<a href="java&#x09;script:go()">`},
	{"javascript: line feed reference", `<a href="java&#10;script:go()">`},
	{"javascript: carriage return reference", `<a href="java&#13;script:go()">`},
	{"javascript: raw tab", "<a href=\"java\tscript:go()\">"},
	{"javascript: raw line feed", "<a href=\"java\nscript:go()\">"},
	{"javascript: raw carriage return", "<a href=\"java\rscript:go()\">"},
	{"javascript: in a form action", `<form action=jav&#97;script:go()>`},
	{"vbscript:", `<a href="vbscript&colon;go">`},
}

// encodings are how a browser may read markup: UTF-8, and UTF-16 with a
// byte-order mark in either order.
var encodings = []struct {
	name   string
	encode func(string) []byte
}{
	{"UTF-8", func(s string) []byte { return []byte(s) }},
	{"UTF-16LE with BOM", func(s string) []byte { return utf16Of(s, false) }},
	{"UTF-16BE with BOM", func(s string) []byte { return utf16Of(s, true) }},
}

func utf16Of(s string, bigEndian bool) []byte {
	b := []byte{0xFF, 0xFE}
	if bigEndian {
		b = []byte{0xFE, 0xFF}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

// TestActiveContentIsJudgedByStructure: every spelling is active content
// as a document of its own in each encoding, and inside a PDF's window
// (UTF-8, and UTF-16 at either alignment) it makes a declared PDF REJECTED.
func TestActiveContentIsJudgedByStructure(t *testing.T) {
	pdf := samples.PDF()
	for _, tc := range activeSpellings {
		t.Run(tc.name, func(t *testing.T) {
			doc := "<html><body>Invoice " + tc.markup + " due</body></html>"
			for _, enc := range encodings {
				if m := activeMarker(enc.encode(doc)); m == "" {
					t.Errorf("%s: %q is not seen as active content", enc.name, doc)
				}
			}
			png, jpg := samples.Named("photo.png").Body, samples.Named("photo.jpg").Body
			for _, c := range []struct {
				where, declared string
				body            []byte
			}{
				{"UTF-8 after the PDF", "application/pdf", cat(pdf, []byte(tc.markup))},
				{"UTF-16LE after the PDF", "application/pdf", cat(pdf, utf16Of(tc.markup, false)[2:])},
				{"UTF-16BE after the PDF, odd offset", "application/pdf", cat(pdf, []byte{'\n'}, utf16Of(tc.markup, true)[2:])},
				{"UTF-8 at the window's end", "application/pdf", cat(pdf, bytes.Repeat([]byte{' '}, sniffBytes-len(pdf)-len(tc.markup)), []byte(tc.markup))},
				{"UTF-8 inside the PDF, before its xref", "application/pdf", cat(pdf[:len(pdf)/2], []byte(tc.markup), pdf[len(pdf)/2:])},
				{"UTF-8 in a JPEG comment", "image/jpeg", cat([]byte{0xFF, 0xD8, 0xFF, 0xFE, 0x01, 0x00}, []byte(tc.markup), jpg[2:])},
				{"UTF-8 after a PNG", "image/png", cat(png, []byte(tc.markup))},
			} {
				head := c.body[:min(len(c.body), sniffBytes)]
				if rej := checkContent(head, c.declared); rej == nil || rej.Code != "active_content" {
					t.Errorf("%s, declared %s: %+v, want active_content", c.where, c.declared, rej)
				}
			}
		})
	}
}

// inertMarkup is markup that runs nothing: inside a binary file's window it
// is no reason to refuse the file (a stored EPUB chapter, XMP metadata).
var inertMarkup = []string{
	`<html xmlns="http://www.w3.org/1999/xhtml"><head><title>One</title><link rel="stylesheet" href="s.css"/></head><body><p class="one">online <a href="c2.xhtml#n1">1</a></p><img src="i.jpg" alt=""/></body></html>`,
	`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><a href="https://example.com/"><rect width="2" height="2"/></a></svg>`,
	`<x onclick>no value, no handler</x>`,
	`<x data-onclick="go()" xon="1" on="1" one-two="3">`,
	`<x title="onclick=go()">`,
	`&lt;script&gt; quoted, and javascript without its colon`,
	`</x onclick=go()>`,
	`<x &#111;nclick=go()>`,
}

// TestInertMarkupPasses: markup with no handler, no script-bearing element
// and no script URL does not make a binary file active content.
func TestInertMarkupPasses(t *testing.T) {
	for _, m := range inertMarkup {
		body := cat(samples.PDF(), []byte(m))
		if rej := checkContent(body, "application/pdf"); rej != nil {
			t.Errorf("%q inside a PDF: %+v", m, rej)
		}
	}
}

// TestGenuineFilesWithMarkupInTheirWindowPass: real files that carry
// markup in their first bytes (XMP metadata in a PDF/A, a JPEG or a PNG; an
// EPUB or a DOCX whose parts are stored uncompressed) complete.
func TestGenuineFilesWithMarkupInTheirWindowPass(t *testing.T) {
	for _, name := range []string{"report-pdfa.pdf", "photo-xmp.jpg", "photo-xmp.png", "book-stored.epub", "letter-stored.docx"} {
		s := samples.Named(name)
		declared := TypeByExtension(s.Filename)
		head := s.Body[:min(len(s.Body), sniffBytes)]
		if !bytes.Contains(head, []byte("<")) {
			t.Errorf("%s carries no markup in its window: not the case it stands for", name)
		}
		if rej := checkContent(head, declared); rej != nil {
			t.Errorf("%s declared %s: %+v", name, declared, rej)
		}
	}
}

// TestRandomWindowsCarryNoActiveContent: windows of random bytes (what
// compressed image, audio and archive data look like) never read as active
// content, in any view.
func TestRandomWindowsCarryNoActiveContent(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 4))
	head := make([]byte, sniffBytes)
	for i := range 20000 {
		for j := range head {
			head[j] = byte(r.Uint32())
		}
		if m := activeMarker(head); m != "" {
			t.Fatalf("random window %d reads as active content: %s", i, m)
		}
	}
}

// FuzzActiveMarkup: whatever bytes come before it in the window, markup
// with an event handler (any name, separators and case) or a javascript:
// URL (each character literal or a character reference, with tabs and line
// breaks between) is found.
func FuzzActiveMarkup(f *testing.F) {
	f.Add([]byte("%PDF-1.4\n"), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "toggle")
	f.Add(samples.Named("photo.png").Body, []byte{255, 128, 7, 9, 33}, "focus")
	f.Add([]byte(`<x title="`), []byte("abc"), "click")
	f.Fuzz(func(t *testing.T, prefix, choices []byte, event string) {
		pick := func(i, n int) int {
			if len(choices) == 0 {
				return 0
			}
			return int(choices[i%len(choices)]) % n
		}
		name := "on" + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return r
			}
			return -1
		}, event)
		if len(name) == 2 {
			name += "load"
		}
		name = name[:min(len(name), 64)]
		seps := []string{" ", "/", "\n", "\t", "\f", "\r\n", " / "}
		handler := "<x" + seps[pick(0, len(seps))] + `a="1"` + seps[pick(1, len(seps))] + caseMix(name, choices) + []string{"", " ", "\n", "\t"}[pick(2, 4)] + "=go()>"
		var url strings.Builder
		const scheme = "javascript:"
		for i, c := range scheme {
			switch pick(i+4, 6) {
			case 0:
				url.WriteRune(c)
			case 1:
				fmt.Fprintf(&url, "&#%d;", c)
			case 2:
				// without its semicolon unless a hex digit follows (a browser
				// would read that digit as part of the number too)
				fmt.Fprintf(&url, "&#x%X", c)
				if i+1 < len(scheme) && strings.IndexByte("abcdef", scheme[i+1]) >= 0 {
					url.WriteByte(';')
				}
			case 3:
				fmt.Fprintf(&url, "&#%07d", c)
			case 4:
				url.WriteString(strings.ToUpper(string(c)) + "\t")
			default:
				url.WriteString(string(c) + "&NewLine;")
			}
		}
		for _, markup := range []string{handler, `<a href="` + url.String() + `go()">`} {
			room := sniffBytes - len(markup)
			head := cat(prefix[:min(len(prefix), room)], []byte(markup))
			if m := activeMarker(head); m == "" {
				t.Fatalf("%q after %d bytes of prefix is not seen", markup, min(len(prefix), room))
			}
		}
	})
}

// caseMix upper-cases the letters of s whose choice byte is odd.
func caseMix(s string, choices []byte) string {
	b := []byte(s)
	for i := range b {
		if len(choices) > 0 && choices[i%len(choices)]&1 == 1 && b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

// BenchmarkActiveMarkerWorstCase is the scan on a window built to make it
// work hardest: unclosed tags everywhere, each read to the window's end.
func BenchmarkActiveMarkerWorstCase(b *testing.B) {
	head := bytes.Repeat([]byte("<a b "), sniffBytes/5)
	b.ReportAllocs()
	for b.Loop() {
		if m := activeMarker(head); m != "" {
			b.Fatal(m)
		}
	}
}
