// Package routeguard is what every route of both API dialects does around
// its handler: nosniff, the authorizer's principal, the tenant's rate limit
// (and its headers), the route's scope, a dialect's own tenant check,
// Idempotency-Key on POSTs that write, retry advice on errors, and one
// error writer that each dialect parameterises with its envelope.
package routeguard

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/filegate/filegate/shared/accesslog"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/ratelimit"
	"github.com/filegate/filegate/shared/uploadtoken"
)

// Handler is a route handler that acts for an authenticated principal.
type Handler func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// Once runs a request at most once per Idempotency-Key (idempotency.Keys).
// It is an interface so that only functions whose routes write link the
// idempotency machinery.
type Once interface {
	// Run replays a repeat of a request that succeeded with the stored answer.
	Run(w http.ResponseWriter, r *http.Request, scope string, next http.Handler) error
	// Rerun runs a repeat again, as a lookup (see Route.Rerun).
	Rerun(w http.ResponseWriter, r *http.Request, scope string, next http.Handler) error
}

// Route is one endpoint of a dialect, as its typed constructor builds it
// (nativeapi.Get, compatapi.Upload, …): one Lambda serves one Route.
type Route struct {
	Pattern string // as template.yaml writes the route: "GET /v1/files/{id}"
	Scope   string // the scope the key must hold
	Dialect *Dialect
	Handle  Handler
	// Once is set on routes that write; nil serves every request afresh,
	// so a read-only POST (a query) never replays a stored page.
	Once Once
	// Tokens, set on the routes upload tokens may call (create, get, part
	// URLs, list parts, upload-url, complete and cancel), checks a token's ownership of the file the path
	// names; nil refuses tokens.
	Tokens uploadtoken.Ledger
	// Rerun makes a repeat of a request that succeeded run Handle again
	// instead of replaying the stored answer: for a create whose file id
	// derives from its Idempotency-Key (files.Operation), which then answers
	// with the file as stored and freshly signed URLs (docs/ARCHITECTURE.md "Limits and lifetimes").
	Rerun bool
	// Category is the rate-limit bucket the route's requests take from
	// (docs/api.md "Rate limits"); every constructor sets one.
	Category ratelimit.Category
	// Limit is the tenants' rate limiter, set where the route is wrapped
	// (wiring.HTTP); nil limits nothing.
	Limit Limit
	// Now is the clock an upload token's expiry is checked against; nil is
	// time.Now (tests set their own).
	Now func() time.Time
}

// Handler is the route with everything around it; log gets the cause of
// every 5xx.
func (rt Route) Handler(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		ctx, cancel := withAnswerReserve(r.Context())
		defer cancel()
		r = r.WithContext(ctx)
		if err := rt.serve(w, r, log); err != nil {
			rt.Dialect.fail(w, r, log, err)
		}
	})
}

// AnswerReserve is how long before the invocation's deadline a request's
// work must end. That deadline is the function's timeout: Lambda stops the
// function there, and API Gateway answers a bare 500 for it. Ending the
// context earlier makes a dependency that stalls (DynamoDB or S3 never
// answering, credentials that cannot be had) fail its call with the
// context's error, which the adapters classify as unavailable, and leaves
// time to answer 503 with Retry-After. The SDKs' own retries are bounded
// (wiring), but an attempt that hangs has no timeout but this one.
const AnswerReserve = time.Second

// withAnswerReserve ends ctx AnswerReserve before its deadline (if it has one).
func withAnswerReserve(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-AnswerReserve))
}

func (rt Route) serve(w http.ResponseWriter, r *http.Request, log *slog.Logger) error {
	p, ok := auth.PrincipalFromRequest(r)
	if !ok {
		return errUnauthenticated()
	}
	// First: a request refused for any reason still counts against its
	// tenant, and every answer carries the bucket's headers.
	if err := admitRate(w, r, rt.Limit, p, rt.Category); err != nil {
		return err
	}
	r, id, named := rt.parseFile(r)
	if rt.Dialect.Check != nil {
		if err := rt.Dialect.Check(r, p); err != nil {
			return err
		}
	}
	if p.Token != nil {
		if err := rt.admitToken(r.Context(), p.Token, id, named); err != nil {
			return err
		}
	} else if !p.Can(rt.Scope) {
		return files.Errorf(files.KindForbidden, "missing_scope", "this API key lacks the %s scope", rt.Scope)
	}
	if named && id.IsZero() {
		return files.ErrNotFound // no file has that id
	}
	run := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := rt.Handle(w, r, p); err != nil {
			rt.Dialect.fail(w, r, log, err)
		}
	})
	if rt.Once == nil {
		run(w, r)
		return nil
	}
	if rt.Rerun {
		return rt.Once.Rerun(w, r, Scope(p, r), run)
	}
	return rt.Once.Run(w, r, Scope(p, r), run)
}

// admitToken lets an upload token through to a route that takes tokens,
// for a file it created (id; named is false on routes that name no file).
// The expiry is checked here, on every request, and not only by the
// authorizer: API Gateway caches the authorizer's answer
// (AuthorizerCacheTtlSeconds), which must not stretch a token's life.
func (rt Route) admitToken(ctx context.Context, t *auth.Token, id files.FileID, named bool) error {
	if !rt.now().Before(t.ExpiresAt) {
		return files.Errorf(files.KindUnauthenticated, "token_expired", "this upload token expired at %s", t.ExpiresAt.Format(time.RFC3339))
	}
	if rt.Tokens == nil {
		return files.Errorf(files.KindForbidden, "token_not_allowed", "upload tokens may only create files, and read, upload (part URLs, stored parts, fresh PUT URLs), complete or cancel the files they created")
	}
	if !named {
		return nil
	}
	if id.IsZero() {
		return files.ErrNotFound
	}
	owns, err := rt.Tokens.Owns(ctx, t.ID, id)
	if err != nil {
		return err
	}
	if !owns {
		return files.ErrNotFound // another's file: as if it did not exist
	}
	return nil
}

// parseFile parses, once, the file id the route's path names ({id} of a
// .../files/{id} route; named is false on other routes): the handler, the
// token check, the Idempotency-Key's scope and the access log all take the
// parsed id, in its stored spelling. id is zero when the path's id is no
// file's.
func (rt Route) parseFile(r *http.Request) (_ *http.Request, id files.FileID, named bool) {
	if !strings.Contains(rt.Pattern, "/files/{id}") {
		return r, files.FileID{}, false
	}
	id, ok := files.ParseFileID(r.PathValue("id"))
	if !ok {
		return r, files.FileID{}, true
	}
	accesslog.Note(r.Context(), "fileId", id)
	return r.WithContext(context.WithValue(r.Context(), fileKey{}, id)), id, true
}

type fileKey struct{}

// PathFile is the file the request's path names, as the route parsed it
// (zero outside a route, or on a route whose path names no file).
func PathFile(r *http.Request) files.FileID {
	id, _ := r.Context().Value(fileKey{}).(files.FileID)
	return id
}

func (rt Route) now() time.Time {
	if rt.Now == nil {
		return time.Now()
	}
	return rt.Now()
}

// errUnauthenticated answers a request that did not pass the authorizer
// (a function, not a variable, so that functions without routes link none
// of this package).
func errUnauthenticated() error {
	return files.Errorf(files.KindUnauthenticated, "unauthenticated", "a valid API key is required")
}

// Scope is an Idempotency-Key's scope (Lightfield: the organization and the
// operation on its resource): the project, the method and the path, whose
// file id makes cancel of one file another operation than cancel of another.
func Scope(p auth.Principal, r *http.Request) string {
	path := r.URL.EscapedPath()
	// A file has two spellings (fil_… and its UUID); the stored one names it.
	if id := PathFile(r); !id.IsZero() {
		path = strings.Replace(path, r.PathValue("id"), id.String(), 1)
	}
	owner := p.ProjectID
	if p.Token != nil {
		owner += "/" + p.Token.ID // a token's keys never name its API key's creates
	}
	return owner + "#" + r.Method + " " + path
}
