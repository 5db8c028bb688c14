package nativeapi

import (
	"net/http"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// handlerFunc is a route handler that acts for an authenticated principal.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// guard reads the principal the authorizer attached to the API Gateway event,
// enforces scope, and writes the handler's error in the dialect's shape.
func (a *API) guard(scope string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		p, ok := principal(r)
		var err error
		switch {
		case !ok:
			err = files.Errorf(files.KindUnauthenticated, "unauthenticated", "a valid API key is required")
		case !p.Can(scope):
			err = files.Errorf(files.KindForbidden, "missing_scope", "this API key lacks the %s scope", scope)
		default:
			err = h(w, r, p)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

func principal(r *http.Request) (auth.Principal, bool) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil {
		return auth.Principal{}, false
	}
	return auth.PrincipalFromLambdaContext(rc.Authorizer.Lambda)
}
