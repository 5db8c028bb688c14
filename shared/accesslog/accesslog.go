// Package accesslog writes one structured line per HTTP request: request id,
// route, project, file id (as the route noted it), status and duration. Never headers or bodies, so
// key material cannot reach the logs.
package accesslog

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/filegate/filegate/shared/auth"
)

// Wrap logs each request next serves under route.
func Wrap(log *slog.Logger, route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		var noted []any
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), notesKey{}, &noted)))
		attrs := []any{"route", route, "status", rec.status, "outcome", outcome(rec.status), "durationMs", time.Since(start).Milliseconds()}
		if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok {
			attrs = append(attrs, "requestId", rc.RequestID)
		}
		if p, ok := auth.PrincipalFromRequest(r); ok {
			attrs = append(attrs, "projectId", p.ProjectID)
		}
		attrs = append(attrs, noted...)
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		log.Log(r.Context(), level, "request", attrs...)
	})
}

type notesKey struct{}

// Note adds key and value to the request's line, from the handler that
// knows them (routeguard notes the file id it parsed from the path, in its
// one stored spelling, never the path's text).
func Note(ctx context.Context, key string, value any) {
	if noted, ok := ctx.Value(notesKey{}).(*[]any); ok {
		*noted = append(*noted, key, value)
	}
}

func outcome(status int) string {
	switch {
	case status >= 500:
		return "server_error"
	case status >= 400:
		return "client_error"
	default:
		return "ok"
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
