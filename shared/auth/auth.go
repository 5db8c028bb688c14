// Package auth is API-key authentication: keys are random secrets shown once,
// stored only as SHA-256 hashes, each bound to one organization and project
// with a set of scopes.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"
)

// Scopes a key may carry.
const (
	ScopeCreate = "files:create"
	ScopeRead   = "files:read"
	// ScopeWebhooks manages the project's webhook endpoints (register,
	// list, delete, rotate secrets, the delivery log, replay): a receiver
	// learns of every file, so this is granted apart from reading files.
	ScopeWebhooks = "webhooks:manage"
)

// Principal is who a request acts for: an API key's tenant and scopes, or
// an upload token (Token set, no scopes).
type Principal struct {
	OrganizationID string
	ProjectID      string
	Scopes         []string
	// KeyHash names the API key (Hash of its secret); empty for a token.
	KeyHash string
	Token   *Token
}

// Token is what an upload token allows (shared/uploadtoken mints and
// verifies them): the routes that accept tokens create at most MaxFiles
// files of MaxBytes in all, of MimeTypes (any when empty) and Purpose (any
// when empty), and read, upload (part URLs, stored parts, a fresh PUT
// URL), complete or cancel only the files it created, until ExpiresAt.
type Token struct {
	ID        string
	ExpiresAt time.Time
	MaxFiles  int
	MaxBytes  int64
	MimeTypes []string
	Purpose   string
}

// Can reports whether the principal holds scope.
func (p Principal) Can(scope string) bool { return slices.Contains(p.Scopes, scope) }

func (k *Key) can(scope string) bool { return slices.Contains(k.Scopes, scope) }

// Key is a stored API key; the secret itself is never stored.
type Key struct {
	Hash           string
	OrganizationID string
	ProjectID      string
	Scopes         []string
	CreatedAt      time.Time
	RevokedAt      *time.Time
}

// KeyStore keeps API keys by hash.
type KeyStore interface {
	// GetKey returns ErrKeyNotFound for an unknown hash.
	GetKey(ctx context.Context, hash string) (*Key, error)
	PutKey(ctx context.Context, k *Key) error
	// RevokeKey marks the key revoked; ErrKeyNotFound if there is none.
	RevokeKey(ctx context.Context, hash string, at time.Time) error
}

// ErrKeyNotFound is what a KeyStore returns for a hash it does not hold.
var ErrKeyNotFound = errors.New("API key not found")

// Hash is the stored form of a secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Mint creates a key for a project and returns the secret, to be shown once.
func Mint(ctx context.Context, store KeyStore, orgID, projectID string, scopes []string, now time.Time) (string, error) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	secret := "fgk_" + base64.RawURLEncoding.EncodeToString(b[:])
	err := store.PutKey(ctx, &Key{Hash: Hash(secret), OrganizationID: orgID, ProjectID: projectID, Scopes: scopes, CreatedAt: now.UTC()})
	return secret, err
}

// Rotate mints a key with the same tenant and scopes as secret's, then
// revokes the old one. Callers that cached the old key keep access until
// the authorizer cache expires (AuthorizerCacheTtlSeconds).
func Rotate(ctx context.Context, store KeyStore, secret string, now time.Time) (string, error) {
	old, err := store.GetKey(ctx, Hash(secret))
	if err != nil {
		return "", err
	}
	fresh, err := Mint(ctx, store, old.OrganizationID, old.ProjectID, old.Scopes, now)
	if err != nil {
		return "", err
	}
	return fresh, store.RevokeKey(ctx, old.Hash, now)
}

// BearerSecret extracts the secret from an Authorization header value.
func BearerSecret(header string) (string, bool) {
	scheme, secret, ok := strings.Cut(strings.TrimSpace(header), " ")
	secret = strings.TrimSpace(secret)
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return "", false
	}
	return secret, true
}

// ValidUUID reports whether s is a canonical UUID (8-4-4-4-12 hex digits):
// project and organization IDs are UUIDs.
func ValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}
