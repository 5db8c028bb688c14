package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// ErrUnauthorized is the exact error API Gateway turns into a 401.
var ErrUnauthorized = errors.New("Unauthorized")

// Authorizer is the HTTP API's Lambda authorizer (payload 2.0, simple responses).
type Authorizer struct {
	Keys KeyStore
	// Tokens verifies upload tokens; nil refuses them.
	Tokens TokenVerifier
	Log    *slog.Logger
}

// TokenVerifier checks an upload token's signature and lifetime
// (uploadtoken.Verifier): it returns the token's principal and the hash of
// the API key that minted it, ErrUnauthorized for a token that is forged,
// tampered with, expired or signed with a retired key, and another error
// for a fault.
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (p Principal, keyHash string, err error)
}

// TokenPrefix starts every upload token, as "fgk_" starts every API key.
const TokenPrefix = "fgt_"

// Handle maps "Bearer <key>" to the key's principal. Unknown, malformed or
// revoked keys return ErrUnauthorized (401); storage faults return another
// error, which API Gateway reports as 500 without caching it.
func (a *Authorizer) Handle(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	var header string
	if len(req.IdentitySource) > 0 {
		header = req.IdentitySource[0]
	}
	secret, ok := BearerSecret(header)
	if !ok {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, ErrUnauthorized
	}
	hash, token := Hash(secret), (*Principal)(nil)
	if strings.HasPrefix(secret, TokenPrefix) {
		if a.Tokens == nil {
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, ErrUnauthorized
		}
		p, parent, err := a.Tokens.Verify(ctx, secret)
		if err != nil {
			if !errors.Is(err, ErrUnauthorized) {
				a.Log.ErrorContext(ctx, "token verification failed", "err", err)
			}
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, err
		}
		hash, token = parent, &p
	}
	// A token lives only while the key that minted it does: revoking the
	// key revokes its tokens (at most the authorizer cache's TTL later).
	key, err := a.Keys.GetKey(ctx, hash)
	switch {
	case errors.Is(err, ErrKeyNotFound):
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, ErrUnauthorized
	case err != nil:
		a.Log.ErrorContext(ctx, "key lookup failed", "err", err)
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, errors.New("authorizer unavailable")
	case key.RevokedAt != nil:
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, ErrUnauthorized
	}
	p := Principal{OrganizationID: key.OrganizationID, ProjectID: key.ProjectID, Scopes: key.Scopes, KeyHash: hash}
	if token != nil {
		if token.ProjectID != key.ProjectID || !key.can(ScopeCreate) {
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, ErrUnauthorized
		}
		p = *token
	}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: p.LambdaContext()}, nil
}

// LambdaContext is the authorizer context API Gateway hands to the
// functions (string values: API Gateway passes them through unchanged).
func (p Principal) LambdaContext() map[string]any {
	c := map[string]any{
		"organizationId": p.OrganizationID,
		"projectId":      p.ProjectID,
		"scopes":         strings.Join(p.Scopes, " "),
		"keyHash":        p.KeyHash,
	}
	if t := p.Token; t != nil {
		c["tokenId"] = t.ID
		c["tokenExpiresAt"] = strconv.FormatInt(t.ExpiresAt.Unix(), 10)
		c["tokenMaxFiles"] = strconv.Itoa(t.MaxFiles)
		c["tokenMaxBytes"] = strconv.FormatInt(t.MaxBytes, 10)
		c["tokenMimeTypes"] = strings.Join(t.MimeTypes, " ")
		c["tokenPurpose"] = t.Purpose
	}
	return c
}

// PrincipalFromRequest is the principal the authorizer attached to the API
// Gateway event behind r (through aws-lambda-go-api-proxy's context); ok is
// false for a request that did not pass the authorizer.
func PrincipalFromRequest(r *http.Request) (Principal, bool) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil {
		return Principal{}, false
	}
	return PrincipalFromLambdaContext(rc.Authorizer.Lambda)
}

// PrincipalFromLambdaContext reads what LambdaContext wrote; ok is false when
// the request did not pass the authorizer.
func PrincipalFromLambdaContext(c map[string]any) (Principal, bool) {
	org, _ := c["organizationId"].(string)
	project, _ := c["projectId"].(string)
	scopes, _ := c["scopes"].(string)
	if project == "" {
		return Principal{}, false
	}
	hash, _ := c["keyHash"].(string)
	p := Principal{OrganizationID: org, ProjectID: project, Scopes: strings.Fields(scopes), KeyHash: hash}
	if id, _ := c["tokenId"].(string); id != "" {
		t, ok := tokenFromContext(id, c)
		if !ok {
			return Principal{}, false // a token context we cannot read grants nothing
		}
		p.Scopes, p.KeyHash, p.Token = nil, "", t
	}
	return p, true
}

func tokenFromContext(id string, c map[string]any) (*Token, bool) {
	str := func(k string) string { v, _ := c[k].(string); return v }
	exp, err1 := strconv.ParseInt(str("tokenExpiresAt"), 10, 64)
	files, err2 := strconv.Atoi(str("tokenMaxFiles"))
	bytes, err3 := strconv.ParseInt(str("tokenMaxBytes"), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, false
	}
	return &Token{ID: id, ExpiresAt: time.Unix(exp, 0).UTC(), MaxFiles: files, MaxBytes: bytes,
		MimeTypes: strings.Fields(str("tokenMimeTypes")), Purpose: str("tokenPurpose")}, true
}
