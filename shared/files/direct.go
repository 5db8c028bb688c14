package files

import (
	"context"
	"unicode/utf8"
)

// The compat API's direct upload: its limits and its input (files/upload
// stores it).

// LambdaSyncPayloadBytes is AWS Lambda's limit on a synchronous invocation's
// request: the whole event JSON API Gateway sends, a binary body
// base64-encoded inside it.
const LambdaSyncPayloadBytes int64 = 6_291_456

// MaxDirectUploadBytes caps uploads whose bytes pass through Lambda (the
// compat API's multipart POST), derived from LambdaSyncPayloadBytes:
// API Gateway hands Lambda the multipart body base64-encoded (4 bytes per
// 3) inside the event. Around the body the event carries the request line
// and headers (HTTP API caps them at 10,240 bytes; the event holds the query
// twice, raw and parsed, and JSON escaping can double them) and the request
// context: 64 KiB covers it. Inside the body the form frames the file:
// boundaries, part headers with a filename of up to MaxDirectNameChars
// (3,000 characters, at most 12,000 bytes of UTF-8), purpose and
// external_file_id (at most 1 KiB): 16 KiB covers it. So
// (6,291,456 - 65,536) / 4 * 3 - 16,384 = 4,653,056 bytes, about 4.4 MiB.
// Larger files take the presigned flow (POST /v1/files), whose bytes never
// touch Lambda.
const MaxDirectUploadBytes = (LambdaSyncPayloadBytes-64<<10)/4*3 - 16<<10

// MaxExternalIDBytes bounds external_file_id: it is part of an index key,
// and DynamoDB partition keys hold at most 2048 bytes.
const MaxExternalIDBytes = 1024

// ErrDirectTooLarge is the answer to a direct upload past
// MaxDirectUploadBytes. Its message spells the limits out as constants do
// (TestErrDirectTooLargeStatesTheLimits keeps them equal), so that no
// function formats it at start-up.
var ErrDirectTooLarge = &Error{Kind: KindTooLarge, Code: "too_large_for_direct_upload",
	Message: "files uploaded through this endpoint are limited to 4653056 bytes (about 4.4 MiB): the request passes through AWS Lambda, whose 6291456-byte request limit counts the file base64-encoded; " +
		"upload larger files with the presigned flow: POST /v1/files, then PUT the bytes to the returned uploadUrl"}

// DirectUpload is a file whose bytes arrive with the request.
type DirectUpload struct {
	OrganizationID string
	ProjectID      string
	Filename       string
	ContentType    string // the client's label; "" or application/octet-stream mean unknown
	Purpose        string
	ExternalFileID string
	Body           []byte
	// Operation is set when the upload runs under an Idempotency-Key.
	Operation *Operation
	// Admit is CreateInput.Admit: the caller's budget, spent before the
	// file is recorded. The compat route refuses upload tokens today, so
	// it sets none; a route that lets them in must.
	Admit func(ctx context.Context, f *File) error
}

// CheckExternalFileID allows "" (none) or valid UTF-8 up to MaxExternalIDBytes.
func CheckExternalFileID(v string) error {
	if len(v) > MaxExternalIDBytes || !utf8.ValidString(v) {
		return Errorf(KindInvalid, "invalid_external_file_id", "%s must be valid UTF-8 of at most %d bytes", FieldExternalFileID, MaxExternalIDBytes).On(FieldExternalFileID)
	}
	return nil
}
