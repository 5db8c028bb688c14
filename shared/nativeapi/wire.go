package nativeapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/jsonwire"
)

// The native create request and the native File live here together: a
// record field the create sets and the File shows is one edit of this file
// (docs/ARCHITECTURE.md "Where a change goes").

type createRequest struct {
	// Filename, MimeType and SizeBytes are required: nil (absent or null) is
	// Lightfield's parameter_missing.
	Filename  *string `json:"filename"`
	MimeType  *string `json:"mimeType"`
	SizeBytes *int64  `json:"sizeBytes"`
	Purpose   string  `json:"purpose"`
	// SHA256 (Filegate extension, hex or base64) is signed into the upload
	// URL: storage refuses bytes with another digest.
	SHA256 string `json:"sha256"`
	// Multipart (Filegate extension) asks for a multipart session.
	Multipart *multipartRequest `json:"multipart"`
	// RetentionExpiresAt (Filegate extension) ends the file's retention; named
	// apart from expiresAt, which is the upload session's end.
	RetentionExpiresAt *time.Time `json:"retentionExpiresAt"`
}

// input is the use case's declaration of req (its required fields checked).
func (req *createRequest) input(p auth.Principal, plan *files.MultipartPlan) files.CreateInput {
	return files.CreateInput{
		OrganizationID: p.OrganizationID, ProjectID: p.ProjectID,
		Declared:  files.Declared{Filename: *req.Filename, MimeType: *req.MimeType, SizeBytes: *req.SizeBytes, Purpose: req.Purpose, SHA256: req.SHA256},
		Multipart: plan, RetainUntil: req.RetentionExpiresAt,
	}
}

// fileJSON is the native File. ExpiresAt is the upload session's end and is
// null once the file is no longer PENDING.
type fileJSON struct {
	ID          string              `json:"id"`
	Status      files.Status        `json:"status"`
	Filename    string              `json:"filename"`
	MimeType    string              `json:"mimeType"`
	SizeBytes   int64               `json:"sizeBytes"`
	Purpose     *string             `json:"purpose"`
	CreatedAt   jsonwire.Timestamp  `json:"createdAt"`
	CompletedAt *jsonwire.Timestamp `json:"completedAt"`
	ExpiresAt   *jsonwire.Timestamp `json:"expiresAt"`
	// RetentionExpiresAt is when the file will be deleted (null: kept).
	RetentionExpiresAt *jsonwire.Timestamp `json:"retentionExpiresAt"`
	Rejection          *rejectionJSON      `json:"rejection,omitempty"`
	// SHA256 (Filegate extension) is the file's SHA-256 in hex, when storage
	// verified it (a single PUT that signed it, the compat upload).
	SHA256 string `json:"sha256,omitempty"`
	// ClaimedSHA256 (Filegate extension) is a multipart file's whole-file
	// SHA-256 as its client gave it: storage checked the parts, not this.
	ClaimedSHA256 string `json:"claimedSha256,omitempty"`
	// Multipart (Filegate extension) is the plan of a file uploaded in parts.
	Multipart *multipartJSON `json:"multipart,omitempty"`
	// Scan (Filegate extension) is the malware scan of bytes that passed
	// validation: pending, clean, infected or unsupported. Never the
	// scanner's signature.
	Scan *scanJSON `json:"scan,omitempty"`
}

type scanJSON struct {
	Status string `json:"status"`
}

type multipartJSON struct {
	PartSizeBytes int64 `json:"partSizeBytes"`
	PartCount     int   `json:"partCount"`
	// PartChecksum is "SHA256" when storage checks every part's SHA-256.
	PartChecksum *string `json:"partChecksum"`
}

type rejectionJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type createdJSON struct {
	fileJSON
	// A multipart session has no single URL: its parts have theirs.
	UploadURL     string            `json:"uploadUrl,omitempty"`
	UploadHeaders map[string]string `json:"uploadHeaders,omitempty"`
}

func toCreated(c *files.Created, now time.Time) createdJSON {
	j := createdJSON{fileJSON: toJSON(c.File, now)}
	if c.File.Multipart == nil {
		j.UploadURL, j.UploadHeaders = c.Upload.URL, headerMap(c.Upload.Headers)
	}
	return j
}

// headerMap is the headers a presigned request must carry, one value each.
func headerMap(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k := range h {
		out[k] = h.Get(k)
	}
	return out
}

type listJSON struct {
	Object     string     `json:"object"`
	Data       []fileJSON `json:"data"`
	TotalCount int        `json:"totalCount"`
}

type urlJSON struct {
	URL       string             `json:"url"`
	ExpiresAt jsonwire.Timestamp `json:"expiresAt"`
}

func toJSON(f *files.File, now time.Time) fileJSON {
	j := fileJSON{
		ID: f.ID.String(), Status: f.StatusAt(now), Filename: f.Filename, MimeType: f.MimeType, SizeBytes: f.SizeBytes,
		CreatedAt: jsonwire.Timestamp(f.CreatedAt), CompletedAt: jsonwire.Optional(f.CompletedAt), RetentionExpiresAt: jsonwire.Optional(f.ExpiresAt),
		SHA256: f.VerifiedSHA256(), ClaimedSHA256: f.ClaimedSHA256(),
	}
	if f.Purpose != "" {
		j.Purpose = &f.Purpose
	}
	switch j.Status {
	case files.StatusPending:
		j.ExpiresAt = jsonwire.Optional(&f.UploadExpiresAt)
	case files.StatusScanning:
		// Its upload is over: PENDING without a session end, until a verdict.
		j.Status = files.StatusPending
	}
	if sc := f.Scan; sc != nil {
		j.Scan = &scanJSON{Status: string(sc.Verdict)}
		if sc.Verdict == "" {
			j.Scan.Status = "pending"
		}
	}
	if m := f.Multipart; m != nil {
		j.Multipart = &multipartJSON{PartSizeBytes: m.PartSizeBytes, PartCount: m.PartCount(f.SizeBytes)}
		if m.PartSHA256 {
			j.Multipart.PartChecksum = ptr("SHA256")
		}
	}
	if f.Status == files.StatusRejected && f.Rejection != nil {
		j.Rejection = &rejectionJSON{Code: f.Rejection.Code, Message: f.Rejection.Message}
	}
	return j
}

// maxBody caps JSON request bodies; the native API never carries file bytes.
const maxBody = 64 << 10

// decodeBody reads a JSON object into v. An empty body is an empty object;
// unknown fields are ignored, wrong types (Lightfield's invalid_type) and
// trailing data are not, and a body not labelled application/json is
// refused unread (Lightfield's 415).
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
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if dec.More() {
		return files.Errorf(files.KindInvalid, "invalid_json", "the request body must be a single JSON object")
	}
	return nil
}

// checkJSONType accepts a body labelled application/json, with parameters
// (charset) or without, as Lightfield does; an unlabelled body, or one of
// any other type, is its 415.
func checkJSONType(contentType string) error {
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || mt != "application/json" {
		return files.Errorf(files.KindUnsupportedMediaType, "unsupported_media_type", "a request body must be JSON sent with Content-Type: application/json").WithParam("Content-Type")
	}
	return nil
}

// jsonProblem describes a decode error without echoing Go type names, naming
// the field at fault when one is: a value of the wrong type is Lightfield's
// invalid_type, anything that is not JSON at all invalid_json.
func jsonProblem(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return files.Errorf(files.KindInvalid, "invalid_type", "the request body must be a JSON object")
		}
		return files.Errorf(files.KindInvalid, "invalid_type", "%s has the wrong type", te.Field).WithParam(te.Field)
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return files.Errorf(files.KindInvalid, "invalid_type", "retentionExpiresAt must be an RFC 3339 timestamp, e.g. 2026-01-31T12:00:00Z").WithParam("retentionExpiresAt")
	}
	return files.Errorf(files.KindInvalid, "invalid_json", "the request body is not valid JSON")
}

// given is whether a request carried a required parameter.
type given struct {
	name string
	ok   bool
}

// required is Lightfield's parameter_missing for the first parameter not given.
func required(params ...given) error {
	for _, p := range params {
		if !p.ok {
			return files.Errorf(files.KindInvalid, "parameter_missing", "%s is required", p.name).WithParam(p.name)
		}
	}
	return nil
}

// purposes are Lightfield's (its API reference's enum and the "File uploads"
// page's email_attachment); this API refuses LlamaCloud's, which the compat
// API takes.
var purposes = []string{"meeting_transcript", "knowledge_user", "knowledge_workspace", "email_attachment"}

// checkPurpose refuses a purpose that is not this API's ("" is none).
func checkPurpose(p string) error {
	if p == "" || slices.Contains(purposes, p) {
		return nil
	}
	return files.Errorf(files.KindInvalid, "invalid_purpose", "purpose %q is not one of this API's: %s", p, strings.Join(purposes, ", ")).On(files.FieldPurpose)
}
