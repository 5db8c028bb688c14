package compatapi

import (
	"errors"
	"net/http"

	"github.com/filegate/filegate/shared/files"
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

// envelope renders err as LlamaCloud does: FastAPI's 422 for missing or
// mistyped fields, {"detail": message} for everything else.
func envelope(err error, e *files.Error) (int, any) {
	if fields, ok := asFields(err); ok {
		return http.StatusUnprocessableEntity, fieldsBody{Detail: fields}
	}
	return statusOf(e.Kind), errorBody{Detail: e.Message}
}
