package compatapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"slices"
	"strconv"
	"strings"

	"github.com/filegate/filegate/shared/files"
)

// uploadForm is a decoded POST /api/v1/beta/files form.
type uploadForm struct {
	filename       string
	contentType    string // the file part's Content-Type, as sent
	body           []byte
	purpose        string
	externalFileID string
}

// maxFieldBytes bounds each text field (external_file_id is the longest).
const maxFieldBytes = files.MaxExternalIDBytes

// decodeUpload parses a multipart/form-data body: exactly one file part
// (with a filename), a purpose, an optional external_file_id. Other fields
// are ignored. As FastAPI answers: a missing file or purpose (an empty field
// counts as missing, and a body of another type has no fields), or a file
// sent as a plain field, is 422; a known field twice or a broken body is
// 400; a file past files.MaxDirectUploadBytes is 413.
func decodeUpload(contentType string, body []byte) (uploadForm, error) {
	var form uploadForm
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		return form, invalidFields{fieldErr("missing", nil, "body", "file"), fieldErr("missing", nil, "body", "purpose")}
	}
	if params["boundary"] == "" {
		return form, invalid("the multipart/form-data body has no boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	seen := map[string]bool{}
	var fileAsText any // the value of a file part sent without a filename
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return form, invalid("the multipart body is malformed")
		}
		name := part.FormName()
		switch name {
		case "file", "purpose", "external_file_id":
			if seen[name] {
				return form, invalid("the form has more than one " + name)
			}
			seen[name] = true
		default:
			continue // NextPart skips the rest of this part
		}
		if name == "file" && part.FileName() != "" {
			if form, err = readFile(form, part); err != nil {
				return form, err
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil {
			return form, invalid("the multipart body is malformed")
		}
		switch {
		case name == "file" && len(v) > maxFieldBytes:
			fileAsText = "(more than " + strconv.Itoa(maxFieldBytes) + " bytes)"
		case name == "file":
			fileAsText = string(v)
		case len(v) > maxFieldBytes:
			return form, invalid(name + " is too long")
		case name == "purpose":
			form.purpose = strings.TrimSpace(string(v))
		default:
			form.externalFileID = string(v)
		}
	}
	var missing invalidFields
	switch {
	case fileAsText != nil:
		missing = append(missing, fieldErr("value_error", fileAsText, "body", "file"))
	case !seen["file"]:
		missing = append(missing, fieldErr("missing", nil, "body", "file"))
	}
	if form.purpose == "" {
		missing = append(missing, fieldErr("missing", nil, "body", "purpose"))
	}
	if len(missing) > 0 {
		return form, missing
	}
	return form, nil
}

func readFile(form uploadForm, part *multipart.Part) (uploadForm, error) {
	form.filename = part.FileName()
	form.contentType = part.Header.Get("Content-Type")
	b, err := io.ReadAll(io.LimitReader(part, files.MaxDirectUploadBytes+1))
	if err != nil {
		return form, invalid("the multipart body is malformed")
	}
	if int64(len(b)) > files.MaxDirectUploadBytes {
		return form, files.ErrDirectTooLarge
	}
	form.body = b
	return form, nil
}

func invalid(msg string) error {
	return files.Errorf(files.KindInvalid, "invalid_form", "%s", msg)
}

// purposes are LlamaCloud's (files.d.ts: "user_data, parse, extract,
// classify, split, sheet, or agent_app"); this API refuses Lightfield's,
// which the native API takes.
var purposes = []string{"user_data", "parse", "extract", "split", "classify", "sheet", "agent_app"}

// checkPurpose refuses a purpose that is not this API's.
func checkPurpose(p string) error {
	if slices.Contains(purposes, p) {
		return nil
	}
	return files.Errorf(files.KindInvalid, "invalid_purpose", "purpose %q is not one of this API's: %s", p, strings.Join(purposes, ", ")).On(files.FieldPurpose)
}
