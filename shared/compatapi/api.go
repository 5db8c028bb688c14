// Package compatapi is the HTTP layer of the compat API, in the wire format of
// LlamaCloud's beta Files API (snake_case, {"detail": "..."}), at
// /api/v1/beta/files. It shows only COMPLETED files, over the same records as
// the native API, their IDs spelled as UUIDs.
package compatapi

import (
	"log/slog"
	"net/http"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
	"github.com/filegate/filegate/shared/routeguard"
)

// API serves the compat routes over the file service.
type API struct {
	files *files.Service
	log   *slog.Logger
	guard *routeguard.Guard
}

// New returns the compat API; idem (may be nil) makes POSTs honour
// Idempotency-Key.
func New(svc *files.Service, log *slog.Logger, idem *idempotency.Keys) *API {
	a := &API{files: svc, log: log}
	a.guard = &routeguard.Guard{WriteError: a.writeError, Idempotency: idem, Check: checkQueryTenant}
	return a
}

// Routes maps each route, written as in template.yaml, to its handler. Each
// Lambda serves one of them; tenant and scope are checked before the handler runs.
func (a *API) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"POST /api/v1/beta/files":             a.guard.Route(auth.ScopeCreate, a.upload),
		"GET /api/v1/beta/files":              a.guard.Route(auth.ScopeRead, a.list),
		"POST /api/v1/beta/files/query":       a.guard.Route(auth.ScopeRead, a.query),
		"GET /api/v1/beta/files/{id}":         a.guard.Route(auth.ScopeRead, a.get),
		"DELETE /api/v1/beta/files/{id}":      a.guard.Route(auth.ScopeCreate, a.delete),
		"GET /api/v1/beta/files/{id}/content": a.guard.Route(auth.ScopeRead, a.content),
	}
}
