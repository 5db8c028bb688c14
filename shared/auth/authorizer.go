package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// ErrUnauthorized is the exact error API Gateway turns into a 401.
var ErrUnauthorized = errors.New("Unauthorized")

// Authorizer is the HTTP API's Lambda authorizer (payload 2.0, simple responses).
type Authorizer struct {
	Keys KeyStore
	Log  *slog.Logger
}

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
	key, err := a.Keys.GetKey(ctx, Hash(secret))
	switch {
	case errors.Is(err, ErrKeyNotFound):
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, ErrUnauthorized
	case err != nil:
		a.Log.ErrorContext(ctx, "key lookup failed", "err", err)
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, errors.New("authorizer unavailable")
	case key.RevokedAt != nil:
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, ErrUnauthorized
	}
	p := Principal{OrganizationID: key.OrganizationID, ProjectID: key.ProjectID, Scopes: key.Scopes}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: p.LambdaContext()}, nil
}

// LambdaContext is the authorizer context API Gateway hands to the functions.
func (p Principal) LambdaContext() map[string]any {
	return map[string]any{
		"organizationId": p.OrganizationID,
		"projectId":      p.ProjectID,
		"scopes":         strings.Join(p.Scopes, " "),
	}
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
	return Principal{OrganizationID: org, ProjectID: project, Scopes: strings.Fields(scopes)}, true
}
