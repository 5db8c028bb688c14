package files

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"
)

// A file ID is one 128-bit value with two spellings:
//   - stored: "fil_" + 26 characters of Crockford base32 (the native dialect
//     shows it; record, object and index keys use it);
//   - UUID: the canonical lower-case 8-4-4-4-12 hex form (the compat dialect
//     shows it, since LlamaCloud documents ids as UUIDs).
//
// New IDs are UUIDv7 (RFC 9562), so both spellings are valid, time-ordered
// and sort like the bytes. Records made before that hold the ULID layout
// (48-bit milliseconds, 80 random bits) under the same "fil_" spelling; their
// UUID spelling is accepted too, though its version bits are not 7.
const idPrefix = "fil_"

// idEncoding is base32 with the ULID (Crockford) alphabet: URL-safe, and its
// alphabet is in ASCII order, so encoded IDs sort like the bytes they encode.
var idEncoding = base32.NewEncoding(idAlphabet).WithPadding(base32.NoPadding)

const idAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewID returns a UUIDv7 in its stored spelling: 48 bits of Unix
// milliseconds, the version (7), 12 random bits, the variant (10), 62 random
// bits, all random bits from crypto/rand. IDs sort by creation time and
// cannot be guessed.
func NewID(now time.Time) FileID {
	var b [16]byte
	_, _ = rand.Read(b[6:]) // crypto/rand.Read never returns an error
	return stampV7(now, b)
}

// KeyedID is the id of the file a keyed create makes (see Operation): a
// UUIDv7 whose time is the operation's first attempt and whose other 74 bits
// come from SHA-256 of the project and the operation's seed. Every attempt of
// the operation names the same file, ids still sort by creation time, and
// nobody who does not know the Idempotency-Key can tell the id.
func KeyedID(projectID string, op *Operation) FileID {
	h := sha256.New()
	for _, field := range []string{"filegate file id", projectID, op.Seed} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(field)))
		h.Write(n[:])
		h.Write([]byte(field))
	}
	var b [16]byte
	copy(b[6:], h.Sum(nil))
	return stampV7(op.At, b)
}

// stampV7 writes at's Unix milliseconds, the version and the variant over b,
// keeping the rest.
func stampV7(at time.Time, b [16]byte) FileID {
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()))
	copy(b[:6], ms[2:])
	b[6] = 0x70 | b[6]&0x0f // version 7
	b[8] = 0x80 | b[8]&0x3f // variant 10 (RFC 9562)
	return FileID{storedID(b)}
}

func storedID(b [16]byte) string { return idPrefix + idEncoding.EncodeToString(b[:]) }

// ValidID reports whether s is an ID in its stored spelling, exactly as NewID
// writes it (so each record has one stored spelling, and malformed IDs are
// refused before they reach storage).
func ValidID(s string) bool {
	_, ok := storedBytes(s)
	return ok
}

// CanonicalID returns the stored spelling of an ID given in either spelling
// (UUIDs in any letter case); ok is false for anything else. Every entry
// point that takes an ID from a client goes through it, so both dialects
// accept both spellings.
func CanonicalID(s string) (string, bool) {
	if ValidID(s) {
		return s, true
	}
	b, ok := uuidBytes(s)
	if !ok {
		return "", false
	}
	return storedID(b), true
}

// UUIDString is the UUID spelling of an ID in its stored spelling ("" if it is not one).
func UUIDString(id string) string {
	b, ok := storedBytes(id)
	if !ok {
		return ""
	}
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func storedBytes(s string) ([16]byte, bool) {
	var b [16]byte
	rest, ok := strings.CutPrefix(s, idPrefix)
	if !ok || len(rest) != 26 {
		return b, false
	}
	n, err := idEncoding.Decode(b[:], []byte(rest))
	// The last character carries 3 bits and 2 bits of padding: only the
	// spelling NewID writes round-trips.
	return b, err == nil && n == 16 && idEncoding.EncodeToString(b[:]) == rest
}

func uuidBytes(s string) ([16]byte, bool) {
	var b [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return b, false
	}
	h := s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	_, err := hex.Decode(b[:], []byte(h))
	return b, err == nil
}

// IDMillis is the creation time, in Unix milliseconds, that an ID in its
// stored spelling carries in its first 48 bits (UUIDv7 and the older ULID
// layout alike); ok is false for anything else.
func IDMillis(id string) (ms int64, ok bool) {
	b, ok := storedBytes(id)
	if !ok {
		return 0, false
	}
	var n [8]byte
	copy(n[2:], b[:6])
	return int64(binary.BigEndian.Uint64(n[:])), true
}

// LastIDAt is the greatest stored spelling of any ID made at ms: every ID
// made at ms or earlier sorts at or before it, every later one after it.
func LastIDAt(ms int64) string {
	var b [16]byte
	for i := range b {
		b[i] = 0xff
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(ms))
	copy(b[:6], n[2:])
	return storedID(b)
}

// FileID is a file's id, parsed once where it comes in (a request's path, a
// token's claims, an object key, a stored record): it holds the stored
// spelling, so the two spellings of one file are one FileID, and logs,
// records and keys name it one way. The zero FileID names no file.
type FileID struct{ stored string }

// ParseFileID reads an id in either spelling (CanonicalID); ok is false for
// anything else.
func ParseFileID(s string) (FileID, bool) {
	c, ok := CanonicalID(s)
	return FileID{c}, ok
}

// StoredFileID reads an id in its stored spelling only, as records, keys and
// indexes hold it; ok is false for anything else (the UUID spelling too:
// storage never holds it). It checks the shape (prefix, length, alphabet),
// not the full decoding ParseFileID does on a client's id: storage holds
// what NewID wrote, and decoding would link base32 into every function
// that reads a record but never parses a client's id.
func StoredFileID(s string) (FileID, bool) {
	rest, ok := strings.CutPrefix(s, idPrefix)
	if !ok || len(rest) != 26 || strings.Trim(rest, idAlphabet) != "" {
		return FileID{}, false
	}
	return FileID{s}, true
}

// MustParseFileID is ParseFileID for ids known to be valid (test fixtures,
// an id Filegate's own API just returned); it panics on anything else.
func MustParseFileID(s string) FileID {
	id, ok := ParseFileID(s)
	if !ok {
		panic("files: not a file id: " + s)
	}
	return id
}

// String is the stored spelling ("" for the zero FileID).
func (id FileID) String() string { return id.stored }

// UUID is the UUID spelling (the compat dialect's; "" for the zero FileID).
func (id FileID) UUID() string { return UUIDString(id.stored) }

// IsZero reports whether id names no file.
func (id FileID) IsZero() bool { return id.stored == "" }

// Millis is the creation time, in Unix milliseconds, the id carries (IDMillis).
func (id FileID) Millis() (ms int64, ok bool) { return IDMillis(id.stored) }

// Compare orders ids like their stored spellings, which is creation order
// (the order of the index keys that hold them).
func (id FileID) Compare(other FileID) int { return strings.Compare(id.stored, other.stored) }

// LogValue logs the stored spelling.
func (id FileID) LogValue() slog.Value { return slog.StringValue(id.stored) }
