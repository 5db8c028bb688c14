package nativeapi

import (
	"net/http"

	"github.com/filegate/filegate/shared/files"
)

// errorBody is Lightfield's error envelope ("Errors" page): type and message
// always; code (fine-grained, kept on every status) and param (the offending
// field, query parameter or header) where they apply.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
	Param   string `json:"param,omitempty"`
}

// statusOf is the native dialect's one mapping from error kinds to HTTP, with
// the types of Lightfield's table (413 and 405 are not in it: their types
// follow its naming, after RFC 9110's reason phrases).
func statusOf(k files.Kind) (int, string) {
	switch k {
	case files.KindInvalid:
		return http.StatusBadRequest, "bad_request"
	case files.KindUnauthenticated:
		return http.StatusUnauthorized, "unauthorized"
	case files.KindForbidden:
		return http.StatusForbidden, "forbidden"
	case files.KindNotFound:
		return http.StatusNotFound, "not_found"
	case files.KindMethodNotAllowed:
		return http.StatusMethodNotAllowed, "method_not_allowed"
	case files.KindConflict:
		return http.StatusConflict, "conflict"
	case files.KindTooLarge:
		return http.StatusRequestEntityTooLarge, "content_too_large"
	case files.KindUnsupportedMediaType:
		return http.StatusUnsupportedMediaType, "unsupported_media_type"
	case files.KindUnprocessable:
		return http.StatusUnprocessableEntity, "unprocessable_content"
	case files.KindUnavailable:
		return http.StatusServiceUnavailable, "service_unavailable"
	default:
		return http.StatusInternalServerError, "internal_server_error"
	}
}

// envelope renders e as Lightfield's error body.
func envelope(_ error, e *files.Error) (int, any) {
	status, typ := statusOf(e.Kind)
	return status, errorBody{Error: errorDetail{Type: typ, Message: e.Message, Code: e.Code, Param: e.Param}}
}
