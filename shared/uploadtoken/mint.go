package uploadtoken

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"slices"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// Bounds of what one token may allow. MaxFilesLimit also bounds the token's
// ledger item, which lists the files it created (far below DynamoDB's 400 KB).
const (
	DefaultMaxFiles = 10
	MaxFilesLimit   = 100
	maxMimeTypes    = 50
)

// Request is what a server asks a token to allow; zero values take the
// defaults (15 minutes, 10 files, the service's per-file limit in all, any
// MIME type, any purpose).
type Request struct {
	ExpiresIn time.Duration
	MaxFiles  int
	MaxBytes  int64
	MimeTypes []string
	Purpose   string
	// Renew, a token of the caller's project (live, or expired less than
	// RenewGrace ago) whose minting API key is still live, makes the new
	// token continue it: the same id, so the same budget and the same
	// files, with the same limits and a new lifetime. The host page's
	// refresh callback uses it for long uploads.
	Renew string
}

// RenewGrace is how long after its expiry a token can still be renewed: as
// long as a default single-PUT session (and a default token's whole life),
// so a page whose token ran out during an upload it started can still
// complete it. A page back from a longer sleep asks its host for a new
// token instead (a new budget, which the host decides on).
const RenewGrace = 15 * time.Minute

// KeyLookup reads API keys (auth.KeyStore's read).
type KeyLookup interface {
	GetKey(ctx context.Context, hash string) (*auth.Key, error)
}

// Ledger is the upload tokens' ledger (dynamostore.TokenLedger): one item
// per token (docs/ARCHITECTURE.md "Limits and lifetimes"). The routes tokens
// may call (routeguard.Route.Tokens) check and charge it.
type Ledger interface {
	// Owns reports whether the token created the file.
	Owns(ctx context.Context, tokenID string, file files.FileID) (bool, error)
	// Charge counts a new file against the token's budget, once per file id
	// (a retry of a keyed create charges nothing more), or refuses it with
	// a 403 naming the limit (ByteLimit, token_file_limit).
	Charge(ctx context.Context, t *auth.Token, file files.FileID, sizeBytes int64) error
}

// Minter mints tokens for API keys (POST /v1/upload-tokens).
type Minter struct {
	Keys KeyRing
	// APIKeys reads the key that minted a token being renewed: a token
	// dies with its key, and its renewals with it.
	APIKeys KeyLookup
	// MaxBytes is the default byte budget: the largest file the service takes.
	MaxBytes int64
	// Purposes are the known purposes (files.Config.Purposes).
	Purposes map[string]files.Purpose
	Now      func() time.Time
}

// Minted is a token and what it allows.
type Minted struct {
	Token string
	Grant Grant
}

// Mint checks req against the bounds and signs a token for p, the API key
// keyHash names. It writes nothing.
func (m *Minter) Mint(ctx context.Context, p auth.Principal, keyHash string, req Request) (*Minted, error) {
	if keyHash == "" { // only an API key, named by the authorizer, mints
		return nil, files.Errorf(files.KindUnauthenticated, "unauthenticated", "an API key is required to mint upload tokens")
	}
	g, err := m.grant(p, keyHash, req)
	if err == nil && req.Renew != "" {
		err = m.renew(ctx, &g, req.Renew)
	}
	if err != nil {
		return nil, err
	}
	key, err := m.Keys.Signing(ctx, g.IssuedAt)
	if err != nil {
		return nil, files.Unavailable("the token signing key", err)
	}
	return &Minted{Token: Sign(g, key), Grant: g}, nil
}

// renew gives g the identity and limits of the token it continues.
func (m *Minter) renew(ctx context.Context, g *Grant, token string) error {
	c, err := open(ctx, m.Keys, token, g.IssuedAt, RenewGrace)
	if err != nil && !errors.Is(err, auth.ErrUnauthorized) {
		return files.Unavailable("the token signing key", err)
	}
	if err != nil || c.Project != g.ProjectID {
		return files.Errorf(files.KindInvalid, "invalid_renew", "renew must be an upload token of this project that expired less than %s ago", RenewGrace).WithParam("renew")
	}
	if err := m.mintingKeyLive(ctx, c); err != nil {
		return err
	}
	old := c.grant()
	g.ID, g.MaxFiles, g.MaxBytes, g.MimeTypes, g.Purpose = old.ID, old.MaxFiles, old.MaxBytes, old.MimeTypes, old.Purpose
	return nil
}

// mintingKeyLive refuses to continue a token the authorizer would refuse
// for its key (revoked, gone, of another project, without files:create),
// whichever key of the project asks: the check is the API's, not the host's.
func (m *Minter) mintingKeyLive(ctx context.Context, c claims) error {
	if m.APIKeys == nil {
		return files.Unavailable("the API keys", errors.New("uploadtoken: Minter.APIKeys is not set"))
	}
	k, err := m.APIKeys.GetKey(ctx, c.KeyHash)
	if err != nil && !errors.Is(err, auth.ErrKeyNotFound) {
		return files.Unavailable("the API keys", err)
	}
	if err != nil || k.RevokedAt != nil || k.ProjectID != c.Project || !slices.Contains(k.Scopes, auth.ScopeCreate) {
		return files.Errorf(files.KindInvalid, "invalid_renew", "renew names an upload token whose API key is revoked (or may no longer mint it): mint a new token").WithParam("renew")
	}
	return nil
}

func (m *Minter) grant(p auth.Principal, keyHash string, req Request) (Grant, error) {
	now := m.Now().UTC().Truncate(time.Second)
	g := Grant{OrganizationID: p.OrganizationID, ProjectID: p.ProjectID, KeyHash: keyHash, IssuedAt: now}
	life := req.ExpiresIn
	if life == 0 {
		life = DefaultLifetime
	}
	if life < MinLifetime || life > MaxLifetime || life%time.Second != 0 {
		return g, files.Errorf(files.KindInvalid, "invalid_expires_in", "expiresInSeconds must be an integer from %d to %d", int(MinLifetime.Seconds()), int(MaxLifetime.Seconds())).WithParam("expiresInSeconds")
	}
	g.ExpiresAt = now.Add(life)
	g.MaxFiles, g.MaxBytes = req.MaxFiles, req.MaxBytes
	if g.MaxFiles == 0 {
		g.MaxFiles = DefaultMaxFiles
	}
	if g.MaxFiles < 1 || g.MaxFiles > MaxFilesLimit {
		return g, files.Errorf(files.KindInvalid, "invalid_max_files", "maxFiles must be an integer from 1 to %d", MaxFilesLimit).WithParam("maxFiles")
	}
	if g.MaxBytes == 0 {
		g.MaxBytes = m.MaxBytes
	}
	if g.MaxBytes < 1 || g.MaxBytes > int64(g.MaxFiles)*m.MaxBytes {
		return g, files.Errorf(files.KindInvalid, "invalid_max_bytes", "maxBytes must be an integer from 1 to maxFiles × %d", m.MaxBytes).WithParam("maxBytes")
	}
	if len(req.MimeTypes) > maxMimeTypes {
		return g, files.Errorf(files.KindInvalid, "invalid_mime_types", "mimeTypes may list at most %d types", maxMimeTypes).WithParam("mimeTypes")
	}
	for _, v := range req.MimeTypes {
		mt, err := files.NormalizeMimeType(v)
		if err != nil {
			return g, files.Errorf(files.KindInvalid, "invalid_mime_types", "mimeTypes: %q is not a MIME type", v).WithParam("mimeTypes")
		}
		if !slices.Contains(g.MimeTypes, mt) {
			g.MimeTypes = append(g.MimeTypes, mt)
		}
	}
	if req.Purpose != "" {
		if _, ok := m.Purposes[req.Purpose]; !ok {
			return g, files.Errorf(files.KindInvalid, "invalid_purpose", "purpose %q is not a known purpose", req.Purpose).WithParam("purpose")
		}
	}
	g.Purpose = req.Purpose
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never returns an error
	g.ID = "utk_" + base64.RawURLEncoding.EncodeToString(id[:])
	return g, nil
}

// CheckDeclaration refuses a create a token does not allow, before anything
// is written: a MIME type or purpose outside the token's, or a file larger
// than its whole byte budget. A missing purpose takes the token's. The
// budget itself (files and bytes so far) is the ledger's to charge.
func CheckDeclaration(t *auth.Token, in *files.CreateInput) error {
	if len(t.MimeTypes) > 0 {
		mt, err := files.NormalizeMimeType(in.MimeType)
		if err == nil && !slices.Contains(t.MimeTypes, mt) {
			return files.Errorf(files.KindForbidden, "token_mime_type", "this upload token does not allow %s files (allowed: %v)", mt, t.MimeTypes).On(files.FieldMimeType)
		}
	}
	switch {
	case t.Purpose != "" && in.Purpose == "":
		in.Purpose = t.Purpose
	case t.Purpose != "" && in.Purpose != t.Purpose:
		return files.Errorf(files.KindForbidden, "token_purpose", "this upload token allows only purpose %q", t.Purpose).On(files.FieldPurpose)
	}
	if in.SizeBytes > t.MaxBytes {
		return ByteLimit(t)
	}
	return nil
}

// ByteLimit refuses a file that would take a token past its byte budget.
func ByteLimit(t *auth.Token) error {
	return files.Errorf(files.KindForbidden, "token_byte_limit", "this upload token allows at most %d bytes in all", t.MaxBytes).On(files.FieldSizeBytes)
}
