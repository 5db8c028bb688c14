package files

import (
	"strings"
	"unicode"
)

// DownloadName is the name a download is saved under. The client's original
// filename is kept as metadata only; what reaches a browser or a disk has no
// path separators, no bidirectional-text controls (which can disguise
// "evil\u202Efdp.exe" as "evil.exe.pdf"), no leading dots or trailing dots and
// spaces, and no Windows reserved device name.
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
	return name
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
