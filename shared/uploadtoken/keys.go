package uploadtoken

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/filegate/filegate/shared/rootsecret"
)

// SigningKey is one HMAC key. ID names the UTC day it signs in and the
// root-secret version it derives from: "<yyyymmdd>-<version tag>".
type SigningKey struct {
	ID     string
	Secret []byte
}

// KeyRing gives the signing keys. None is stored anywhere: each is derived
// from the root secret (rootsecret.Version.Derive("upload-token", day)), so
// nothing that reads the files table or its stream can sign a token.
type KeyRing struct{ Root *rootsecret.Cache }

// ErrUnknownKey is a key id no key in use has: a token of another day, of
// a retired root version, or made up.
var ErrUnknownKey = errors.New("unknown signing key")

// RotationPeriod is how long one key signs: a new key starts each UTC day.
// A token verifies only with its day's key or, for a token minted just
// before midnight, the previous day's, so a leaked day key is useless a
// day and an hour after its day began.
const RotationPeriod = 24 * time.Hour

// keyPurpose names upload tokens' keys among what the root secret derives.
const keyPurpose = "upload-token"

// day names the day holding t.
func day(t time.Time) string { return t.UTC().Format("20060102") }

// Signing is the key that signs a token issued at t: t's day's key of the
// current root version.
func (r KeyRing) Signing(ctx context.Context, t time.Time) (SigningKey, error) {
	vs, err := r.Root.Versions(ctx)
	if err != nil {
		return SigningKey{}, err
	}
	return derive(vs.Current, day(t)), nil
}

// Verifying is the key id names, if it may verify at now: its day is now's
// or the one MaxLifetime+grace before (a token minted before midnight), and
// its root version is in use (current, or previous until the next
// rotation). Otherwise ErrUnknownKey.
func (r KeyRing) Verifying(ctx context.Context, id string, now time.Time, grace time.Duration) (SigningKey, error) {
	d, tag, ok := strings.Cut(id, "-")
	if !ok || (d != day(now) && d != day(now.Add(-MaxLifetime-grace))) {
		return SigningKey{}, ErrUnknownKey
	}
	v, ok, err := r.Root.Lookup(ctx, tag)
	if err != nil {
		return SigningKey{}, err
	}
	if !ok {
		return SigningKey{}, ErrUnknownKey
	}
	return derive(v, d), nil
}

func derive(v rootsecret.Version, d string) SigningKey {
	return SigningKey{ID: d + "-" + v.Tag(), Secret: v.Derive(keyPurpose, d)}
}
