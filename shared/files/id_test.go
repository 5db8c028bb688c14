package files

import (
	"strings"
	"testing"
	"time"
)

func TestNewIDIsValidUniqueAndTimeOrdered(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 1000; i++ {
		id := NewID(base.Add(time.Duration(i) * time.Millisecond))
		if !ValidID(id) || len(id) != 30 || seen[id] {
			t.Fatalf("NewID = %q (valid %v, seen %v)", id, ValidID(id), seen[id])
		}
		if id <= prev {
			t.Fatalf("%q does not sort after %q", id, prev)
		}
		seen[id], prev = true, id
	}
}

func TestValidIDRefusesOtherShapes(t *testing.T) {
	for _, s := range []string{"", "fil_", "fil_06H0EN1ZAP202AP5WPNPHXF89", "fil_06H0EN1ZAP202AP5WPNPHXF894X", "fil_06h0en1zap202ap5wpnphxf894", "file_06H0EN1ZAP202AP5WPNPHXF89", "fil_06H0EN1ZAP202AP5WPNPHXF8/4", strings.Repeat("x", 30)} {
		if ValidID(s) {
			t.Errorf("ValidID(%q) = true", s)
		}
	}
}

func TestObjectKeyRoundTrip(t *testing.T) {
	id := NewID(time.Now())
	p, got, ok := ParseObjectKey(ObjectKey("0b7c1c9e-3c1b-4c39-9a53-0d1d1f3a6a10", id))
	if !ok || p != "0b7c1c9e-3c1b-4c39-9a53-0d1d1f3a6a10" || got != id {
		t.Fatalf("round trip: %q %q %v", p, got, ok)
	}
	for _, k := range []string{"", "uploads/", "uploads/p", "uploads/p/not-an-id", "other/p/" + id, "uploads//" + id} {
		if _, _, ok := ParseObjectKey(k); ok {
			t.Errorf("ParseObjectKey(%q) accepted", k)
		}
	}
}

func TestCheckFilename(t *testing.T) {
	for name, ok := range map[string]bool{
		"report.pdf":               true,
		"résumé 2026 (final).docx": true,
		strings.Repeat("é", 255):   true,
		strings.Repeat("a", 256):   false,
		"":                         false,
		"a\x00b":                   false,
		"line\nbreak":              false,
		"\xff\xfe":                 false,
	} {
		if err := CheckFilename(name); (err == nil) != ok {
			t.Errorf("CheckFilename(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}
