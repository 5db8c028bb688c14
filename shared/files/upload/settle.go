package upload

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/filegate/filegate/shared/files"
)

// Settlement validates uploaded objects and settles their files, COMPLETED
// or REJECTED, by conditional writes: whichever of complete, the S3 event, a
// racing retry or reconcile comes first wins, and every other one converges
// on what it did.
type Settlement struct {
	files.Options
	store   settleStore
	objects settleObjects
	scanner Scanner // nil: SCANNING files are left to functions that scan (scan.go)
}

// settleObjects is what settling asks of storage: validation's reads, and
// the assembly of multipart uploads.
type settleObjects interface {
	ObjectInspector
	PartAssembler
}

// settleStore is what settling reads and writes of records: it reads them
// as stored (an upload settles whatever its file's retention says).
type settleStore interface {
	files.RecordGetter
	files.Transitioner
}

// NewSettlement settles files in store, validating their objects through
// objects.
func NewSettlement(store settleStore, objects settleObjects, o files.Options) *Settlement {
	return &Settlement{Options: o.Resolved(), store: store, objects: objects}
}

// Complete is the client's "I have uploaded": it validates the object and
// converges with process-upload on the same conditional transition. The
// file comes back COMPLETED, or REJECTED with its reason (an outcome, which
// each dialect answers with its 422); errors are what the client must hear
// otherwise (bad md5, no such file, no bytes yet, a settled state) or faults.
// A multipart file is assembled first; if storage is still assembling it
// when AssemblyTimeout ends, the file comes back PENDING (the S3 event
// settles it, or reconcile once AssemblyGrace has passed). sha256 (hex or
// base64, "" = none) is a multipart file's whole-file digest as the client
// computed it, kept on the record as its claim (storage never checks a
// multipart object's whole-file digest).
//
// Only a PENDING file settles. A settled file never changes through
// complete, whoever calls it (an API key or an upload token): a COMPLETED
// one comes back as stored when the checksums given agree with it (or none
// is given) and is a permanent conflict otherwise; a REJECTED, CANCELLED or
// EXPIRED one is a state conflict.
func (s *Settlement) Complete(ctx context.Context, projectID string, id files.FileID, md5, sha256 string) (*files.File, error) {
	if md5 != "" {
		if _, err := hex.DecodeString(md5); err != nil || len(md5) != 32 {
			return nil, files.Errorf(files.KindInvalid, "invalid_md5", "%s must be 32 hexadecimal characters", files.FieldMD5).On(files.FieldMD5)
		}
		md5 = strings.ToLower(md5)
	}
	sum, err := files.ParseSHA256(sha256)
	if err != nil {
		return nil, err
	}
	objects := s.prefetch(ctx, projectID, id)
	defer objects.stop()
	f, err := files.GetLive(ctx, s.store, projectID, id, s.Now())
	if err != nil {
		return nil, err
	}
	reads := objects.of(f)
	f, assembling, err := s.assembled(ctx, f, md5, sum)
	if err != nil || assembling {
		return f, err
	}
	var r Result
	switch st := f.StatusAt(s.Now()); st {
	case files.StatusCompleted, files.StatusScanning:
		r, err = confirm(f, md5, sum)
	case files.StatusPending:
		r, err = s.settleRead(ctx, reads, f, md5, nil)
	default:
		return nil, files.Errorf(files.KindConflict, "invalid_state", "only a PENDING file can be completed; this one is %s", st)
	}
	if err != nil {
		return nil, err
	}
	return s.answer(f, r)
}

// prefetch starts validation's reads of the object file id of projectID
// would have, beside the record read (prefetch.go).
func (s *Settlement) prefetch(ctx context.Context, projectID string, id files.FileID) *prefetch {
	key := ""
	if !id.IsZero() {
		key = files.ObjectKey(projectID, id)
	}
	return startPrefetch(ctx, s.objects, key)
}

// assembled readies a multipart file for settling: it checks what complete
// may carry, keeps the client's whole-file sha256 (hex, "" = none) and,
// while the file is PENDING, assembles the upload. assembling is true when
// storage is still at it; otherwise Complete settles or confirms the file
// returned.
func (s *Settlement) assembled(ctx context.Context, f *files.File, md5, sum string) (_ *files.File, assembling bool, err error) {
	switch {
	case f.Multipart == nil && sum != "":
		return nil, false, files.Errorf(files.KindInvalid, "invalid_sha256", "a single-PUT file's %s is declared at create, where storage checks it", files.FieldSHA256).On(files.FieldSHA256)
	case f.Multipart == nil:
		return f, false, nil
	case md5 != "":
		return nil, false, files.Errorf(files.KindInvalid, "invalid_md5", "a file uploaded in parts has no MD5 to compare (its ETag is not one): declare part checksums instead").On(files.FieldMD5)
	case f.StatusAt(s.Now()) != files.StatusPending:
		return f, false, nil // Complete answers the state, and confirms a COMPLETED file's claim
	case f.SHA256 != "" && sum != "" && sum != f.SHA256:
		return nil, false, files.Errorf(files.KindInvalid, "checksum_mismatch", "%s differs from the one declared at create", files.FieldSHA256).On(files.FieldSHA256)
	}
	if sum == f.SHA256 {
		sum = "" // nothing new to keep
	}
	f, done, err := s.assemble(ctx, f, sum)
	return f, !done && err == nil, err
}

// answer is what a client that asked to settle f hears of r: the settled
// file, or why there is none.
func (s *Settlement) answer(f *files.File, r Result) (*files.File, error) {
	switch {
	case r.Outcome == Completed || r.Outcome == Rejected || r.Outcome == Scanning:
		return r.File, nil
	case r.Outcome == Missing && f.StatusAt(s.Now()) == files.StatusExpired:
		return nil, files.Errorf(files.KindConflict, "invalid_state", "the upload session has expired")
	case r.Outcome == Missing:
		return nil, files.ErrObjectMissing
	case r.File == nil:
		return nil, files.ErrNotFound // deleted meanwhile
	default:
		return nil, files.Errorf(files.KindConflict, "invalid_state", "the file is %s", r.File.StatusAt(s.Now()))
	}
}

// ObjectCreated handles an S3 ObjectCreated event for key. Events arrive at
// least once, late or out of order: it settles a PENDING file, leaves a
// COMPLETED one, and deletes a late upload (the file cancelled, rejected or
// expired) and an object whose record is gone. The error is a fault, which
// Lambda retries; nothing else is one.
func (s *Settlement) ObjectCreated(ctx context.Context, key string) (Outcome, error) {
	projectID, id, ok := files.ParseObjectKey(key)
	if !ok {
		s.Log.WarnContext(ctx, "ignoring object outside Filegate's key layout", "key", key)
		return Unchanged, nil
	}
	log := s.Log.With("projectId", projectID, "fileId", id)
	f, err := s.store.Get(ctx, projectID, id)
	switch {
	case errors.Is(err, files.ErrNotFound):
		// The record was deleted; its session's PUT URL may still have been used.
		log.InfoContext(ctx, "deleting object of a deleted file")
		return ObjectDeleted, s.objects.Delete(ctx, key)
	case err != nil:
		return Unchanged, err
	}
	switch f.Status {
	case files.StatusCompleted:
		return Unchanged, nil // a duplicate event
	case files.StatusPending:
		r, err := s.settle(ctx, f, "")
		if err != nil {
			return Unchanged, err
		}
		log.InfoContext(ctx, "upload settled", "outcome", r.Outcome)
		return r.Outcome, nil
	case files.StatusScanning:
		// Validated by complete, which leaves the scan to the functions
		// that scan; one whose look is not due yet waits for it.
		if f.Scan != nil && s.Now().Before(f.Scan.Due) {
			return Unchanged, nil
		}
		r, err := s.scan(ctx, f)
		return r.Outcome, err
	default:
		// Cancelled, rejected or expired: a late upload must not linger.
		log.InfoContext(ctx, "deleting late upload", "status", f.Status)
		return ObjectDeleted, s.objects.Delete(ctx, key)
	}
}

// settle validates a PENDING file's object and moves it to COMPLETED or
// REJECTED with a conditional write; losing the race returns the winner's
// result, checked against md5 (the caller's checksum) like any COMPLETED
// file. The error is a fault.
func (s *Settlement) settle(ctx context.Context, f *files.File, md5 string) (Result, error) {
	return s.settleRead(ctx, s.objects, f, md5, nil)
}

// settleRead is settle reading the object through objects; known is the
// malware scan's verdict when it came before validation (nil: none yet).
func (s *Settlement) settleRead(ctx context.Context, objects objectReads, f *files.File, md5 string, known *files.ScanResult) (Result, error) {
	info, rej, err := s.inspect(ctx, objects, f, md5)
	if errors.Is(err, files.ErrObjectMissing) {
		// A competitor may have rejected the upload and deleted its object:
		// report that outcome, not a missing upload.
		if cur, gerr := s.store.Get(ctx, f.ProjectID, f.ID); gerr == nil && cur.Status != files.StatusPending {
			return outcome(cur, md5)
		}
		return Result{Outcome: Missing, File: f}, nil
	}
	if err != nil {
		return Result{}, err
	}
	if rej != nil {
		return s.reject(ctx, f, rej, md5)
	}
	return s.passed(ctx, f, info, md5, known)
}

// confirm answers a caller carrying md5 and sha256 (hex, "" = none) about a
// file past validation (COMPLETED, or SCANNING: waiting for its malware
// verdict): the file as stored when they agree with it, else a permanent
// conflict. The file itself never changes: once settled, what a
// client says about the bytes cannot undo what validation approved, so a
// caller that may not delete a file (an upload token) cannot destroy it
// with a wrong checksum either. A wrong md5 before the file settles still
// rejects it; one that loses the race to a plain complete or the S3 event
// hears this conflict, never a 200.
func confirm(f *files.File, md5, sha256 string) (Result, error) {
	out, state := Completed, "COMPLETED"
	if f.Status == files.StatusScanning {
		out, state = Scanning, "past validation (its malware scan is running)"
	}
	if checkMD5(md5, f.ETag) != nil {
		return Result{}, files.Errorf(files.KindConflict, "checksum_mismatch", "file %s is already %s, and the given md5 is not its bytes' MD5: it stays as it is (if these are not the bytes you meant, delete it and upload them again)", f.ID, state).On(files.FieldMD5)
	}
	if sha256 != "" && sha256 != f.SHA256 {
		return Result{}, files.Errorf(files.KindConflict, "checksum_mismatch", "file %s is already %s with another sha256 (or none): it stays as it is", f.ID, state).On(files.FieldSHA256)
	}
	return Result{Outcome: out, File: f}, nil
}

// checkMD5 compares the client's md5 ("" = none given) with the object's
// ETag; an ETag that is not an MD5 (multipart, SSE-KMS) cannot confirm it.
func checkMD5(md5, etag string) *files.Rejection {
	if got := etagMD5(etag); md5 != "" && (got == "" || got != md5) {
		return &files.Rejection{Code: "checksum_mismatch", Message: "the uploaded bytes do not match the given md5"}
	}
	return nil
}

// reject records the rejection of a PENDING file, then deletes the object:
// if the delete fails, the REJECTED record still names the object, so a
// retry or cleanup finds it. The write's condition is status = PENDING, so
// no caller, racing or not, rejects a settled file; losing the write to a
// competitor returns the competitor's outcome, checked against md5.
func (s *Settlement) reject(ctx context.Context, f *files.File, rej *files.Rejection, md5 string) (Result, error) {
	return s.rejectFrom(ctx, f, files.StatusPending, rej, nil, md5)
}

// rejectFrom is reject of a file in status from (PENDING, or SCANNING for
// what its malware scan found), keeping its scan's state (nil: none).
func (s *Settlement) rejectFrom(ctx context.Context, f *files.File, from files.Status, rej *files.Rejection, scan *files.ScanState, md5 string) (Result, error) {
	now := s.Now()
	done, err := s.store.Transition(ctx, f, from, files.Change{To: files.StatusRejected, At: now, Rejection: rej, Scan: scan,
		TTL: s.Config.TerminalTTL(f, now), ReconcileAt: s.Config.ReconcileAt(f, files.StatusRejected, now)})
	if errors.Is(err, files.ErrConditionFailed) {
		return s.settled(ctx, f, md5)
	}
	if err != nil {
		return Result{}, err
	}
	s.Metrics.Record("rejected", f.SizeBytes)
	if err := s.objects.Delete(ctx, f.ObjectKey); err != nil {
		return Result{}, err
	}
	return Result{Outcome: Rejected, File: done}, nil
}

// settled reads the outcome of a transition someone else won. A COMPLETED
// winner still has to match the caller's md5, or the caller hears a
// conflict (the file stays COMPLETED).
func (s *Settlement) settled(ctx context.Context, f *files.File, md5 string) (Result, error) {
	cur, err := s.store.Get(ctx, f.ProjectID, f.ID)
	if errors.Is(err, files.ErrNotFound) {
		return Result{Outcome: Moved}, nil // deleted meanwhile
	}
	if err != nil {
		return Result{}, err
	}
	return outcome(cur, md5)
}

// outcome is what a settled record means to a caller carrying md5.
func outcome(cur *files.File, md5 string) (Result, error) {
	switch cur.Status {
	case files.StatusCompleted, files.StatusScanning:
		return confirm(cur, md5, "")
	case files.StatusRejected:
		return Result{Outcome: Rejected, File: cur}, nil
	default:
		return Result{Outcome: Moved, File: cur}, nil
	}
}

// etagMD5 is the object's MD5 when its ETag is one (single-part, SSE-S3).
func etagMD5(etag string) string {
	e := strings.ToLower(strings.Trim(etag, `"`))
	if _, err := hex.DecodeString(e); err != nil || len(e) != 32 {
		return ""
	}
	return e
}
