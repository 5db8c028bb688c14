package files

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DownloadName is the name a download is saved under. The client's original
// filename is kept as metadata only; what reaches a browser or a disk has no
// path separators, no bidirectional-text controls (which can disguise
// "evil\u202Efdp.exe" as "evil.exe.pdf"), no leading dots or trailing dots and
// spaces, no Windows reserved device name, and fits a file system's name
// (shortenName).
func DownloadName(original string) string {
	var b strings.Builder
	for _, r := range original {
		switch {
		case r == '/' || r == '\\':
			b.WriteRune('_')
		case unicode.Is(unicode.Bidi_Control, r) || unicode.IsControl(r) || r == '\uFEFF':
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	name := strings.TrimRight(strings.TrimLeft(b.String(), ". "), ". ")
	if name == "" {
		return "download"
	}
	base, _, _ := strings.Cut(name, ".")
	if reservedDevice(strings.ToUpper(strings.TrimSpace(base))) {
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

func reservedDevice(base string) bool {
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '1' && base[3] <= '9' {
		return true
	}
	return false
}

// FileType is the lower-case extension of name without the dot ("pdf"), or
// "" when the last path segment has none (a leading dot starts a name, not
// an extension: ".env" has no type).
func FileType(name string) string {
	base := name[strings.LastIndex(name, "/")+1:]
	i := strings.LastIndexByte(base, '.')
	if i <= 0 || i == len(base)-1 {
		return ""
	}
	return strings.ToLower(base[i+1:])
}
