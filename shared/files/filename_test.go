package files

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDownloadName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":              "report.pdf",
		"résumé 2026.docx":        "résumé 2026.docx",
		"../../etc/passwd":        "_.._etc_passwd",
		`C:\Windows\evil.exe`:     "C:_Windows_evil.exe",
		"invoice\u202Efdp.exe":    "invoicefdp.exe",
		"a\u2066b\u2069c.txt":     "abc.txt",
		"CON":                     "_CON",
		"nul.txt":                 "_nul.txt",
		"com1.log":                "_com1.log",
		"COM10.log":               "COM10.log",
		"console.txt":             "console.txt",
		"...":                     "download",
		".hidden":                 "hidden",
		"trailing. ":              "trailing",
		"\u202E":                  "download",
		"日本語.txt":                 "日本語.txt",
		"\ufeffbom.txt":           "bom.txt",
		"tab\tand\x7fdel.txt":     "tabanddel.txt",
		"emoji 🎉 party.png":       "emoji 🎉 party.png",
		"q\"uote;semi,comma.txt":  "q\"uote;semi,comma.txt",
		"spaces   inside   .pdf ": "spaces   inside   .pdf",
	} {
		if got := DownloadName(in); got != want {
			t.Errorf("DownloadName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzDownloadName(f *testing.F) {
	for _, s := range []string{"a.pdf", "../x", "CON", "\u202e", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := DownloadName(in)
		for _, r := range out {
			if r == '/' || r == '\\' || r < 0x20 || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("DownloadName(%q) = %q keeps %U", in, out, r)
			}
		}
		if out == "" {
			t.Fatalf("DownloadName(%q) is empty", in)
		}
	})
}

// A download's name fits a file system's 255 bytes (a longer one, and a
// 3,000-character compat name percent-encoded into Content-Disposition's
// filename*, also passes S3's header and URL limits badly), cut at a
// character boundary and keeping the extension.
func TestDownloadNameFitsAFileSystem(t *testing.T) {
	for _, tc := range []struct {
		in     string
		suffix string
	}{
		{strings.Repeat("n", 2996) + ".txt", ".txt"},
		{strings.Repeat("日", 1000) + ".pdf", ".pdf"},
		{strings.Repeat("a", 300), "a"},
		{strings.Repeat("🎉", 100) + ".tar.gz", ".gz"},
		{"x." + strings.Repeat("e", 300), "e"},
		{strings.Repeat("a ", 200) + ".txt", ".txt"},
	} {
		got := DownloadName(tc.in)
		if len(got) > 255 || !utf8.ValidString(got) || !strings.HasSuffix(got, tc.suffix) || got == "" {
			t.Errorf("DownloadName(%.20q…, %d bytes) = %.20q… (%d bytes), want ≤ 255 bytes of UTF-8 ending %q", tc.in, len(tc.in), got, len(got), tc.suffix)
		}
		if strings.HasSuffix(strings.TrimSuffix(got, tc.suffix), " ") {
			t.Errorf("DownloadName(%.20q…) = %.20q… leaves a space before the extension", tc.in, got)
		}
	}
	if name := strings.Repeat("b", 251) + ".pdf"; DownloadName(name) != name {
		t.Errorf("a name of exactly 255 bytes is cut")
	}
}
