// Package compatapi is the HTTP layer of the compat API, in the wire format of
// LlamaCloud's beta Files API (snake_case, {"detail": "..."}), at
// /api/v1/beta/files. It shows only COMPLETED files, over the same records as
// the native API, their IDs spelled as UUIDs. Each route has a typed
// constructor taking exactly what it calls; a function's main passes one of
// them to wiring.HTTP.
package compatapi

import "github.com/filegate/filegate/shared/routeguard"

// Prefix is the path under which every request is this dialect's.
const Prefix = "/api/v1/beta/"

// The compat routes, as template.yaml writes them.
const (
	routeUpload  = "POST /api/v1/beta/files"
	routeList    = "GET /api/v1/beta/files"
	routeQuery   = "POST /api/v1/beta/files/query"
	routeGet     = "GET /api/v1/beta/files/{id}"
	routeDelete  = "DELETE /api/v1/beta/files/{id}"
	routeContent = "GET /api/v1/beta/files/{id}/content"
)

// Routes lists every compat route.
func Routes() []string {
	return []string{routeUpload, routeList, routeQuery, routeGet, routeDelete, routeContent}
}

// Dialect is the compat envelope around every compat route; its check
// refuses, as FastAPI would, ids that are no UUIDs, then an organization_id
// or project_id that is not the key's.
var Dialect = &routeguard.Dialect{Envelope: envelope, Check: checkRequest}

// Fallback answers the requests under Prefix that no route takes, as
// FastAPI does: {"detail": "Not Found"}, {"detail": "Method Not Allowed"}.
func Fallback() routeguard.Fallback {
	return routeguard.Fallback{Prefix: Prefix, Dialect: Dialect, Routes: Routes()}
}
