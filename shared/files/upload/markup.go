package upload

import "bytes"

// Active content, judged by the structure a browser's parser gives markup
// rather than by a list of tags: in an ASCII view of the window (lower-cased;
// see activeMarker), markup is active when
//   - an element of any name has an event-handler attribute (on…=), parsed
//     the way the HTML tokenizer separates attributes (white space or "/",
//     quoted or unquoted values), or an SVG animation targets one;
//   - an element runs script or embeds a document (scriptElements), with or
//     without a namespace prefix;
//   - a javascript: or vbscript: URL appears once character references are
//     decoded (numeric, decimal or hex, zero-padded, with or without the
//     semicolon; &colon; &Tab; &NewLine;) and the tab, line feed and
//     carriage return that URL parsers drop are dropped;
//   - an XML document declares entities (which can spell anything) or an
//     XSLT stylesheet (which can write script).
// A '<' can open a tag anywhere: the scan does not trust the bytes before it
// to say whether it is inside a comment, a quoted value or binary data, so
// binary noise before markup cannot hide it.

// scriptElements run script or embed a document that can: HTML's and SVG's
// script, nested browsing contexts and plugins, and SVG Tiny's handler.
var scriptElements = []string{"script", "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "fencedframe", "handler"}

// scriptSchemes are URL schemes whose URL is script.
var scriptSchemes = [...]string{"javascript:", "vbscript:"}

// activeStructure returns what makes the lower-cased view v active
// content, "" if nothing does.
func activeStructure(v []byte) string {
	for i := bytes.IndexByte(v, '<'); i >= 0; {
		if m := markupAt(v[i+1:]); m != "" {
			return m
		}
		j := bytes.IndexByte(v[i+1:], '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return scriptURL(v)
}

// markupAt judges the markup that rest, the bytes after a '<', opens.
func markupAt(rest []byte) string {
	switch {
	case bytes.HasPrefix(rest, []byte("!entity")):
		return "an XML entity declaration (<!ENTITY)"
	case bytes.HasPrefix(rest, []byte("?xml-stylesheet")):
		return "an XSLT stylesheet (<?xml-stylesheet)"
	case len(rest) == 0 || !nameStart(rest[0]):
		return "" // text, an end tag, a comment or a declaration
	}
	n := 0
	for n < len(rest) && !space(rest[n]) && rest[n] != '/' && rest[n] != '>' {
		n++
	}
	name := rest[:n]
	local := name[bytes.LastIndexByte(name, ':')+1:]
	for _, e := range scriptElements {
		if string(local) == e {
			return "a <" + clip(name) + "> element"
		}
	}
	return handlerIn(rest[n:])
}

// handlerIn reads the attributes of a start tag, s being what follows its
// name, up to the '>' that ends it (or the end of the window), and returns
// the first event handler it sets.
func handlerIn(s []byte) string {
	i := 0
	for i < len(s) {
		for i < len(s) && (space(s[i]) || s[i] == '/') {
			i++
		}
		if i == len(s) || s[i] == '>' {
			return ""
		}
		start := i
		i++ // a name may start with '='
		for i < len(s) && !space(s[i]) && s[i] != '/' && s[i] != '>' && s[i] != '=' {
			i++
		}
		name := s[start:i]
		for i < len(s) && space(s[i]) {
			i++
		}
		if i == len(s) || s[i] != '=' {
			continue // an attribute without a value
		}
		i++
		for i < len(s) && space(s[i]) {
			i++
		}
		var value []byte
		if i < len(s) && (s[i] == '"' || s[i] == '\'') {
			end := bytes.IndexByte(s[i+1:], s[i])
			if end < 0 {
				end = len(s) - i - 1
			}
			value, i = s[i+1:i+1+end], i+2+end
		} else {
			start := i
			for i < len(s) && !space(s[i]) && s[i] != '>' {
				i++
			}
			value = s[start:i]
		}
		switch {
		case eventHandler(name):
			return "an event handler (" + clip(name) + "=)"
		case string(name) == "attributename" && eventHandler(bytes.TrimFunc(value, func(r rune) bool { return r < 0x80 && space(byte(r)) })):
			return "an animation of an event handler (" + clip(value) + ")"
		}
	}
	return ""
}

// eventHandler reports whether an attribute name is on followed by letters,
// the form of every event-handler attribute of HTML, SVG and MathML.
func eventHandler(name []byte) bool {
	if len(name) < 3 || name[0] != 'o' || name[1] != 'n' {
		return false
	}
	for _, c := range name[2:] {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// scriptURL returns the script URL scheme v holds once character references
// are decoded and tab, line feed and carriage return dropped, "" if none. It
// matches as it decodes: no scheme repeats its first letter, so a mismatch
// restarts the match at the current character.
func scriptURL(v []byte) string {
	var matched [len(scriptSchemes)]int
	for i := 0; i < len(v); {
		c, n := v[i], 1
		if matched == [len(scriptSchemes)]int{} && !mayStartScheme[c] {
			i++
			continue
		}
		if c == '&' {
			if r, m := charRef(v[i:]); m > 0 {
				c, n = r, m
			}
		}
		i += n
		switch {
		case c == '\t' || c == '\n' || c == '\r':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		for k, s := range scriptSchemes {
			switch {
			case c == s[matched[k]]:
				matched[k]++
			case c == s[0]:
				matched[k] = 1
			default:
				matched[k] = 0
			}
			if matched[k] == len(s) {
				return "a " + s + " URL"
			}
		}
	}
	return ""
}

// namedRefs are the named character references that spell part of a script
// URL: its colon and the white space a URL parser drops. (No named reference
// stands for an ASCII letter.) Names are matched lower-cased, with or
// without their semicolon.
var namedRefs = []struct {
	name string
	c    byte
}{{"colon", ':'}, {"tab", '\t'}, {"newline", '\n'}}

// charRef decodes the character reference s starts with ('&'): the ASCII
// character it stands for (0xFF for any other character) and its length,
// or a length of 0 when s does not start one. Digits run as long as they
// last (a value past U+10FFFF stays past it) and the semicolon is optional,
// as HTML's parser reads them.
func charRef(s []byte) (byte, int) {
	if len(s) > 1 && s[1] == '#' {
		i, base := 2, 10
		if i < len(s) && s[i] == 'x' {
			i, base = 3, 16
		}
		start, value := i, 0
		for ; i < len(s); i++ {
			d := digit(s[i], base)
			if d < 0 {
				break
			}
			value = min(value*base+d, 0x110000)
		}
		if i == start {
			return 0, 0
		}
		if i < len(s) && s[i] == ';' {
			i++
		}
		if value == 0 || value >= 0x80 {
			return 0xFF, i
		}
		return byte(value), i
	}
	for _, r := range namedRefs {
		if bytes.HasPrefix(s[1:], []byte(r.name)) {
			n := 1 + len(r.name)
			if n < len(s) && s[n] == ';' {
				n++
			}
			return r.c, n
		}
	}
	return 0, 0
}

// digit is c's value in base (10 or 16, lower-case), or -1.
func digit(c byte, base int) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case base == 16 && c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// nameStart reports whether c can start an element name: an ASCII letter
// (HTML), or '_', ':' or any non-ASCII byte (XML names).
func nameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c == '_' || c == ':' || c >= 0x80
}

// space is white space between attributes, in HTML (which folds CR into LF)
// and XML.
func space(c byte) bool { return spaces[c] }

var spaces = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\f': true}

// mayStartScheme are the bytes a script scheme can start with: its first
// letters, or a character reference.
var mayStartScheme = [256]bool{'j': true, 'J': true, 'v': true, 'V': true, '&': true}

// clip bounds a marker quoted in a rejection message.
func clip(b []byte) string {
	return string(b[:min(len(b), 40)])
}
