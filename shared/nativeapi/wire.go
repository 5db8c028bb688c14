package nativeapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// fileJSON is the native File. ExpiresAt is the upload session's end and is
// null once the file is no longer PENDING.
type fileJSON struct {
	ID          string       `json:"id"`
	Status      files.Status `json:"status"`
	Filename    string       `json:"filename"`
	MimeType    string       `json:"mimeType"`
	SizeBytes   int64        `json:"sizeBytes"`
	Purpose     *string      `json:"purpose"`
	CreatedAt   timestamp    `json:"createdAt"`
	CompletedAt *timestamp   `json:"completedAt"`
	ExpiresAt   *timestamp   `json:"expiresAt"`
	// RetentionExpiresAt is when the file will be deleted (null: kept).
	RetentionExpiresAt *timestamp     `json:"retentionExpiresAt"`
	Rejection          *rejectionJSON `json:"rejection,omitempty"`
}

type rejectionJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type createdJSON struct {
	fileJSON
	UploadURL     string            `json:"uploadUrl"`
	UploadHeaders map[string]string `json:"uploadHeaders"`
}

type listJSON struct {
	Object     string     `json:"object"`
	Data       []fileJSON `json:"data"`
	TotalCount int        `json:"totalCount"`
}

type urlJSON struct {
	URL       string    `json:"url"`
	ExpiresAt timestamp `json:"expiresAt"`
}

// timestamp renders ISO 8601 UTC with milliseconds.
type timestamp time.Time

func (t timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

func ts(t *time.Time) *timestamp {
	if t == nil {
		return nil
	}
	v := timestamp(*t)
	return &v
}

func toJSON(f *files.File, now time.Time) fileJSON {
	j := fileJSON{
		ID: f.ID, Status: f.StatusAt(now), Filename: f.Filename, MimeType: f.MimeType, SizeBytes: f.SizeBytes,
		CreatedAt: timestamp(f.CreatedAt), CompletedAt: ts(f.CompletedAt), RetentionExpiresAt: ts(f.ExpiresAt),
	}
	if f.Purpose != "" {
		j.Purpose = &f.Purpose
	}
	if j.Status == files.StatusPending {
		j.ExpiresAt = ts(&f.UploadExpiresAt)
	}
	if f.Status == files.StatusRejected && f.Rejection != nil {
		j.Rejection = &rejectionJSON{Code: f.Rejection.Code, Message: f.Rejection.Message}
	}
	return j
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // keep presigned URLs readable: "&", not "\u0026"
	_ = enc.Encode(v)        // the client is gone if this fails
}

// maxBody caps JSON request bodies; the native API never carries file bytes.
const maxBody = 64 << 10

// decodeBody reads a JSON object into v. An empty body is an empty object;
// unknown fields are ignored, wrong types and trailing data are not.
func decodeBody(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return files.Errorf(files.KindInvalid, "invalid_body", "could not read the request body")
	}
	if len(body) > maxBody {
		return files.Errorf(files.KindTooLarge, "body_too_large", "the request body exceeds %d bytes", maxBody)
	}
	if len(body) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return files.Errorf(files.KindInvalid, "invalid_json", "the request body is not valid JSON for this endpoint: %s", jsonProblem(err))
	}
	if dec.More() {
		return files.Errorf(files.KindInvalid, "invalid_json", "the request body must be a single JSON object")
	}
	return nil
}

// jsonProblem describes a decode error without echoing Go type names.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "field " + te.Field + " has the wrong type"
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return "timestamps must be RFC 3339, e.g. 2026-01-31T12:00:00Z"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "syntax error"
	}
	return "malformed"
}
