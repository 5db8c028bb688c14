package files

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// DownloadName is the one normalisation of a filename: the name a download
// is saved under (its Content-Disposition) and the name the type/extension
// rule judges (FileType), so the rule sees what the user's disk will hold.
// The client's original filename is kept as metadata only.
//
// The name is NFC. Characters a browser or Windows would replace or read as
// a path become "_": path separators, the characters Windows refuses in a
// name (< > : " | ? *; a colon also names an NTFS stream), control and
// format characters (bidi overrides disguise "evil\u202Efdp.exe" as
// "evil.exe.pdf"; create refuses those, older records still hold them),
// line and paragraph separators, noncharacters and invalid UTF-8. Leading
// and trailing dots and white space are dropped, as Windows and browsers
// drop (or replace) them, which would otherwise move the extension:
// "invoice.html." is saved as "invoice.html". A Windows device name gets a
// leading "_", and a name too long for a file system is cut keeping its
// extension (shortenName). Replacing rather than deleting never joins two
// parts of the name into a new extension, and the result is its own
// normalisation.
func DownloadName(original string) string {
	var b strings.Builder
	for _, r := range norm.NFC.String(original) {
		if unsafeInName(r) {
			r = '_'
		}
		b.WriteRune(r)
	}
	name := strings.TrimFunc(b.String(), func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	if name == "" {
		return "download"
	}
	base, _, _ := strings.Cut(name, ".")
	if reservedDevice(strings.ToUpper(strings.TrimRightFunc(base, unicode.IsSpace))) {
		name = "_" + name
	}
	return shortenName(name)
}

// maxDownloadNameBytes is the longest name a download is saved under: what
// file systems hold (ext4, APFS, XFS: 255 bytes; NTFS: 255 UTF-16 units,
// which 255 bytes of UTF-8 never exceed). A longer name (the compat API
// takes 3,000 characters) would also make Content-Disposition's
// percent-encoded filename* up to 36 KB, past S3's 8 KB of request headers
// and URL limits, in the presigned GET that carries it.
const maxDownloadNameBytes = 255

// maxExtensionBytes is the longest extension a shortened name keeps; past it
// the "extension" is part of the name.
const maxExtensionBytes = 16

// shortenName cuts name to maxDownloadNameBytes at a character boundary,
// keeping its extension (the part from the last dot), and drops the dots
// and spaces the cut leaves at the end of what precedes the extension.
func shortenName(name string) string {
	if len(name) <= maxDownloadNameBytes {
		return name
	}
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= maxExtensionBytes {
		ext = name[i:]
	}
	base := name[:len(name)-len(ext)]
	cut := maxDownloadNameBytes - len(ext)
	for cut > 0 && !utf8.RuneStart(base[cut]) {
		cut--
	}
	if base = strings.TrimRight(base[:cut], ". "); base == "" {
		base = "download"
	}
	return base + ext
}

// unsafeInName reports the characters DownloadName replaces.
func unsafeInName(r rune) bool {
	return strings.ContainsRune(`/\<>:"|?*`, r) || r == utf8.RuneError || invisible(r)
}

// invisible reports control and format characters (Unicode Cc and Cf: bidi
// controls, zero-width characters, byte-order marks, soft hyphens), line
// and paragraph separators, and noncharacters: none belongs in a name, and
// each can make a name look or split otherwise than it is.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) || noncharacter(r)
}

// noncharacter reports Unicode's permanently reserved code points:
// U+FDD0–U+FDEF and the last two of every plane.
func noncharacter(r rune) bool {
	return r >= 0xFDD0 && r <= 0xFDEF || r&0xFFFE == 0xFFFE
}

// reservedDevice reports the names Windows opens as devices whatever their
// extension (CON, NUL.txt), given upper-cased; COM and LPT take 1–9 and the
// superscripts ¹ ² ³, which Windows reserves too.
func reservedDevice(base string) bool {
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	for _, device := range []string{"COM", "LPT"} {
		if n, ok := strings.CutPrefix(base, device); ok {
			return len(n) == 1 && n[0] >= '1' && n[0] <= '9' || n == "¹" || n == "²" || n == "³"
		}
	}
	return false
}

// FileType is the lower-case extension, without the dot, of the name a
// download of name is saved under (DownloadName): "pdf" for "report.PDF.",
// "" when it has none. Case is folded both ways, so letters Windows
// upper-cases to ASCII count as those letters ("ſvg" is "svg").
func FileType(name string) string {
	saved := DownloadName(name)
	i := strings.LastIndexByte(saved, '.')
	if i <= 0 || i == len(saved)-1 {
		return ""
	}
	return strings.ToLower(strings.ToUpper(saved[i+1:]))
}
