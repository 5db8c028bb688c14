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
// mistyped fields, {"detail": message} for everything else, its fields
// named as LlamaCloud names them.
func envelope(err error, e *files.Error, status int) (int, any) {
	if fields, ok := asFields(err); ok {
		return http.StatusUnprocessableEntity, fieldsBody{Detail: fields}
	}
	return status, errorBody{Detail: e.MessageIn(fieldName)}
}

// fieldName is a domain field as LlamaCloud's File and upload form name it.
func fieldName(f files.Field) string {
	switch f {
	case files.FieldFilename:
		return "name"
	case files.FieldMimeType:
		return "the file part's Content-Type"
	case files.FieldSizeBytes:
		return "file_size"
	case files.FieldExternalFileID:
		return "external_file_id"
	case files.FieldRetention:
		return "expires_at"
	}
	return f.String()
}
