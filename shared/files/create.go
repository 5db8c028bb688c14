package files

import (
	"context"
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

// Create validates the declaration, records a PENDING file and presigns its PUT.
func (s *Service) Create(ctx context.Context, in CreateInput) (*Created, error) {
	mimeType, err := s.checkCreate(&in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	id := NewID(now)
	f := &File{
		ID:              id,
		ProjectID:       in.ProjectID,
		OrganizationID:  in.OrganizationID,
		Filename:        in.Filename,
		MimeType:        mimeType,
		SizeBytes:       in.SizeBytes,
		Purpose:         in.Purpose,
		Status:          StatusPending,
		CreatedAt:       now,
		UpdatedAt:       now,
		UploadExpiresAt: now.Add(s.cfg.UploadURLTTL),
		ObjectKey:       ObjectKey(in.ProjectID, id),
	}
	f.ExpiresAt = s.retention(in, now)
	f.TTL = s.pendingTTL(f)
	// Presign first: it is local computation, so a failure leaves nothing behind.
	up, err := s.objects.PresignUpload(ctx, f.ObjectKey, Upload{ContentType: mimeType, ContentLength: in.SizeBytes, Expires: s.cfg.UploadURLTTL})
	if err != nil {
		return nil, err
	}
	if err := s.store.Create(ctx, f); err != nil {
		return nil, err
	}
	s.metrics.Record("created", f.SizeBytes)
	return &Created{File: f, Upload: up}, nil
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
	if in.Purpose != "" && !s.cfg.Purposes[in.Purpose].allows(mimeType) {
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
	p, ok := s.cfg.Purposes[in.Purpose]
	switch {
	case in.Purpose != "" && !ok:
		return Errorf(KindInvalid, "invalid_purpose", "unknown purpose %q", in.Purpose).WithParam("purpose")
	case in.SizeBytes < 1:
		return Errorf(KindInvalid, "invalid_size", "sizeBytes must be at least 1").WithParam("sizeBytes")
	case in.SizeBytes > s.cfg.MaxBytes:
		return Errorf(KindInvalid, "too_large", "sizeBytes %d exceeds the maximum of %d bytes", in.SizeBytes, s.cfg.MaxBytes).WithParam("sizeBytes")
	case ok && in.SizeBytes > p.MaxBytes:
		return Errorf(KindInvalid, "too_large_for_purpose", "sizeBytes %d exceeds the limit of %d bytes for purpose %q", in.SizeBytes, p.MaxBytes, in.Purpose).WithParam("sizeBytes")
	}
	return nil
}

// maxRetention bounds explicit retention: far enough for any real use, near
// enough to catch unit mistakes (milliseconds sent as seconds).
const maxRetention = 10 * 365 * 24 * time.Hour

// retention is the explicit end of retention, else the purpose's default.
func (s *Service) retention(in CreateInput, now time.Time) *time.Time {
	if in.RetainUntil != nil {
		t := in.RetainUntil.UTC()
		return &t
	}
	if d := s.cfg.Purposes[in.Purpose].Retention; d > 0 {
		t := now.Add(d)
		return &t
	}
	return nil
}

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
