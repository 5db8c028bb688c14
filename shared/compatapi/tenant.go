package compatapi

import (
	"net/http"
	"strings"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

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

// checkQueryTenant applies checkTenant to the query parameters every compat
// route accepts; it is the guard's dialect-specific check.
func checkQueryTenant(r *http.Request, p auth.Principal) error {
	return checkTenant(p, r.URL.Query().Get("organization_id"), r.URL.Query().Get("project_id"))
}
