// Package compatapi is the HTTP layer of the compat API, in the wire format of
// LlamaCloud's beta Files API (snake_case, {"detail": "..."}), at
// /api/v1/beta/files. It shows only COMPLETED files, over the same records and
// IDs as the native API.
package compatapi

import (
	"log/slog"
	"net/http"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
)

// API serves the compat routes over the file service.
type API struct {
	files *files.Service
	log   *slog.Logger
	// Idempotency, when set, makes POSTs honour Idempotency-Key.
	Idempotency *idempotency.Keys
}

// New returns the compat API.
func New(svc *files.Service, log *slog.Logger) *API { return &API{files: svc, log: log} }

// Routes maps each route, written as in template.yaml, to its handler. Each
// Lambda serves one of them; tenant and scope are checked before the handler runs.
func (a *API) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"POST /api/v1/beta/files":             a.guard(auth.ScopeCreate, a.upload),
		"GET /api/v1/beta/files":              a.guard(auth.ScopeRead, a.list),
		"POST /api/v1/beta/files/query":       a.guard(auth.ScopeRead, a.query),
		"GET /api/v1/beta/files/{id}":         a.guard(auth.ScopeRead, a.get),
		"DELETE /api/v1/beta/files/{id}":      a.guard(auth.ScopeCreate, a.delete),
		"GET /api/v1/beta/files/{id}/content": a.guard(auth.ScopeRead, a.content),
	}
}
