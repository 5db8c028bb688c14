package compatapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
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
// are ignored; a known field twice, a missing one or a broken body is 400; a
// file past files.MaxDirectUploadBytes is 413.
func decodeUpload(contentType string, body []byte) (uploadForm, error) {
	var form uploadForm
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return form, invalid("the request must be multipart/form-data with a file part and a purpose field")
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	seen := map[string]bool{}
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
		if name == "file" {
			if form, err = readFile(form, part); err != nil {
				return form, err
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil {
			return form, invalid("the multipart body is malformed")
		}
		if len(v) > maxFieldBytes {
			return form, invalid(name + " is too long")
		}
		if name == "purpose" {
			form.purpose = strings.TrimSpace(string(v))
		} else {
			form.externalFileID = string(v)
		}
	}
	switch {
	case !seen["file"]:
		return form, invalid("file is required: send the bytes as a multipart part named file, with a filename")
	case form.purpose == "":
		return form, invalid("purpose is required, e.g. user_data, parse, extract, split, classify, sheet or agent_app")
	}
	return form, nil
}

func readFile(form uploadForm, part *multipart.Part) (uploadForm, error) {
	form.filename = part.FileName()
	if form.filename == "" {
		return form, invalid("the file part needs a filename")
	}
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
