package files

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

// idEncoding is base32 with the ULID (Crockford) alphabet: URL-safe, and its
// alphabet is in ASCII order, so encoded IDs sort like the bytes they encode.
var idEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// NewID returns "fil_" + 26 characters encoding 48 bits of milliseconds then
// 80 random bits (ULID layout), so IDs sort by creation time and cannot be guessed.
func NewID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	_, _ = rand.Read(b[6:]) // crypto/rand.Read never returns an error
	return "fil_" + idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s has the shape NewID produces, so malformed IDs are
// refused before they reach storage.
func ValidID(s string) bool {
	rest, ok := strings.CutPrefix(s, "fil_")
	if !ok || len(rest) != 26 {
		return false
	}
	_, err := idEncoding.DecodeString(rest)
	return err == nil
}
