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

// fieldsBody is FastAPI's 422 shape.
type fieldsBody struct {
	Detail invalidFields `json:"detail"`
}

// asFields returns the fields err refuses, if it is FastAPI's 422.
func asFields(err error) (invalidFields, bool) {
	var fields invalidFields
	return fields, errors.As(err, &fields) && len(fields) > 0
}

// statusFor is the status err is answered with.
func statusFor(err error) int {
	if _, ok := asFields(err); ok {
		return http.StatusUnprocessableEntity
	}
	return statusOf(files.KindOf(err))
}

func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if fields, ok := asFields(err); ok {
		jsonwire.Write(w, http.StatusUnprocessableEntity, fieldsBody{Detail: fields})
		return
	}
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
