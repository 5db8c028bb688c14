package fileevents

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"slices"
	"strconv"
	"time"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/rootsecret"
)

// Endpoint is a project's webhook receiver.
type Endpoint struct {
	ID             string
	ProjectID      string
	OrganizationID string
	URL            string
	EventTypes     []Type
	CreatedAt      time.Time
	// Secret names the signing secret: it is derived from the root secret
	// (SecretRef.Key), never stored. Previous is the one a rotation
	// replaced, still signing beside it until PreviousUntil.
	Secret        SecretRef
	Previous      *SecretRef
	PreviousUntil time.Time
}

// SecretRef names an endpoint secret: its version (1, then one more per
// rotation) and the tag of the root secret's version it derives from.
type SecretRef struct {
	Version int
	RootTag string
}

// Wants reports whether the endpoint subscribed to t.
func (e *Endpoint) Wants(t Type) bool { return slices.Contains(e.EventTypes, t) }

// RotationOverlap is how long a replaced secret keeps signing beside the
// new one, so a receiver can switch without missing a delivery.
const RotationOverlap = 24 * time.Hour

// MaxEndpoints bounds a project's endpoints: each event is delivered to
// every one that wants it.
const MaxEndpoints = 10

// secretPrefix is Standard Webhooks' spelling of a secret: "whsec_" and the
// key in base64.
const secretPrefix = "whsec_"

// Root is the root secret's versions (rootsecret.Cache).
type Root interface {
	Versions(ctx context.Context) (rootsecret.Versions, error)
	Lookup(ctx context.Context, tag string) (rootsecret.Version, bool, error)
}

// key derives ref's key for endpoint id: HKDF of the root version ref
// names, purpose "webhook-endpoint", the endpoint and the version.
func (ref SecretRef) key(ctx context.Context, root Root, endpointID string) ([]byte, error) {
	v, ok, err := root.Lookup(ctx, ref.RootTag)
	if err != nil {
		return nil, files.Unavailable("the root secret", err)
	}
	if !ok {
		return nil, files.Errorf(files.KindConflict, "secret_retired",
			"the root secret version this endpoint's secret derives from was rotated away: rotate the endpoint's secret")
	}
	return v.Derive("webhook-endpoint", endpointID, strconv.Itoa(ref.Version)), nil
}

// SecretString spells a key as receivers configure it.
func SecretString(key []byte) string { return secretPrefix + base64.StdEncoding.EncodeToString(key) }

// SigningKeys are the keys a delivery to e is signed with at now: its
// secret's, and during a rotation the previous one's too.
func (e *Endpoint) SigningKeys(ctx context.Context, root Root, now time.Time) ([][]byte, error) {
	k, err := e.Secret.key(ctx, root, e.ID)
	if err != nil {
		return nil, err
	}
	keys := [][]byte{k}
	if e.Previous != nil && now.Before(e.PreviousUntil) {
		if old, err := e.Previous.key(ctx, root, e.ID); err == nil {
			keys = append(keys, old)
		}
	}
	return keys, nil
}

// NewEndpointID is "we_" and 26 random, time-ordered characters.
func NewEndpointID(now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[6:])
	ms := uint64(now.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	return "we_" + idEncoding.EncodeToString(b[:])
}

// ValidEndpointID reports whether s is spelled as NewEndpointID spells ids.
func ValidEndpointID(s string) bool {
	if len(s) != 29 || s[:3] != "we_" {
		return false
	}
	b, err := idEncoding.DecodeString(s[3:])
	return err == nil && len(b) == 16 && idEncoding.EncodeToString(b) == s[3:]
}
