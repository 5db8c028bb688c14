package upload

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Every refused declaration names the input at fault (the native dialect's
// param) and, for sizes, the bound in its code; none is worth retrying.
func TestCreateRefusalsNameTheirInput(t *testing.T) {
	s, st, _ := newTestService()
	past := time.Now().Add(-time.Hour)
	ok := files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.txt", MimeType: "text/plain", SizeBytes: 10}}
	for _, tc := range []struct {
		name        string
		edit        func(*files.CreateInput)
		code, param string
	}{
		{"empty filename", func(in *files.CreateInput) { in.Filename = "" }, "invalid_filename", "filename"},
		{"control character", func(in *files.CreateInput) { in.Filename = "a\x00" }, "invalid_filename", "filename"},
		{"mime type", func(in *files.CreateInput) { in.MimeType = "pdf" }, "invalid_mime_type", "mimeType"},
		{"unknown purpose", func(in *files.CreateInput) { in.Purpose = "nope" }, "invalid_purpose", "purpose"},
		{"size below 1", func(in *files.CreateInput) { in.SizeBytes = 0 }, "invalid_size", "sizeBytes"},
		{"size past the maximum", func(in *files.CreateInput) { in.SizeBytes = files.DefaultMaxBytes + 1 }, "too_large", "sizeBytes"},
		{"size past the purpose's limit", func(in *files.CreateInput) { in.Purpose, in.SizeBytes = "meeting_transcript", 50<<20+1 }, "too_large_for_purpose", "sizeBytes"},
		{"type the purpose refuses", func(in *files.CreateInput) {
			in.Filename, in.Purpose, in.MimeType = "a.zip", "sheet", "application/zip"
		}, "type_not_allowed", "mimeType"},
		{"type the extension contradicts", func(in *files.CreateInput) { in.MimeType = "application/pdf" }, "type_extension_mismatch", "mimeType"},
		{"retention in the past", func(in *files.CreateInput) { in.RetainUntil = &past }, "invalid_retention", "retentionExpiresAt"},
		{"sha256 too short", func(in *files.CreateInput) { in.SHA256 = "abcd" }, "invalid_sha256", "sha256"},
		{"sha256 not hex", func(in *files.CreateInput) { in.SHA256 = strings.Repeat("g", 64) }, "invalid_sha256", "sha256"},
	} {
		in := ok
		tc.edit(&in)
		_, err := s.Create(context.Background(), in)
		var e *files.Error
		if !errors.As(err, &e) || e.Kind != files.KindInvalid || e.Code != tc.code || e.Field.String() != tc.param || files.RetryOf(err) != files.RetryNever {
			t.Errorf("%s: %+v, want invalid %s naming %s", tc.name, err, tc.code, tc.param)
		}
	}
	if len(st.files) != 0 {
		t.Errorf("refused declarations left %d records", len(st.files))
	}
	in := ok
	in.SizeBytes = files.DefaultMaxBytes // the bound itself is allowed
	if _, err := s.Create(context.Background(), in); err != nil {
		t.Errorf("sizeBytes at the maximum: %v", err)
	}
}

// A declared SHA-256, hex or base64, is recorded as hex and signed into the
// PUT, so storage checks the bytes against it.
func TestCreateSignsTheDeclaredSHA256(t *testing.T) {
	s, st, obj := newTestService()
	const hexSum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	for _, declared := range []string{hexSum, strings.ToUpper(hexSum), "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg"} {
		c, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.txt", MimeType: "text/plain", SizeBytes: 4, SHA256: declared}})
		if err != nil {
			t.Fatalf("sha256 %q: %v", declared, err)
		}
		got, _ := st.Get(context.Background(), project, c.File.ID)
		if c.File.SHA256 != hexSum || got.SHA256 != hexSum || obj.lastUpload.SHA256 != hexSum {
			t.Errorf("sha256 %q: answered %q, recorded %q, signed %q; want %s", declared, c.File.SHA256, got.SHA256, obj.lastUpload.SHA256, hexSum)
		}
	}
}
