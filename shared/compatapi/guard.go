package compatapi

import (
	"net/http"
	"strings"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// handlerFunc is a route handler that acts for an authenticated principal.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// guard reads the principal the authorizer attached to the API Gateway event,
// checks the tenant the request names and the scope, and writes the
// handler's error in the dialect's shape.
func (a *API) guard(scope string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		p, ok := auth.PrincipalFromRequest(r)
		var err error
		switch {
		case !ok:
			err = files.Errorf(files.KindUnauthenticated, "unauthenticated", "a valid API key is required")
		default:
			err = checkTenant(p, r.URL.Query().Get("organization_id"), r.URL.Query().Get("project_id"))
		}
		switch {
		case err != nil:
		case !p.Can(scope):
			err = files.Errorf(files.KindForbidden, "missing_scope", "this API key lacks the %s scope", scope)
		default:
			run := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := h(w, r, p); err != nil {
					a.writeError(w, r, err)
				}
			})
			// Keys are scoped to project and operation.
			err = a.Idempotency.Run(w, r, p.ProjectID+"#"+r.Pattern, run)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

// checkTenant enforces LlamaCloud's optional organization_id and project_id:
// a key reaches exactly one organization and project, so naming any other is
// refused, never answered with the key's own data.
func checkTenant(p auth.Principal, organizationID, projectID string) error {
	if organizationID != "" && !strings.EqualFold(organizationID, p.OrganizationID) {
		return files.Errorf(files.KindForbidden, "no_access", "this API key has no access to the requested organization")
	}
	if projectID != "" && !strings.EqualFold(projectID, p.ProjectID) {
		return files.Errorf(files.KindForbidden, "no_access", "this API key has no access to the requested project")
	}
	return nil
}
