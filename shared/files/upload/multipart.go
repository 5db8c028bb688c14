package upload

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Multipart sessions: a file uploaded in parts (docs/ARCHITECTURE.md "Limits and lifetimes"). The session
// outlives its URLs: part URLs are signed in batches for at most an hour,
// while the session lasts MultipartTTL; the client asks storage (through
// Parts) which parts arrived to resume, and complete assembles whatever
// storage holds.

// checkPlan validates a multipart plan for a file of size bytes; a single-PUT
// declaration past S3's single-PUT limit needs one.
func checkPlan(in *files.CreateInput) error {
	p := in.Multipart
	if p == nil {
		if in.SizeBytes > files.MaxSinglePutBytes {
			return files.Errorf(files.KindInvalid, "too_large_for_single_put", "%s %d exceeds %d bytes, the most one PUT can carry: ask for a multipart session", files.FieldSizeBytes, in.SizeBytes, int64(files.MaxSinglePutBytes)).On(files.FieldSizeBytes)
		}
		return nil
	}
	if p.PartSizeBytes < files.MinPartBytes || p.PartSizeBytes > files.MaxPartBytes {
		return files.Errorf(files.KindInvalid, "invalid_part_size", "%s must be from %d to %d", files.FieldPartSize, files.MinPartBytes, int64(files.MaxPartBytes)).On(files.FieldPartSize)
	}
	if n := (&files.Multipart{PartSizeBytes: p.PartSizeBytes}).PartCount(in.SizeBytes); n > files.MaxParts {
		return files.Errorf(files.KindInvalid, "too_many_parts", "%s / %s makes %d parts, more than %d: use larger parts", files.FieldSizeBytes, files.FieldPartSize, n, files.MaxParts).On(files.FieldPartSize)
	}
	return nil
}

// createMultipart records f, checked and admitted by Create, with a new
// multipart upload. The upload is opened first: if recording fails, it is
// aborted (or, should that fail too, the bucket's lifecycle rule aborts it).
func (s *Sessions) createMultipart(ctx context.Context, in files.CreateInput, f *files.File) (*files.Created, error) {
	uploadID, err := s.signer.StartMultipart(ctx, f.ObjectKey, f.MimeType, in.Multipart.PartSHA256)
	if err != nil {
		return nil, err
	}
	f.Multipart = &files.Multipart{UploadID: uploadID, PartSizeBytes: in.Multipart.PartSizeBytes, PartSHA256: in.Multipart.PartSHA256}
	err = s.store.Create(ctx, f)
	if err != nil {
		if aerr := s.signer.AbortMultipart(ctx, f.ObjectKey, uploadID); aerr != nil {
			s.Log.WarnContext(ctx, "could not abort the multipart upload of a create that failed", "fileId", f.ID, "err", aerr)
		}
	}
	if in.Operation != nil && errors.Is(err, files.ErrConditionFailed) {
		return s.resume(ctx, f.ProjectID, f.ID, false)
	}
	if err != nil {
		return nil, err
	}
	s.Metrics.Record("created", f.SizeBytes)
	return &files.Created{File: f}, nil
}

// pending is the project's file id while its upload session is live.
func (s *Sessions) pending(ctx context.Context, projectID string, id files.FileID) (*files.File, error) {
	f, err := files.GetLive(ctx, s.store, projectID, id, s.Now())
	if err != nil {
		return nil, err
	}
	if st := f.StatusAt(s.Now()); st != files.StatusPending {
		return nil, files.Errorf(files.KindConflict, "invalid_state", "only a PENDING file has an upload session; this one is %s", st)
	}
	return f, nil
}

// multipartSession is pending, for a file uploaded in parts.
func (s *Sessions) multipartSession(ctx context.Context, projectID string, id files.FileID) (*files.File, error) {
	f, err := s.pending(ctx, projectID, id)
	if err == nil && f.Multipart == nil {
		err = files.Errorf(files.KindConflict, "not_multipart", "this file is uploaded with one PUT, not in parts: ask POST /v1/files/{id}/upload-url for its URL")
	}
	return f, err
}

// UploadURL signs a fresh PUT for a single-PUT session whose URL expired.
func (s *Sessions) UploadURL(ctx context.Context, projectID string, id files.FileID) (*files.Created, error) {
	f, err := s.pending(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	if f.Multipart != nil {
		return nil, files.Errorf(files.KindConflict, "multipart", "this file is uploaded in parts: ask POST /v1/files/{id}/parts for part URLs")
	}
	up, ok, err := s.uploadURL(ctx, f, s.Now())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, files.Errorf(files.KindConflict, "invalid_state", "the upload session has less than a second left")
	}
	return &files.Created{File: f, Upload: up}, nil
}

// PartURLs signs one URL per requested part, each for at most UploadURLTTL
// and never past the session; a session with part checksums needs each
// part's SHA-256, which the URL signs.
func (s *Sessions) PartURLs(ctx context.Context, projectID string, id files.FileID, parts []files.PartRequest) (*files.File, []files.PartURL, error) {
	f, err := s.multipartSession(ctx, projectID, id) // first: another project's file is a 404
	if err != nil {
		return nil, nil, err
	}
	if len(parts) == 0 || len(parts) > files.MaxPartBatch {
		return nil, nil, files.Errorf(files.KindInvalid, "invalid_parts", "%s must list 1 to %d parts", files.FieldParts, files.MaxPartBatch).On(files.FieldParts)
	}
	now := s.Now()
	ttl, ok := files.URLLifetime(f, min(s.Config.UploadURLTTL, f.UploadExpiresAt.Sub(now)), now)
	if !ok {
		return nil, nil, files.Errorf(files.KindConflict, "invalid_state", "the upload session has less than a second left")
	}
	m, count := f.Multipart, f.Multipart.PartCount(f.SizeBytes)
	out := make([]files.PartURL, 0, len(parts))
	for i, p := range parts {
		if p.Number < 1 || p.Number > count {
			return nil, nil, files.Errorf(files.KindInvalid, "invalid_part_number", "part numbers of this file run from 1 to %d", count).OnItem(files.FieldPartNumber, i)
		}
		sum, err := files.ParseSHA256(p.SHA256)
		if err != nil || m.PartSHA256 != (sum != "") {
			return nil, nil, files.Errorf(files.KindInvalid, "invalid_sha256", "%s", partSumRule(m)).OnItem(files.FieldPartSHA256, i)
		}
		u, err := s.signer.PresignPart(ctx, f.ObjectKey, m.UploadID, files.Part{Number: p.Number, SizeBytes: m.PartSize(f.SizeBytes, p.Number), SHA256: sum, Expires: ttl})
		if err != nil {
			return nil, nil, err
		}
		out = append(out, files.PartURL{Number: p.Number, Presigned: u})
	}
	return f, out, nil
}

func partSumRule(m *files.Multipart) string {
	if m.PartSHA256 {
		return "this session checks part checksums: give each part's SHA-256 (64 hex characters or base64)"
	}
	return "this session checks no part checksums: give none"
}

// Parts is what storage holds of a multipart session: the parts a client
// resuming after a crash need not send again.
func (s *Sessions) Parts(ctx context.Context, projectID string, id files.FileID) (*files.File, []files.StoredPart, error) {
	f, err := s.multipartSession(ctx, projectID, id)
	if err != nil {
		return nil, nil, err
	}
	parts, err := s.signer.ListParts(ctx, f.ObjectKey, f.Multipart.UploadID)
	if errors.Is(err, files.ErrObjectMissing) {
		parts, err = nil, nil // assembled meanwhile: complete settles it
	}
	return f, parts, err
}

// How long complete waits for storage to assemble a multipart upload: S3 can
// take minutes for a large one, longer than a request may last. Complete
// waits at most AssemblyTimeout, and leaves assemblyReserve of its request's
// deadline (the function's timeout) to answer; past that it answers the
// file still PENDING, and the S3 event settles it (or reconcile, should the
// assembly have been cut off: Config.AssemblyGrace).
const (
	AssemblyTimeout = 20 * time.Second
	assemblyReserve = 2 * time.Second
)

// assemble completes f's multipart upload from the parts storage holds,
// checked against the plan. Before it asks storage to assemble, it records
// on the file that assembly began (beginAssembly). done is false when
// assembly outlasted its budget (it carries on in storage). f comes back as
// recorded: settled meanwhile, it is returned done, for the caller to answer.
func (s *Settlement) assemble(ctx context.Context, f *files.File, sha256 string) (_ *files.File, done bool, err error) {
	m := f.Multipart
	parts, err := s.objects.ListParts(ctx, f.ObjectKey, m.UploadID)
	if errors.Is(err, files.ErrObjectMissing) {
		return f, true, nil // assembled already (or aborted): settle finds out
	}
	if err != nil {
		return f, false, err
	}
	if missing := missingParts(f, parts); len(missing) > 0 {
		return f, false, files.Errorf(files.KindConflict, "parts_missing", "storage does not hold every part of the plan yet: missing or wrongly sized parts %v", missing)
	}
	if f, err = s.beginAssembly(ctx, f, sha256); err != nil || f.Status != files.StatusPending {
		return f, err == nil, err
	}
	budget := AssemblyTimeout
	if dl, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(dl)-assemblyReserve)
	}
	actx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	err = s.objects.CompleteMultipart(actx, f.ObjectKey, m.UploadID, parts)
	switch {
	case errors.Is(err, files.ErrObjectMissing), errors.Is(err, files.ErrObjectExists):
		return f, true, nil // finished by an earlier complete
	case err != nil && actx.Err() != nil && ctx.Err() == nil:
		return f, false, nil
	}
	return f, err == nil, err
}

// beginAssembly records, by a conditional write on the PENDING file, that
// complete began assembling it (AssemblingSince, kept from the first
// complete) and the client's whole-file sha256 ("" = none new). From then on
// the service owns finishing the file: it stays PENDING past its session
// (StatusAt), and reconcile finishes an assembly cut off after complete
// answered 202 once AssemblyGrace has passed (Config.ReconcileAt). A file
// settled meanwhile comes back as it is now.
func (s *Settlement) beginAssembly(ctx context.Context, f *files.File, sha256 string) (*files.File, error) {
	if f.AssemblingSince != nil && sha256 == "" {
		return f, nil // recorded by an earlier complete
	}
	now := s.Now()
	marked := *f
	if marked.AssemblingSince == nil {
		marked.AssemblingSince = &now
	}
	g, err := s.store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusPending, At: now, SHA256: sha256, TTL: f.TTL,
		AssemblingSince: *marked.AssemblingSince, ReconcileAt: s.Config.ReconcileAt(&marked, files.StatusPending, now)})
	if errors.Is(err, files.ErrConditionFailed) {
		return s.store.Get(ctx, f.ProjectID, f.ID) // settled meanwhile
	}
	return g, err
}

// missingParts lists the plan's part numbers storage lacks or holds at
// another size (at most 20, enough to say what to send).
func missingParts(f *files.File, parts []files.StoredPart) []int {
	m := f.Multipart
	var missing []int
	for n := 1; n <= m.PartCount(f.SizeBytes) && len(missing) < 20; n++ {
		i, found := slices.BinarySearchFunc(parts, n, func(p files.StoredPart, n int) int { return p.Number - n })
		if !found || parts[i].SizeBytes != m.PartSize(f.SizeBytes, n) {
			missing = append(missing, n)
		}
	}
	return missing
}
