package compatapi

import (
	"errors"
	"net/http"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/jsonwire"
)

// errorBody is LlamaCloud's error shape.
type errorBody struct {
	Detail string `json:"detail"`
}

// statusOf is the compat dialect's one mapping from error kinds to HTTP.
func statusOf(k files.Kind) int {
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
	case files.KindConflict:
		return http.StatusConflict
	case files.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case files.KindUnprocessable:
		return http.StatusUnprocessableEntity
	case files.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *files.Error
	if !errors.As(err, &e) {
		e = files.Internal(err)
	}
	status := statusOf(e.Kind)
	if status >= 500 {
		a.log.ErrorContext(r.Context(), "request failed", "route", r.Pattern, "err", err)
	}
	if e.Kind == files.KindUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	jsonwire.Write(w, status, errorBody{Detail: e.Message})
}
