package files

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
)

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
// boundaries, part headers with a 255-character filename, purpose and
// external_file_id (at most 1 KiB): 8 KiB covers it. So
// (6,291,456 - 65,536) / 4 * 3 - 8,192 = 4,661,248 bytes, about 4.4 MiB.
// Larger files take the presigned flow (POST /v1/files), whose bytes never
// touch Lambda.
const MaxDirectUploadBytes = (LambdaSyncPayloadBytes-64<<10)/4*3 - 8<<10

// MaxExternalIDBytes bounds external_file_id: it is part of an index key,
// and DynamoDB partition keys hold at most 2048 bytes.
const MaxExternalIDBytes = 1024

// ErrDirectTooLarge is the answer to a direct upload past MaxDirectUploadBytes.
var ErrDirectTooLarge = Errorf(KindTooLarge, "too_large_for_direct_upload",
	"files uploaded through this endpoint are limited to %d bytes (about %.1f MiB): the request passes through AWS Lambda, whose %d-byte request limit counts the file base64-encoded; "+
		"upload larger files with the presigned flow: POST /v1/files, then PUT the bytes to the returned uploadUrl", MaxDirectUploadBytes, float64(MaxDirectUploadBytes)/float64(mib), LambdaSyncPayloadBytes)

// ObjectWriter is the object storage's direct write, needed only by
// UploadDirect; the S3 adapter implements it next to Objects.
type ObjectWriter interface {
	// Put stores body under key, only if no object exists there yet.
	Put(ctx context.Context, key string, body []byte, contentType string) error
}

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
}

// UploadDirect validates the bytes in memory with the rules presigned
// uploads get (size, purpose, sniffed type) and writes nothing when they fail.
// Valid bytes are recorded PENDING, stored, then settled like a completed
// presigned upload, so the object's S3 event finds the file COMPLETED (a
// no-op), and if the event settles it first, both converge.
//
// If the function dies half-way, what it leaves depends on where: a PENDING
// record without bytes stays (listed by the native API, EXPIRED once its
// session ends) until TTL removes it PendingGrace after that (or at the end
// of retention, if sooner); once the bytes are stored, their S3 event (or
// reconcile) settles the file COMPLETED, though the client never heard of
// it. A keyed upload (in.Operation) finds either on its retry, since its id
// derives from the operation: it stores the bytes if they are missing and
// settles or confirms the file.
func (s *Service) UploadDirect(ctx context.Context, in DirectUpload) (*File, error) {
	if int64(len(in.Body)) > MaxDirectUploadBytes {
		return nil, ErrDirectTooLarge
	}
	if len(in.Body) == 0 {
		return nil, Errorf(KindInvalid, "invalid_size", "the file is empty")
	}
	if in.Purpose == "" {
		return nil, Errorf(KindInvalid, "invalid_purpose", "purpose is required")
	}
	if err := CheckExternalFileID(in.ExternalFileID); err != nil {
		return nil, err
	}
	head := in.Body[:min(len(in.Body), sniffBytes)]
	create := CreateInput{
		OrganizationID: in.OrganizationID, ProjectID: in.ProjectID, Filename: in.Filename,
		MimeType: declaredType(in.Filename, in.ContentType, head), SizeBytes: int64(len(in.Body)), Purpose: in.Purpose,
		Operation: in.Operation,
	}
	mimeType, err := s.checkCreate(&create)
	if err != nil {
		return nil, err
	}
	if rej := checkContent(head, mimeType); rej != nil {
		return nil, rejected(rej)
	}
	w, ok := s.objects.(ObjectWriter)
	if !ok {
		return nil, Internal(errors.New("object storage has no direct write"))
	}
	// The md5 makes settle check that S3 holds exactly these bytes.
	sum := md5.Sum(in.Body)
	md5hex := hex.EncodeToString(sum[:])
	f := s.newPending(create, mimeType, in.ExternalFileID, s.now())
	err = s.store.Create(ctx, f)
	if in.Operation != nil && errors.Is(err, ErrConditionFailed) {
		// An earlier attempt recorded the file: finish what it started.
		if f, err = s.store.Get(ctx, f.ProjectID, f.ID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil, ErrConditionFailed // deleted since the write found it; a retry records it
			}
			return nil, err
		}
		if f.Status != StatusPending {
			return s.outcome(ctx, f, md5hex) // COMPLETED: confirmed against these bytes
		}
	} else if err != nil {
		return nil, err
	}
	if err := w.Put(ctx, f.ObjectKey, in.Body, mimeType); err != nil && !errors.Is(err, ErrObjectExists) {
		// Leave no PENDING trace. Should the PUT have landed after all, its
		// S3 event finds no record and deletes the object.
		if derr := s.store.Delete(ctx, f.ProjectID, f.ID); derr != nil {
			s.log.ErrorContext(ctx, "could not remove the record of a failed direct upload", "fileId", f.ID, "projectId", f.ProjectID, "err", derr)
		}
		return nil, err
	}
	// Stored now, or already: by an earlier attempt, or by this PUT if an
	// SDK retry of it found its own object. Settle checks the md5 either way.
	return s.settle(ctx, f, md5hex)
}

// CheckExternalFileID allows "" (none) or valid UTF-8 up to MaxExternalIDBytes.
func CheckExternalFileID(v string) error {
	if len(v) > MaxExternalIDBytes || !utf8.ValidString(v) {
		return Errorf(KindInvalid, "invalid_external_file_id", "external_file_id must be valid UTF-8 of at most %d bytes", MaxExternalIDBytes)
	}
	return nil
}

// declaredType is what a direct upload is stored as: the client's label when
// it is specific, else what the extension says, else what the bytes sniff to.
func declaredType(filename, label string, head []byte) string {
	if mt, err := NormalizeMimeType(label); err == nil && mt != "application/octet-stream" {
		return mt
	}
	if mt := TypeByExtension(filename); mt != "" {
		return mt
	}
	mt, err := NormalizeMimeType(mimetype.Detect(head).String())
	if err != nil {
		return "application/octet-stream"
	}
	return mt
}
