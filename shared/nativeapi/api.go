// Package nativeapi is the HTTP layer of the native API, in the Lightfield
// Files API wire format (camelCase, {"error": {...}}), at /v1/files.
package nativeapi

import (
	"log/slog"
	"net/http"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
)

// API serves the native routes over the file service.
type API struct {
	files *files.Service
	log   *slog.Logger
	// Idempotency, when set, makes POSTs honour Idempotency-Key.
	Idempotency *idempotency.Keys
}

// New returns the native API.
func New(svc *files.Service, log *slog.Logger) *API { return &API{files: svc, log: log} }

// Routes maps each route, written as in template.yaml, to its handler. Each
// Lambda serves one of them; the scope is checked before the handler runs.
func (a *API) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"POST /v1/files":               a.guard(auth.ScopeCreate, a.create),
		"POST /v1/files/{id}/complete": a.guard(auth.ScopeCreate, a.complete),
		"GET /v1/files/{id}":           a.guard(auth.ScopeRead, a.get),
		"GET /v1/files":                a.guard(auth.ScopeRead, a.list),
		"GET /v1/files/{id}/url":       a.guard(auth.ScopeRead, a.url),
		"POST /v1/files/{id}/cancel":   a.guard(auth.ScopeCreate, a.cancel),
		"DELETE /v1/files/{id}":        a.guard(auth.ScopeCreate, a.delete),
	}
}
