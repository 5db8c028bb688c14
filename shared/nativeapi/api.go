// Package nativeapi is the HTTP layer of the native API, in the Lightfield
// Files API wire format (camelCase, {"error": {...}}), at /v1/files.
package nativeapi

import (
	"log/slog"
	"net/http"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
	"github.com/filegate/filegate/shared/routeguard"
)

// API serves the native routes over the file service.
type API struct {
	files *files.Service
	log   *slog.Logger
	guard *routeguard.Guard
}

// New returns the native API; idem (may be nil) makes POSTs honour
// Idempotency-Key.
func New(svc *files.Service, log *slog.Logger, idem *idempotency.Keys) *API {
	a := &API{files: svc, log: log}
	a.guard = &routeguard.Guard{WriteError: a.writeError, Idempotency: idem}
	return a
}

// Routes maps each route, written as in template.yaml, to its handler. Each
// Lambda serves one of them; the scope is checked before the handler runs.
func (a *API) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"POST /v1/files":               a.guard.RouteCreate(auth.ScopeCreate, a.create),
		"POST /v1/files/{id}/complete": a.guard.Route(auth.ScopeCreate, a.complete),
		"GET /v1/files/{id}":           a.guard.Route(auth.ScopeRead, a.get),
		"GET /v1/files":                a.guard.Route(auth.ScopeRead, a.list),
		"GET /v1/files/{id}/url":       a.guard.Route(auth.ScopeRead, a.url),
		"POST /v1/files/{id}/cancel":   a.guard.Route(auth.ScopeCreate, a.cancel),
		"DELETE /v1/files/{id}":        a.guard.Route(auth.ScopeCreate, a.delete),
	}
}

// Unmatched answers, in this dialect's envelope, the requests no route took
// (routes: every route of both dialects, as template.yaml writes them).
func (a *API) Unmatched(routes []string) http.Handler { return a.guard.Unmatched(routes) }
