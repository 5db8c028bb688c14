package nativeapi

import (
	"net/http"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// handlerFunc is a route handler that acts for an authenticated principal.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// guard reads the principal the authorizer attached to the API Gateway event,
// enforces scope, runs POSTs under their Idempotency-Key, and writes the
// handler's error in the dialect's shape.
func (a *API) guard(scope string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		p, ok := auth.PrincipalFromRequest(r)
		switch {
		case !ok:
			a.writeError(w, r, files.Errorf(files.KindUnauthenticated, "unauthenticated", "a valid API key is required"))
			return
		case !p.Can(scope):
			a.writeError(w, r, files.Errorf(files.KindForbidden, "missing_scope", "this API key lacks the %s scope", scope))
			return
		}
		run := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := h(w, r, p); err != nil {
				a.writeError(w, r, err)
			}
		})
		// Keys are scoped to project and operation.
		if err := a.Idempotency.Run(w, r, p.ProjectID+"#"+r.Pattern, run); err != nil {
			a.writeError(w, r, err)
		}
	})
}
