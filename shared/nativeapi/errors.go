package nativeapi

import (
	"fmt"
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

// types are Lightfield's error types by status (its "Errors" table; 405 and
// 413 are not in it: their types follow its naming, after RFC 9110's reason
// phrases).
var types = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "content_too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   "unprocessable_content",
	http.StatusTooManyRequests:       "too_many_requests",
	http.StatusServiceUnavailable:    "service_unavailable",
}

// typeOf is the type of an error of kind at status: a duplicate of a
// request still running is the 409 Lightfield's "Idempotency" page
// documents, idempotency_conflict.
func typeOf(kind files.Kind, status int) string {
	if kind == files.KindInFlight {
		return "idempotency_conflict"
	}
	if t, ok := types[status]; ok {
		return t
	}
	return "internal_server_error"
}

// envelope renders e as Lightfield's error body, its fields named as this
// API's requests name them.
func envelope(_ error, e *files.Error, status int) (int, any) {
	param := e.Param
	if param == "" {
		param = paramOf(e.Field, e.Item)
	}
	return status, errorBody{Error: errorDetail{Type: typeOf(e.Kind, status), Message: e.MessageIn(fieldName), Code: e.Code, Param: param}}
}

// fieldName is a domain field as this API's requests spell it.
func fieldName(f files.Field) string {
	switch f {
	case files.FieldPartSize:
		return "multipart.partSizeBytes"
	case files.FieldPartChecksum:
		return "multipart.partChecksum"
	case files.FieldPartSHA256:
		return "sha256"
	}
	return f.String()
}

// paramOf is the param naming field f (of list item item, 1-based, if not 0).
func paramOf(f files.Field, item int) string {
	if item > 0 && (f == files.FieldPartNumber || f == files.FieldPartSHA256) {
		return fmt.Sprintf("parts[%d].%s", item-1, fieldName(f))
	}
	return fieldName(f)
}
