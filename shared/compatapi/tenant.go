package compatapi

import (
	"net/http"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/routeguard"
)

// checkTenant enforces LlamaCloud's optional organization_id and project_id:
// a key reaches exactly one organization and project, so naming any other is
// refused, never answered with the key's own data. Both are compared as
// UUIDs, whatever their spelling.
func checkTenant(p auth.Principal, organizationID, projectID string) error {
	if organizationID != "" && !sameUUID(organizationID, p.OrganizationID) {
		return files.Errorf(files.KindForbidden, "no_access", "this API key has no access to the requested organization")
	}
	if projectID != "" && !sameUUID(projectID, p.ProjectID) {
		return files.Errorf(files.KindForbidden, "no_access", "this API key has no access to the requested project")
	}
	return nil
}

func sameUUID(a, b string) bool {
	x, problem := parseUUID(a)
	y, other := parseUUID(b)
	return problem == "" && other == "" && x == y
}

// checkRequest is the guard's dialect-specific check, run before every
// compat route's handler: what FastAPI validates first (the file id in the
// path and the tenant ids in the query are UUIDs: 422 otherwise, all
// problems at once), then the tenant the query names. A file id may also be
// the native fil_ spelling.
func checkRequest(r *http.Request, p auth.Principal) error {
	var bad invalidFields
	if id := r.PathValue("id"); id != "" && routeguard.PathFile(r).IsZero() { // the route parsed no file from it
		if _, problem := parseUUID(id); problem != "" {
			bad = append(bad, uuidParsing(id, problem, "path", "file_id"))
		}
	}
	q := r.URL.Query()
	for _, name := range []string{"organization_id", "project_id"} {
		if v := q.Get(name); v != "" {
			if _, problem := parseUUID(v); problem != "" {
				bad = append(bad, uuidParsing(v, problem, "query", name))
			}
		}
	}
	if len(bad) > 0 {
		return bad
	}
	return checkTenant(p, q.Get("organization_id"), q.Get("project_id"))
}
