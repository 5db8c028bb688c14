// Package compatapi is the HTTP layer of the compat API, in the wire format of
// LlamaCloud's beta Files API (snake_case, {"detail": "..."}), at
// /api/v1/beta/files. It shows only COMPLETED files, over the same records as
// the native API, their IDs spelled as UUIDs. Each route has a typed
// constructor taking exactly what it calls; a function's main passes one of
// them to wiring.HTTP.
package compatapi

import (
	"slices"

	"github.com/filegate/filegate/shared/routeguard"
)

// Prefix is the path under which every request is this dialect's.
const Prefix = "/api/v1/beta/"

// declared are the compat routes, as template.yaml writes them, each declared
// beside its constructor (see nativeapi's).
var declared []string

// declare adds pattern to Routes and returns it.
func declare(pattern string) string {
	declared = append(declared, pattern)
	return pattern
}

// Routes lists every compat route.
func Routes() []string { return slices.Clone(declared) }

// Dialect is the compat envelope around every compat route; its check
// refuses, as FastAPI would, ids that are no UUIDs, then an organization_id
// or project_id that is not the key's.
var Dialect = &routeguard.Dialect{Envelope: envelope, Check: checkRequest}

// Fallback answers the requests under Prefix that no route takes, as
// FastAPI does: {"detail": "Not Found"}, {"detail": "Method Not Allowed"}.
func Fallback() routeguard.Fallback {
	return routeguard.Fallback{Prefix: Prefix, Dialect: Dialect, Routes: Routes()}
}
