package files

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestNewIDIsValidUniqueAndTimeOrdered(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 1000; i++ {
		id := NewID(base.Add(time.Duration(i) * time.Millisecond)).String()
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

func TestNewIDIsAUUIDv7(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 123e6, time.UTC)
	for i := 0; i < 100; i++ {
		id := NewID(at).String()
		u := UUIDString(id)
		if !uuidV7.MatchString(u) {
			t.Fatalf("UUIDString(%q) = %q, not a UUIDv7", id, u)
		}
		if ms, _ := strconv.ParseInt(strings.ReplaceAll(u, "-", "")[:12], 16, 64); ms != at.UnixMilli() {
			t.Fatalf("%s carries %d ms, want %d", u, ms, at.UnixMilli())
		}
		if back, ok := CanonicalID(u); !ok || back != id {
			t.Fatalf("CanonicalID(%q) = %q, %v; want %q", u, back, ok, id)
		}
	}
}

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Records made before UUIDv7 (ULID layout) keep working in both spellings.
func TestCanonicalIDAcceptsBothSpellings(t *testing.T) {
	const legacy, legacyUUID = "fil_06H0EN1ZAP202AP5WPNPHXF894", "01a20754-3f55-8401-2ac5-e5ab68f5e849"
	for _, s := range []string{legacy, legacyUUID, strings.ToUpper(legacyUUID)} {
		if got, ok := CanonicalID(s); !ok || got != legacy {
			t.Errorf("CanonicalID(%q) = %q, %v; want %q", s, got, ok, legacy)
		}
	}
	if got := UUIDString(legacy); got != legacyUUID {
		t.Errorf("UUIDString(%q) = %q, want %q", legacy, got, legacyUUID)
	}
	for _, s := range []string{"", "fil_06H0EN1ZAP202AP5WPNPHXF895", "01a207543f5584012ac5e5ab68f5e849", "01a20754-3f55-8401-2ac5-e5ab68f5e84g",
		"01a20754-3f558-401-2ac5-e5ab68f5e849", "{01a20754-3f55-8401-2ac5-e5ab68f5e849}", "urn:uuid:01a20754-3f55-8401-2ac5-e5ab68f5e849", "fil_" + legacyUUID} {
		if got, ok := CanonicalID(s); ok {
			t.Errorf("CanonicalID(%q) = %q, accepted", s, got)
		}
	}
	if UUIDString("not-an-id") != "" {
		t.Error("UUIDString of a non-id is not empty")
	}
}

func TestObjectKeyRoundTrip(t *testing.T) {
	id := NewID(time.Now())
	p, got, ok := ParseObjectKey(ObjectKey("0b7c1c9e-3c1b-4c39-9a53-0d1d1f3a6a10", id))
	if !ok || p != "0b7c1c9e-3c1b-4c39-9a53-0d1d1f3a6a10" || got != id {
		t.Fatalf("round trip: %q %q %v", p, got, ok)
	}
	s := id.String()
	for _, k := range []string{"", "uploads/", "uploads/p", "uploads/p/not-an-id", "other/p/" + s, "uploads//" + s, "uploads/p/" + id.UUID()} {
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
		if err := CheckFilename(name, MaxFilenameChars); (err == nil) != ok {
			t.Errorf("CheckFilename(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

// Whatever a client sends as an id, what is accepted is one stored spelling
// whose UUID spelling leads back to it.
func FuzzCanonicalID(f *testing.F) {
	for _, s := range []string{"fil_06H0EN1ZAP202AP5WPNPHXF894", "01a20754-3f55-8401-2ac5-e5ab68f5e849", "01A20754-3F55-8401-2AC5-E5AB68F5E849", "fil_06H0EN1ZAP202AP5WPNPHXF895", "", "fil_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := CanonicalID(s)
		if !ok {
			return
		}
		if !ValidID(id) {
			t.Fatalf("CanonicalID(%q) = %q, not a stored id", s, id)
		}
		if back, ok := CanonicalID(UUIDString(id)); !ok || back != id {
			t.Fatalf("%q: the UUID spelling %q leads to %q", id, UUIDString(id), back)
		}
		if s != id && !strings.EqualFold(s, UUIDString(id)) {
			t.Fatalf("%q was taken for %q", s, id)
		}
	})
}

func TestKeyedID(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 123e6, time.UTC)
	op := &Operation{Seed: "seed", At: at}
	id := KeyedID(project, op).String()
	if !ValidID(id) || !uuidV7.MatchString(UUIDString(id)) {
		t.Fatalf("KeyedID = %q (%s), not a UUIDv7 in the stored spelling", id, UUIDString(id))
	}
	if KeyedID(project, &Operation{Seed: "seed", At: at, Replay: true}).String() != id {
		t.Error("the same operation gave another id")
	}
	for name, other := range map[string]string{
		"another seed":    KeyedID(project, &Operation{Seed: "seed2", At: at}).String(),
		"another project": KeyedID("1b7c1c9e-3c1b-4c39-9a53-0d1d1f3a6a10", op).String(),
	} {
		if other == id {
			t.Errorf("%s gave the same id", name)
		}
	}
	// Time-ordered like NewID: a later first attempt sorts after, an earlier before.
	if later := KeyedID(project, &Operation{Seed: "a", At: at.Add(time.Millisecond)}).String(); later <= id {
		t.Errorf("a later operation's id %s sorts before %s", later, id)
	}
	if earlier := NewID(at.Add(-time.Millisecond)).String(); earlier >= id {
		t.Errorf("an earlier file's id %s sorts after %s", earlier, id)
	}
}

// An ID's time reads back, and LastIDAt bounds every ID of its millisecond:
// the store finds a time bucket's files with lsk <= LastIDAt(end).
func TestIDMillisAndLastIDAt(t *testing.T) {
	at := time.UnixMilli(1_780_000_000_123)
	for range 50 {
		id := NewID(at).String()
		if ms, ok := IDMillis(id); !ok || ms != at.UnixMilli() {
			t.Fatalf("IDMillis(%s) = %d, %v; want %d", id, ms, ok, at.UnixMilli())
		}
		if !(LastIDAt(at.UnixMilli()-1) < id && id <= LastIDAt(at.UnixMilli())) {
			t.Fatalf("%s is not between LastIDAt(ms-1) %s and LastIDAt(ms) %s", id, LastIDAt(at.UnixMilli()-1), LastIDAt(at.UnixMilli()))
		}
	}
	if _, ok := IDMillis("fil_nope"); ok {
		t.Error("IDMillis accepted a malformed id")
	}
}
