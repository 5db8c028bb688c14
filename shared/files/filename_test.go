package files

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestDownloadName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":              "report.pdf",
		"résumé 2026.docx":        "résumé 2026.docx",
		"re\u0301sume\u0301.docx": "r\u00e9sum\u00e9.docx", // NFD becomes NFC
		"\u212Aelvin.txt":         "Kelvin.txt",            // a canonical singleton
		"../../etc/passwd":        "_.._etc_passwd",
		`C:\Windows\evil.exe`:     "C__Windows_evil.exe",
		"invoice\u202Efdp.exe":    "invoice_fdp.exe",
		"a\u2066b\u2069c.txt":     "a_b_c.txt",
		"CON":                     "_CON",
		"nul.txt":                 "_nul.txt",
		"com1.log":                "_com1.log",
		"COM\u00b9.log":           "_COM\u00b9.log", // Windows reserves superscript digits too
		"conin$":                  "_conin$",
		"CON .txt":                "_CON .txt",
		"COM10.log":               "COM10.log",
		"console.txt":             "console.txt",
		"...":                     "download",
		".hidden":                 "hidden",
		"trailing. ":              "trailing",
		"invoice.html.":           "invoice.html",
		"invoice.html. .\u00a0.":  "invoice.html",
		"invoice.html\u3000":      "invoice.html",
		"\u2003\u00a0lead.txt":    "lead.txt",
		"invoice.html\u202e":      "invoice.html_",
		"invoice.html.\u202e":     "invoice.html._",
		"\u202E":                  "_",
		"日本語.txt":                 "日本語.txt",
		"\ufeffbom.txt":           "_bom.txt",
		"tab\tand\x7fdel.txt":     "tab_and_del.txt",
		"emoji 🎉 party.png":       "emoji 🎉 party.png",
		"q\"uote;semi,comma.txt":  "q_uote;semi,comma.txt",
		"a<b>c:d|e?f*g.txt":       "a_b_c_d_e_f_g.txt",
		"spaces   inside   .pdf ": "spaces   inside   .pdf",
		"bad\xffutf8.txt":         "bad_utf8.txt",
	} {
		if got := DownloadName(in); got != want {
			t.Errorf("DownloadName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFileType(t *testing.T) {
	for name, want := range map[string]string{
		"report.pdf": "pdf", "Report.PDF": "pdf", "archive.tar.gz": "gz", "noext": "", ".env": "", "trailing.": "",
		"a.b/c.docx": "docx", "dir/.hidden": "hidden", "dir.d/file": "d_file",
		// the extension of the name the download is saved under
		"invoice.html.": "html", "invoice.html \u00a0": "html", "invoice.html\u202e": "html_",
		"logo.\u017fvg": "svg", "deck.\u212aey": "key", "INVOICE.HTM": "htm", "x.html:.pdf": "pdf",
	} {
		if got := FileType(name); got != want {
			t.Errorf("FileType(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestCheckNewFilename(t *testing.T) {
	for name, ok := range map[string]bool{
		"report.pdf":                      true,
		"résumé 2026 (final).docx":        true,
		"\u0645\u0644\u0641 \u05d0.pdf":   true,  // right-to-left letters
		"emoji 👩‍💻.png":                   false, // a zero-width joiner is a format character
		"a\u202eb.pdf":                    false,
		"a\u200fb.pdf":                    false,
		"a\ufeffb.pdf":                    false,
		"a\u2028b.pdf":                    false,
		"a\U000EFFFFb.pdf":                false,
		"a\x00b":                          false,
		strings.Repeat("a", 256):          false,
		"invoice.html. trailing is fine.": true, // dropped from the saved name, not refused
	} {
		if err := CheckNewFilename(name, MaxFilenameChars); (err == nil) != ok {
			t.Errorf("CheckNewFilename(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

// The normalisation is one: applied to its own output it changes nothing,
// and the extension the type rule judges is the saved name's. What it
// returns is NFC, never empty, and holds nothing a browser or Windows would
// drop, replace or read as a path.
func FuzzDownloadName(f *testing.F) {
	for _, s := range []string{"a.pdf", "../x", "CON", "\u202e", "", "invoice.html.", "x.html\u3000", "e\u0301.", "<\u0338.txt", ". \u0301x", "\u037e.js"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := DownloadName(in)
		if out == "" {
			t.Fatalf("DownloadName(%q) is empty", in)
		}
		if again := DownloadName(out); again != out {
			t.Fatalf("DownloadName(%q) = %q, but DownloadName of that is %q", in, out, again)
		}
		if !norm.NFC.IsNormalString(out) {
			t.Fatalf("DownloadName(%q) = %q is not NFC", in, out)
		}
		for _, r := range out {
			if strings.ContainsRune(`/\<>:"|?*`, r) || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) || noncharacter(r) || r == '\uFFFD' {
				t.Fatalf("DownloadName(%q) = %q keeps %U", in, out, r)
			}
		}
		first, last := []rune(out)[0], []rune(out)[len([]rune(out))-1]
		if first == '.' || unicode.IsSpace(first) || last == '.' || unicode.IsSpace(last) {
			t.Fatalf("DownloadName(%q) = %q starts or ends with a dot or a space", in, out)
		}
		if FileType(in) != FileType(out) {
			t.Fatalf("FileType(%q) = %q, FileType of its saved name %q = %q", in, FileType(in), out, FileType(out))
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
