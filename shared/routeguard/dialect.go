package routeguard

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/jsonwire"
)

// Dialect is what differs between the two APIs around a route: how an error
// is spelled, and an optional check of the request for its principal.
type Dialect struct {
	// Envelope is the dialect's error body: err's, at status (Status of its
	// kind), where e is err as a *files.Error (files.Internal of it if it is
	// none, so its message is safe to send). It returns the status to send:
	// status itself, unless err is a refusal only this dialect has (the
	// compat dialect's FastAPI 422).
	Envelope func(err error, e *files.Error, status int) (int, any)
	// Check, if set, refuses a request for an authenticated principal
	// (e.g. a tenant named in the query that is not the key's).
	Check func(r *http.Request, p auth.Principal) error
}

// Status is the one mapping from error kinds to HTTP statuses, the same in
// both dialects; each names the status in its own envelope.
func Status(k files.Kind) int {
	switch k {
	case files.KindInvalid:
		return http.StatusBadRequest
	case files.KindUnauthenticated:
		return http.StatusUnauthorized
	case files.KindForbidden:
		return http.StatusForbidden
	case files.KindNotFound:
		return http.StatusNotFound
	case files.KindMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case files.KindConflict, files.KindInFlight:
		return http.StatusConflict
	case files.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case files.KindUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case files.KindUnprocessable:
		return http.StatusUnprocessableEntity
	case files.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// fail writes err in the dialect's envelope with the retry advice the
// providers' Stainless-generated clients act on: they retry 408, 409, 429
// and 5xx unless told `x-should-retry: false`, and wait what Retry-After says.
// Causes of 5xx go to log; clients see only the envelope's message.
func (d *Dialect) fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var e *files.Error
	if !errors.As(err, &e) {
		e = files.Internal(err)
	}
	switch files.RetryOf(err) {
	case files.RetryNever:
		w.Header().Set("X-Should-Retry", "false")
	case files.RetryLater:
		w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
	}
	status, body := d.Envelope(err, e, Status(e.Kind))
	if status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "route", r.Pattern, "err", err)
	}
	jsonwire.Write(w, status, body)
}

// retryAfter is d in whole seconds, rounded up, at least 1 (Retry-After
// takes no fractions, and 0 would invite a retry before anything changed).
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(max(1, int64(math.Ceil(d.Seconds()))), 10)
}
