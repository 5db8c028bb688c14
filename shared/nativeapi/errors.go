package nativeapi

import (
	"errors"
	"net/http"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/jsonwire"
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Type    string `json:"type"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// statusOf is the native dialect's one mapping from error kinds to HTTP.
func statusOf(k files.Kind) (int, string) {
	switch k {
	case files.KindInvalid:
		return http.StatusBadRequest, "invalid_request_error"
	case files.KindUnauthenticated:
		return http.StatusUnauthorized, "authentication_error"
	case files.KindForbidden:
		return http.StatusForbidden, "permission_error"
	case files.KindNotFound:
		return http.StatusNotFound, "not_found_error"
	case files.KindConflict:
		return http.StatusConflict, "conflict_error"
	case files.KindTooLarge:
		return http.StatusRequestEntityTooLarge, "request_too_large"
	case files.KindUnprocessable:
		return http.StatusUnprocessableEntity, "validation_error"
	case files.KindUnavailable:
		return http.StatusServiceUnavailable, "service_unavailable"
	default:
		return http.StatusInternalServerError, "api_error"
	}
}

func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *files.Error
	if !errors.As(err, &e) {
		e = files.Internal(err)
	}
	status, typ := statusOf(e.Kind)
	if status >= 500 {
		a.log.ErrorContext(r.Context(), "request failed", "route", r.Pattern, "err", err)
	}
	if e.Kind == files.KindUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	jsonwire.Write(w, status, errorBody{Error: errorDetail{Type: typ, Code: e.Code, Message: e.Message}})
}
