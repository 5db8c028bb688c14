package routeguard

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// Fallback is how a dialect answers the requests under Prefix that none of
// its Routes takes.
type Fallback struct {
	Prefix  string
	Dialect *Dialect
	Routes  []string
}

// Handler answers what no route takes under the prefix, counting a
// tenant's requests against its rate limit (limit, nil: none).
func (f Fallback) Handler(limit Limit, log *slog.Logger) http.Handler {
	return f.Dialect.Unmatched(f.Routes, limit, log)
}

// Unmatched answers, in the dialect's envelope, the requests no route took:
// API Gateway sends them to the $default route, and OPTIONS ones to the
// unauthenticated OPTIONS /{proxy+} route AWS documents for CORS (preflights
// never get here: the gateway answers them from its CORS configuration).
// routes are the dialect's routes as template.yaml writes them. A path that
// is a route's under other methods is 405 with Allow (OPTIONS: 204 with
// Allow), any other path 404 — FastAPI's and Lightfield's answers both. A
// tenant's requests count against its rate limit (methodCategory).
func (d *Dialect) Unmatched(routes []string, limit Limit, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	var methods []string
	for _, route := range routes {
		mux.Handle(route, http.NotFoundHandler()) // only matched, never served
		if m, _, _ := strings.Cut(route, " "); !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
	}
	slices.Sort(methods)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		var allow []string
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
		}
		p, ok := auth.PrincipalFromRequest(r)
		if ok {
			if err := admitRate(w, r, limit, p, methodCategory(r.Method)); err != nil {
				d.fail(w, r, log, err)
				return
			}
		}
		switch {
		case len(allow) > 0 && r.Method == http.MethodOptions:
			w.WriteHeader(http.StatusNoContent)
		case !ok && r.Method != http.MethodOptions:
			d.fail(w, r, log, errUnauthenticated())
		case len(allow) > 0:
			d.fail(w, r, log, files.Errorf(files.KindMethodNotAllowed, "method_not_allowed", "Method Not Allowed"))
		default:
			d.fail(w, r, log, files.Errorf(files.KindNotFound, "not_found", "Not Found"))
		}
	})
}
