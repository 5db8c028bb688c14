// Package routeguard is what every route of both API dialects does around
// its handler: nosniff, the authorizer's principal and the route's scope, a
// dialect's own tenant check, Idempotency-Key on POSTs that write, retry
// advice on errors, and one place where errors are written in the dialect's
// shape.
package routeguard

import (
	"net/http"
	"strings"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
)

// Handler is a route handler that acts for an authenticated principal.
type Handler func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// Guard is one dialect's configuration of the shared route mechanism.
type Guard struct {
	// WriteError renders an error in the dialect's shape.
	WriteError func(w http.ResponseWriter, r *http.Request, err error)
	// Check, if set, refuses a request for an authenticated principal
	// (e.g. a tenant named in the query that is not the key's).
	Check func(r *http.Request, p auth.Principal) error
	// Idempotency, when set, makes POSTs that write honour Idempotency-Key.
	Idempotency *idempotency.Keys
}

// Route guards h, which needs scope. Only routes that write (any scope but
// files:read) honour Idempotency-Key: a read-only POST (a query) changes
// nothing, so a retry must see fresh results, never a stored page.
func (g *Guard) Route(scope string, h Handler) http.Handler {
	return g.route(scope, idempotency.ReplayStored, h)
}

// RouteCreate is Route for a create whose file id derives from its
// Idempotency-Key (files.Operation): a replay runs h again, as a lookup of
// that file, instead of replaying the stored answer, so what it returns is
// the file as stored with freshly signed URLs (DESIGN §2a).
func (g *Guard) RouteCreate(scope string, h Handler) http.Handler {
	return g.route(scope, idempotency.ReplayRun, h)
}

func (g *Guard) route(scope string, replay idempotency.Replay, h Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if err := g.serve(w, r, scope, replay, h); err != nil {
			g.fail(w, r, err)
		}
	})
}

func (g *Guard) serve(w http.ResponseWriter, r *http.Request, scope string, replay idempotency.Replay, h Handler) error {
	p, ok := auth.PrincipalFromRequest(r)
	if !ok {
		return files.Errorf(files.KindUnauthenticated, "unauthenticated", "a valid API key is required")
	}
	if g.Check != nil {
		if err := g.Check(r, p); err != nil {
			return err
		}
	}
	if !p.Can(scope) {
		return files.Errorf(files.KindForbidden, "missing_scope", "this API key lacks the %s scope", scope)
	}
	run := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r, p); err != nil {
			g.fail(w, r, err)
		}
	})
	if scope == auth.ScopeRead {
		run(w, r)
		return nil
	}
	return g.Idempotency.Run(w, r, Scope(p, r), replay, run)
}

// Scope is an Idempotency-Key's scope (Lightfield: the organization and the
// operation on its resource): the project, the method and the path, whose
// file id makes cancel of one file another operation than cancel of another.
func Scope(p auth.Principal, r *http.Request) string {
	path := r.URL.EscapedPath()
	// A file has two spellings (fil_… and its UUID); the stored one names it.
	if id := r.PathValue("id"); id != "" {
		if canonical, ok := files.CanonicalID(id); ok {
			path = strings.Replace(path, id, canonical, 1)
		}
	}
	return p.ProjectID + "#" + r.Method + " " + path
}

// fail writes err in the dialect's shape with the retry advice the
// providers' Stainless-generated clients act on: they retry 408, 409, 429
// and 5xx unless told `x-should-retry: false`, and wait what Retry-After says.
func (g *Guard) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch files.RetryOf(err) {
	case files.RetryNever:
		w.Header().Set("X-Should-Retry", "false")
	case files.RetryLater:
		w.Header().Set("Retry-After", "1")
	}
	g.WriteError(w, r, err)
}
