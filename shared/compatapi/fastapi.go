package compatapi

import (
	"fmt"
	"strings"
)

// LlamaCloud is a FastAPI service: a request whose fields are missing or of
// the wrong type never reaches its handlers, FastAPI answers 422 with
// pydantic's list of what is wrong. This file is that rendering; every other
// error keeps {"detail": "..."}.

// fieldError is one entry of FastAPI's list, with pydantic's type and message.
type fieldError struct {
	Type  string `json:"type"`
	Loc   []any  `json:"loc"` // "path", "query" or "body", then the field's path
	Msg   string `json:"msg"`
	Input any    `json:"input"`
	// Ctx is what pydantic's message was formatted with, for the types that
	// have it.
	Ctx map[string]any `json:"ctx,omitempty"`
}

// invalidFields is a request refused for missing or mistyped fields (422).
type invalidFields []fieldError

func (e invalidFields) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = fmt.Sprintf("%v: %s", f.Loc, f.Msg)
	}
	return strings.Join(parts, "; ")
}

// pydantic's messages for the types used here.
var pydanticMsg = map[string]string{
	"missing":               "Field required",
	"int_parsing":           "Input should be a valid integer, unable to parse string as an integer",
	"int_type":              "Input should be a valid integer",
	"int_from_float":        "Input should be a valid integer, got a number with a fractional part",
	"float_parsing":         "Input should be a valid number, unable to parse string as a number",
	"string_type":           "Input should be a valid string",
	"list_type":             "Input should be a valid list",
	"bool_parsing":          "Input should be a valid boolean, unable to interpret input",
	"bool_type":             "Input should be a valid boolean",
	"model_attributes_type": "Input should be a valid dictionary or object to extract fields from",
	"json_invalid":          "JSON decode error",
	"value_error":           "Value error, Expected UploadFile, received: <class 'str'>",
	"uuid_parsing":          "Input should be a valid UUID", // then ", " and the parser's problem
}

// fieldErr is one entry of type typ at loc for input.
func fieldErr(typ string, input any, loc ...any) fieldError {
	return fieldError{Type: typ, Loc: loc, Msg: pydanticMsg[typ], Input: input}
}
