package files

import (
	"context"
	"errors"
	"mime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CreateInput is a new upload session as a client declares it.
type CreateInput struct {
	OrganizationID string
	ProjectID      string
	Filename       string
	MimeType       string
	SizeBytes      int64
	Purpose        string
	// RetainUntil ends the file's retention (nil: the purpose's default, if any).
	RetainUntil *time.Time
	// Operation is set when the create runs under an Idempotency-Key.
	Operation *Operation
}

// Created is a new PENDING file and the PUT that uploads its bytes.
type Created struct {
	File   *File
	Upload Presigned
}

// ObjectKey is where a file's bytes live. It never contains the user's
// filename, and process-upload recovers project and file from it.
func ObjectKey(projectID, id string) string {
	return "uploads/" + projectID + "/" + id
}

// ParseObjectKey inverts ObjectKey; ok is false for keys Filegate never issues.
func ParseObjectKey(key string) (projectID, id string, ok bool) {
	rest, found := strings.CutPrefix(key, "uploads/")
	if !found {
		return "", "", false
	}
	projectID, id, found = strings.Cut(rest, "/")
	if !found || projectID == "" || !ValidID(id) {
		return "", "", false
	}
	return projectID, id, true
}

// Create validates the declaration, records a PENDING file and presigns its
// PUT. A keyed create (in.Operation) is idempotent by construction: its id
// derives from the operation and the record is written only if absent, so
// an attempt that finds the record an earlier one wrote answers with that
// file and a PUT URL signed now.
func (s *Service) Create(ctx context.Context, in CreateInput) (*Created, error) {
	if op := in.Operation; op != nil && op.Replay {
		return s.resumeCreate(ctx, in.ProjectID, KeyedID(in.ProjectID, op), true)
	}
	mimeType, err := s.checkCreate(&in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	f := s.newPending(in, mimeType, "", now)
	// Presign first: it is local computation, so a failure leaves nothing behind.
	up, ok, err := s.uploadURL(ctx, f, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, Errorf(KindInvalid, "invalid_retention", "retention must leave at least a second to upload in").WithParam("retentionExpiresAt")
	}
	err = s.store.Create(ctx, f)
	if in.Operation != nil && errors.Is(err, ErrConditionFailed) {
		return s.resumeCreate(ctx, f.ProjectID, f.ID, false)
	}
	if err != nil {
		return nil, err
	}
	s.metrics.Record("created", f.SizeBytes)
	return &Created{File: f, Upload: up}, nil
}

// newPending is a new PENDING record as both upload paths (Create and
// UploadDirect) make it: its id (random, or its operation's), the upload
// session's end, retention (explicit, else the purpose's default) and the
// TTL that bounds both.
func (s *Service) newPending(in CreateInput, mimeType, externalFileID string, now time.Time) *File {
	id, createdAt := newFile(in.ProjectID, in.Operation, now)
	f := &File{
		ID:              id,
		ProjectID:       in.ProjectID,
		OrganizationID:  in.OrganizationID,
		Filename:        in.Filename,
		MimeType:        mimeType,
		SizeBytes:       in.SizeBytes,
		Purpose:         in.Purpose,
		Status:          StatusPending,
		CreatedAt:       createdAt,
		UpdatedAt:       now,
		UploadExpiresAt: now.Add(s.cfg.UploadURLTTL),
		ExternalFileID:  externalFileID,
		ObjectKey:       ObjectKey(in.ProjectID, id),
	}
	if in.RetainUntil != nil {
		t := in.RetainUntil.UTC()
		f.ExpiresAt = &t
	} else if d := s.cfg.Purposes[in.Purpose].Retention; d > 0 {
		t := now.Add(d)
		f.ExpiresAt = &t
	}
	// A session nobody finishes is removed by TTL like any other, and the
	// cleanup deletes whatever object it left.
	f.TTL = s.pendingTTL(f)
	return f
}

// resumeCreate answers a keyed create whose file is already recorded (by an
// earlier attempt, or by the create a replay repeats): the file as stored,
// with a PUT URL signed now for the rest of its session, never a stored one.
func (s *Service) resumeCreate(ctx context.Context, projectID, id string, replay bool) (*Created, error) {
	f, err := s.store.Get(ctx, projectID, id)
	now := s.now()
	switch {
	case errors.Is(err, ErrNotFound) && !replay:
		return nil, ErrConditionFailed // deleted since the write found it; a retry creates it
	case errors.Is(err, ErrNotFound) || err == nil && f.GoneAt(now):
		return nil, Errorf(KindConflict, "invalid_state", "the file this Idempotency-Key created no longer exists")
	case err != nil:
		return nil, err
	}
	if st := f.StatusAt(now); st != StatusPending {
		return nil, Errorf(KindConflict, "invalid_state", "the file this Idempotency-Key created, %s, is %s: it has no upload session left", f.ID, st)
	}
	up, ok, err := s.uploadURL(ctx, f, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, Errorf(KindConflict, "invalid_state", "the file this Idempotency-Key created, %s, has less than a second of its upload session left", f.ID)
	}
	return &Created{File: f, Upload: up}, nil
}

// uploadURL signs f's PUT for the rest of its upload session (see
// urlLifetime); ok is false when less than a second is left.
func (s *Service) uploadURL(ctx context.Context, f *File, now time.Time) (up Presigned, ok bool, err error) {
	ttl, ok := urlLifetime(f, f.UploadExpiresAt.Sub(now), now)
	if !ok {
		return Presigned{}, false, nil
	}
	up, err = s.objects.PresignUpload(ctx, f.ObjectKey, Upload{ContentType: f.MimeType, ContentLength: f.SizeBytes, Expires: ttl})
	return up, err == nil, err
}

// checkCreate validates a declaration and returns the normalised MIME type.
func (s *Service) checkCreate(in *CreateInput) (string, error) {
	if err := CheckFilename(in.Filename); err != nil {
		return "", err
	}
	mimeType, err := NormalizeMimeType(in.MimeType)
	if err != nil {
		return "", err
	}
	if err := checkExtension(in.Filename, mimeType); err != nil {
		return "", err
	}
	if err := s.checkSize(in); err != nil {
		return "", err
	}
	if !s.cfg.allows(in.Purpose, mimeType) {
		return "", Errorf(KindInvalid, "type_not_allowed", "purpose %q does not accept %s files", in.Purpose, mimeType).WithParam("mimeType")
	}
	if r := in.RetainUntil; r != nil && (!r.After(s.now()) || r.After(s.now().Add(maxRetention))) {
		return "", Errorf(KindInvalid, "invalid_retention", "retention must end in the future and within %d years", int(maxRetention.Hours()/24/365)).WithParam("retentionExpiresAt")
	}
	return mimeType, nil
}

// checkSize checks the purpose and the declared size against the bounds
// (DESIGN §2a). A declaration past a bound is a bad request naming sizeBytes
// and, in its code, the bound: nothing was sent yet, so nothing is too large.
func (s *Service) checkSize(in *CreateInput) error {
	if _, ok := s.cfg.Purposes[in.Purpose]; in.Purpose != "" && !ok {
		return Errorf(KindInvalid, "invalid_purpose", "unknown purpose %q", in.Purpose).WithParam("purpose")
	}
	if in.SizeBytes < 1 {
		return Errorf(KindInvalid, "invalid_size", "sizeBytes must be at least 1").WithParam("sizeBytes")
	}
	switch bound, limit := s.cfg.sizeBound(in.Purpose, in.SizeBytes); bound {
	case boundMax:
		return Errorf(KindInvalid, "too_large", "sizeBytes %d exceeds the maximum of %d bytes", in.SizeBytes, s.cfg.MaxBytes).WithParam("sizeBytes")
	case boundPurpose:
		return Errorf(KindInvalid, "too_large_for_purpose", "sizeBytes %d exceeds the limit of %d bytes for purpose %q", in.SizeBytes, limit, in.Purpose).WithParam("sizeBytes")
	}
	return nil
}

// maxRetention bounds explicit retention: far enough for any real use, near
// enough to catch unit mistakes (milliseconds sent as seconds).
const maxRetention = 10 * 365 * 24 * time.Hour

// CheckFilename enforces 1–255 characters of printable UTF-8.
func CheckFilename(name string) error {
	if !utf8.ValidString(name) {
		return Errorf(KindInvalid, "invalid_filename", "filename must be valid UTF-8").WithParam("filename")
	}
	if n := utf8.RuneCountInString(name); n < 1 || n > 255 {
		return Errorf(KindInvalid, "invalid_filename", "filename must be 1 to 255 characters").WithParam("filename")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return Errorf(KindInvalid, "invalid_filename", "filename must not contain control characters").WithParam("filename")
		}
	}
	return nil
}

// NormalizeMimeType returns the lower-case type/subtype without parameters:
// the exact value the presigned PUT signs as Content-Type. Both parts must be
// RFC 6838 restricted names (at most 127 characters each), so every accepted
// type fits the signed header S3 will check.
func NormalizeMimeType(v string) (string, error) {
	mt, _, err := mime.ParseMediaType(v)
	typ, sub, ok := strings.Cut(mt, "/")
	if err != nil || !ok || !restrictedName(typ) || !restrictedName(sub) {
		return "", Errorf(KindInvalid, "invalid_mime_type", "mimeType must be a media type such as application/pdf: type and subtype of 1 to %d letters, digits or !#$&-^_.+, starting with a letter or digit (RFC 6838)", maxMimeNameLen).WithParam("mimeType")
	}
	return mt, nil
}

// maxMimeNameLen is RFC 6838's bound on each part of a media type.
const maxMimeNameLen = 127

// restrictedName is RFC 6838 §4.2's restricted-name.
func restrictedName(s string) bool {
	if s == "" || len(s) > maxMimeNameLen || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isAlnum(s[i]) && !strings.ContainsRune("!#$&-^_.+", rune(s[i])) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
