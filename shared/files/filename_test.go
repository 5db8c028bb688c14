package files

import "testing"

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
