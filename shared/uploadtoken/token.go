// Package uploadtoken is Filegate's browser credential: a short-lived,
// HMAC-signed token a server holding an API key mints for one web page, so
// the key itself never reaches the browser. Minting writes nothing: the
// token carries its own limits and expiry, signed with the current signing
// key (KeyRing). Its file and byte budget is one item per token, written
// only by that token's own creates (dynamostore.TokenLedger;
// docs/ARCHITECTURE.md "Limits and lifetimes").
//
// Wire form: "fgt_" + keyID + "." + base64url(JSON claims) + "." +
// base64url(HMAC-SHA256(secret, everything before the last dot)), base64url
// unpadded and canonical: a token has exactly one valid spelling.
package uploadtoken

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/filegate/filegate/shared/auth"
)

// Lifetimes (docs/ARCHITECTURE.md "Limits and lifetimes").
const (
	DefaultLifetime = 15 * time.Minute
	MaxLifetime     = time.Hour
	MinLifetime     = time.Minute
)

// claims is what a token says; short JSON names keep it small in a header.
type claims struct {
	ID        string   `json:"jti"`
	Org       string   `json:"org"`
	Project   string   `json:"prj"`
	KeyHash   string   `json:"key"` // the minting API key: revoking it revokes the token
	IssuedAt  int64    `json:"iat"`
	ExpiresAt int64    `json:"exp"`
	MaxFiles  int      `json:"mf"`
	MaxBytes  int64    `json:"mb"`
	MimeTypes []string `json:"mt,omitempty"`
	Purpose   string   `json:"pu,omitempty"`
}

// Grant is one token's scope as the mint endpoint accepted it.
type Grant struct {
	auth.Token
	OrganizationID string
	ProjectID      string
	KeyHash        string
	IssuedAt       time.Time
}

// Sign encodes g with key.
func Sign(g Grant, key SigningKey) string {
	c := claims{ID: g.ID, Org: g.OrganizationID, Project: g.ProjectID, KeyHash: g.KeyHash,
		IssuedAt: g.IssuedAt.Unix(), ExpiresAt: g.ExpiresAt.Unix(), MaxFiles: g.MaxFiles,
		MaxBytes: g.MaxBytes, MimeTypes: g.MimeTypes, Purpose: g.Purpose}
	body, _ := json.Marshal(c) // plain fields: cannot fail
	signed := auth.TokenPrefix + key.ID + "." + base64.RawURLEncoding.EncodeToString(body)
	return signed + "." + base64.RawURLEncoding.EncodeToString(mac(key, signed))
}

func mac(key SigningKey, signed string) []byte {
	h := hmac.New(sha256.New, key.Secret)
	h.Write([]byte(signed))
	return h.Sum(nil)
}

// Verifier checks tokens for the authorizer (auth.TokenVerifier).
type Verifier struct {
	Keys KeyRing
	Now  func() time.Time
}

var _ auth.TokenVerifier = (*Verifier)(nil)

// Verify returns the principal a token acts as and the hash of the key that
// minted it. Every way a token can be wrong is auth.ErrUnauthorized (API
// Gateway's 401): the client learns nothing about which check failed.
func (v *Verifier) Verify(ctx context.Context, token string) (auth.Principal, string, error) {
	c, err := open(ctx, v.Keys, token, v.Now(), 0)
	if err != nil {
		return auth.Principal{}, "", err
	}
	g := c.grant()
	return auth.Principal{OrganizationID: g.OrganizationID, ProjectID: g.ProjectID, Token: &g.Token}, g.KeyHash, nil
}

// open checks a token's signature and lifetime at now, accepting one that
// expired less than grace ago (a renewal's).
func open(ctx context.Context, keys KeyRing, token string, now time.Time, grace time.Duration) (claims, error) {
	var c claims
	signed, sig, ok := cutLast(token)
	rest, found := strings.CutPrefix(signed, auth.TokenPrefix)
	kid, body, ok2 := strings.Cut(rest, ".")
	if !ok || !found || !ok2 {
		return c, auth.ErrUnauthorized
	}
	key, err := keys.Verifying(ctx, kid, now, grace)
	if errors.Is(err, ErrUnknownKey) {
		return c, auth.ErrUnauthorized // another day's, a retired root version's, or made up
	}
	if err != nil {
		return c, err
	}
	got, ok1 := canonical(sig)
	raw, ok2 := canonical(body)
	if !ok1 || !ok2 || !hmac.Equal(got, mac(key, signed)) {
		return c, auth.ErrUnauthorized
	}
	if json.Unmarshal(raw, &c) != nil || c.ID == "" || c.Project == "" || c.KeyHash == "" {
		return c, auth.ErrUnauthorized
	}
	exp := time.Unix(c.ExpiresAt, 0)
	if !now.Before(exp.Add(grace)) || exp.Sub(time.Unix(c.IssuedAt, 0)) > MaxLifetime {
		return c, auth.ErrUnauthorized
	}
	return c, nil
}

// canonical decodes a base64url part of a token, refusing every spelling
// but the one Sign writes: a token has exactly one valid spelling. The
// strict decoder refuses set padding bits (a 32-byte signature's last
// character carries two, so four spellings would otherwise verify); only
// re-encoding refuses the CR and LF it skips.
func canonical(part string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(part)
	return b, err == nil && base64.RawURLEncoding.EncodeToString(b) == part
}

func (c claims) grant() Grant {
	return Grant{
		Token: auth.Token{ID: c.ID, ExpiresAt: time.Unix(c.ExpiresAt, 0).UTC(), MaxFiles: c.MaxFiles,
			MaxBytes: c.MaxBytes, MimeTypes: c.MimeTypes, Purpose: c.Purpose},
		OrganizationID: c.Org, ProjectID: c.Project, KeyHash: c.KeyHash, IssuedAt: time.Unix(c.IssuedAt, 0).UTC(),
	}
}

func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}
