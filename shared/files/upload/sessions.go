package upload

import (
	"context"
	"errors"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Sessions opens upload sessions (a PENDING record and the PUT that uploads
// its bytes, or a multipart upload) and signs their URLs while they last.
type Sessions struct {
	files.Options
	store  sessionStore
	signer SessionStorage
	quotas files.QuotaReader
}

// sessionStore is what opening a session does with records: write the new
// one, and read the one a keyed create's earlier attempt wrote.
type sessionStore interface {
	files.RecordCreator
	files.RecordGetter
}

// NewSessions records sessions in store and signs their PUTs with signer.
func NewSessions(store sessionStore, signer SessionStorage, o files.Options) *Sessions {
	return &Sessions{Options: o.Resolved(), store: store, signer: signer}
}

// WithQuotas makes every create respect its project's quota (files.Quota).
func (s *Sessions) WithQuotas(q files.QuotaReader) *Sessions {
	s.quotas = q
	return s
}

// Create validates the declaration, records a PENDING file and presigns its
// PUT. A keyed create (in.Operation) is idempotent by construction: its id
// derives from the operation and the record is written only if absent, so
// an attempt that finds the record an earlier one wrote answers with that
// file and a PUT URL signed now.
func (s *Sessions) Create(ctx context.Context, in files.CreateInput) (*files.Created, error) {
	if op := in.Operation; op != nil && op.Replay {
		return s.resume(ctx, in.ProjectID, files.KeyedID(in.ProjectID, op), true)
	}
	now := s.Now()
	if err := checkDeclaration(s.Config, &in, files.MaxFilenameChars, now); err != nil {
		return nil, err
	}
	f := newPending(s.Options, in, "", now)
	// A single PUT is presigned first: it is local computation, so a failure
	// leaves nothing behind (a multipart session's part URLs come later).
	var up files.Presigned
	var ok bool
	var err error
	if in.Multipart == nil {
		up, ok, err = s.uploadURL(ctx, f, now)
	} else {
		_, ok = files.URLLifetime(f, time.Hour, now)
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, files.Errorf(files.KindInvalid, "invalid_retention", "%s must leave at least a second to upload in", files.FieldRetention).On(files.FieldRetention)
	}
	if err := admit(ctx, s.quotas, in, f); err != nil {
		return nil, err
	}
	if in.Multipart != nil {
		return s.createMultipart(ctx, in, f)
	}
	err = s.store.Create(ctx, f)
	if in.Operation != nil && errors.Is(err, files.ErrConditionFailed) {
		return s.resume(ctx, f.ProjectID, f.ID, false)
	}
	if err != nil {
		return nil, err
	}
	s.Metrics.Record("created", f.SizeBytes)
	return &files.Created{File: f, Upload: up}, nil
}

// admit checks f against its project's quota (quotas, nil: none), then
// spends the caller's budget (CreateInput.Admit: an upload token's, files
// and bytes) on it, once its id is known and before anything is opened in
// storage or recorded. It is the one charge point: every way of creating a
// file (one PUT, a multipart session, the direct upload) passes it, so no
// file exists that its project's quota and its caller's budget did not
// allow, and a refusal writes nothing.
func admit(ctx context.Context, quotas files.QuotaReader, in files.CreateInput, f *files.File) error {
	if err := files.CheckQuota(ctx, quotas, f.OrganizationID, f.ProjectID, f.SizeBytes); err != nil {
		return err
	}
	if in.Admit == nil {
		return nil
	}
	return in.Admit(ctx, f)
}

// resume answers a keyed create whose file is already recorded (by an
// earlier attempt, or by the create a replay repeats) with the file as it
// is now: while its session is open, with a PUT URL signed now for the rest
// of it (never a stored one); once it has settled or ended, with no URL. A
// client that never learned how its upload went (it died before complete's
// answer, or the S3 event completed the file) learns it here, instead of
// uploading the bytes again as a second file.
func (s *Sessions) resume(ctx context.Context, projectID string, id files.FileID, replay bool) (*files.Created, error) {
	f, err := s.store.Get(ctx, projectID, id)
	now := s.Now()
	switch {
	case errors.Is(err, files.ErrNotFound) && !replay:
		return nil, files.ErrConditionFailed // deleted since the write found it; a retry creates it
	case errors.Is(err, files.ErrNotFound) || err == nil && f.GoneAt(now):
		return nil, files.Errorf(files.KindConflict, "invalid_state", "the file this Idempotency-Key created no longer exists")
	case err != nil:
		return nil, err
	}
	if f.StatusAt(now) != files.StatusPending || f.Multipart != nil {
		return &files.Created{File: f}, nil // settled or ended; a multipart session's URLs are the parts'
	}
	up, ok, err := s.uploadURL(ctx, f, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, files.Errorf(files.KindConflict, "invalid_state", "the file this Idempotency-Key created, %s, has less than a second of its upload session left", f.ID)
	}
	return &files.Created{File: f, Upload: up}, nil
}

// uploadURL signs f's PUT for the rest of its upload session, as
// files.URLLifetime caps it; ok is false when less than a second is left.
func (s *Sessions) uploadURL(ctx context.Context, f *files.File, now time.Time) (up files.Presigned, ok bool, err error) {
	ttl, ok := files.URLLifetime(f, f.UploadExpiresAt.Sub(now), now)
	if !ok {
		return files.Presigned{}, false, nil
	}
	up, err = s.signer.PresignUpload(ctx, f.ObjectKey, files.Upload{ContentType: f.MimeType, ContentLength: f.SizeBytes, SHA256: f.SHA256, Expires: ttl})
	return up, err == nil, err
}

// newPending is a new PENDING record as both upload paths (Create and the
// direct upload) make it: its id (see newID), the upload session's end,
// retention (explicit, else the purpose's default) and the TTL that bounds
// both.
func newPending(o files.Options, in files.CreateInput, externalFileID string, now time.Time) *files.File {
	id, createdAt := newID(in.ProjectID, in.Operation, now)
	f := &files.File{
		ID:              id,
		ProjectID:       in.ProjectID,
		OrganizationID:  in.OrganizationID,
		Declared:        in.Declared,
		Status:          files.StatusPending,
		CreatedAt:       createdAt,
		UpdatedAt:       now,
		UploadExpiresAt: now.Add(sessionTTL(o.Config, in)),
		ExternalFileID:  externalFileID,
		ObjectKey:       files.ObjectKey(in.ProjectID, id),
	}
	if in.RetainUntil != nil {
		t := in.RetainUntil.UTC()
		f.ExpiresAt = &t
	} else if d := o.Config.Purposes[in.Purpose].Retention; d > 0 {
		t := now.Add(d)
		f.ExpiresAt = &t
	}
	// A session nobody finishes is stored EXPIRED by reconcile when it ends
	// (which also settles an upload whose S3 event was lost), then removed
	// by TTL like any other, and the cleanup deletes whatever object it left.
	f.ReconcileAt = o.Config.ReconcileAt(f, files.StatusPending, now)
	f.TTL = o.Config.PendingTTL(f)
	return f
}

// sessionTTL is how long a new upload session lasts.
func sessionTTL(c files.Config, in files.CreateInput) time.Duration {
	if in.Multipart != nil {
		return c.MultipartTTL
	}
	return c.UploadURLTTL
}

// newID is the id and creation time of a new file: random and now, or those
// of its operation when it is keyed.
func newID(projectID string, op *files.Operation, now time.Time) (id files.FileID, createdAt time.Time) {
	if op == nil {
		return files.NewID(now), now
	}
	return files.KeyedID(projectID, op), op.At.UTC().Truncate(time.Millisecond) // the id's precision
}
