package routeguard

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/jsonwire"
)

// Dialect is what differs between the two APIs around a route: how an error
// is spelled, and an optional check of the request for its principal.
type Dialect struct {
	// Envelope is the dialect's one error mapping: the status and body of
	// err, where e is err as a *files.Error (files.Internal of it if it is
	// none, so its message is safe to send).
	Envelope func(err error, e *files.Error) (status int, body any)
	// Check, if set, refuses a request for an authenticated principal
	// (e.g. a tenant named in the query that is not the key's).
	Check func(r *http.Request, p auth.Principal) error
}

// fail writes err in the dialect's envelope with the retry advice the
// providers' Stainless-generated clients act on: they retry 408, 409, 429
// and 5xx unless told `x-should-retry: false`, and wait what Retry-After says.
// Causes of 5xx go to log; clients see only the envelope's message.
func (d *Dialect) fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	switch files.RetryOf(err) {
	case files.RetryNever:
		w.Header().Set("X-Should-Retry", "false")
	case files.RetryLater:
		w.Header().Set("Retry-After", "1")
	}
	var e *files.Error
	if !errors.As(err, &e) {
		e = files.Internal(err)
	}
	status, body := d.Envelope(err, e)
	if status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "route", r.Pattern, "err", err)
	}
	jsonwire.Write(w, status, body)
}
