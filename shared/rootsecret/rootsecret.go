// Package rootsecret is Filegate's one root secret and what derives from
// it. No signing secret is ever stored in the files table, whose stream
// carries every item to its consumers: each secret a function needs (an
// upload token's day key; a webhook endpoint's secret) is derived from the
// root secret, which lives in AWS Secrets Manager (shared/secretsmgr) or,
// on a laptop, in a file under .local/ (shared/secretfile).
//
// The root secret has versions: Current signs, and Previous (the version a
// rotation replaced) still verifies, so a rotation invalidates nothing
// that is live; a second rotation retires it. Each version has a public
// Tag, which a signed value carries to name the version that signed it.
package rootsecret

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// MinLength is the shortest root secret accepted, in bytes: 32, HMAC-SHA256's
// key size. The template generates 64 letters and digits (about 380 bits).
const MinLength = 32

// Version is one version of the root secret.
type Version struct {
	prk []byte // HKDF's pseudorandom key, extracted once from the secret
	tag string
}

// NewVersion is the version whose secret is secret (at least MinLength bytes).
func NewVersion(secret []byte) (Version, error) {
	if len(secret) < MinLength {
		return Version{}, fmt.Errorf("the root secret is %d bytes; it must be at least %d", len(secret), MinLength)
	}
	prk, err := hkdf.Extract(sha256.New, secret, []byte("filegate/root-secret"))
	if err != nil {
		return Version{}, err
	}
	v := Version{prk: prk}
	v.tag = hex.EncodeToString(v.Derive("version-tag")[:6])
	return v, nil
}

// Tag names the version publicly (12 hex digits): it is derived
// from the secret, so it reveals nothing of it, and a verifier finds the
// version that signed a value by it.
func (v Version) Tag() string { return v.tag }

// Derive is the 32-byte key for purpose and parts, e.g.
// Derive("upload-token", "20261130") or Derive("webhook-endpoint", id,
// version): HKDF-SHA256 (RFC 5869) of the root secret, with purpose and
// parts, each length-prefixed, as its info, so no two different lists of
// strings derive the same key and no derived key tells anything of
// another or of the root.
func (v Version) Derive(purpose string, parts ...string) []byte {
	info := binary.BigEndian.AppendUint32(nil, uint32(len(purpose)))
	info = append(info, purpose...)
	for _, p := range parts {
		info = binary.BigEndian.AppendUint32(info, uint32(len(p)))
		info = append(info, p...)
	}
	key, err := hkdf.Expand(sha256.New, v.prk, string(info), sha256.Size)
	if err != nil {
		panic(err) // only a length past 255 hashes fails, and this is one
	}
	return key
}

// Versions are the versions in use.
type Versions struct {
	Current Version
	// Previous is the version the last rotation replaced: it still
	// verifies. Nil when the secret was never rotated.
	Previous *Version
}

// Parse builds Versions from the secrets as their store keeps them;
// previous is nil when there is none.
func Parse(current, previous []byte) (Versions, error) {
	var vs Versions
	var err error
	if vs.Current, err = NewVersion(current); err != nil {
		return vs, fmt.Errorf("current version: %w", err)
	}
	if previous != nil {
		p, err := NewVersion(previous)
		if err != nil {
			return vs, fmt.Errorf("previous version: %w", err)
		}
		vs.Previous = &p
	}
	return vs, nil
}

// ByTag is the version named tag, if it is in use.
func (vs Versions) ByTag(tag string) (Version, bool) {
	switch {
	case tag == vs.Current.tag:
		return vs.Current, true
	case vs.Previous != nil && tag == vs.Previous.tag:
		return *vs.Previous, true
	}
	return Version{}, false
}

// Source is where the root secret lives (the port its stores implement).
type Source interface {
	// Load reads the versions in use.
	Load(ctx context.Context) (Versions, error)
}
