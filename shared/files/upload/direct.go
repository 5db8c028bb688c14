package upload

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/gabriel-vasile/mimetype"

	"github.com/filegate/filegate/shared/files"
)

// Direct stores files whose bytes arrive with the request (the compat API's
// upload), then settles them like any upload.
type Direct struct {
	files.Options
	store      directStore
	objects    ObjectWriter
	settlement *Settlement
	quotas     files.QuotaReader
}

// directStore is what a direct upload does with records: write the PENDING
// record, read the one a keyed upload's earlier attempt wrote, and remove
// it when the bytes could not be stored.
type directStore interface {
	files.RecordCreator
	files.RecordGetter
	files.RecordDeleter
}

// NewDirect records files in store, writes their bytes with objects and
// settles them with settlement.
func NewDirect(store directStore, objects ObjectWriter, settlement *Settlement, o files.Options) *Direct {
	return &Direct{Options: o.Resolved(), store: store, objects: objects, settlement: settlement}
}

// WithQuotas makes every upload respect its project's quota (files.Quota).
func (d *Direct) WithQuotas(q files.QuotaReader) *Direct {
	d.quotas = q
	return d
}

// Upload validates the bytes in memory with the rules presigned
// uploads get (size, purpose, sniffed type) and writes nothing when they fail.
// Valid bytes are recorded PENDING, stored, then settled like a completed
// presigned upload, so the object's S3 event finds the file COMPLETED (a
// no-op), and if the event settles it first, both converge. The file comes
// back COMPLETED, or REJECTED with its reason (Settlement.Complete's answer).
//
// If the function dies half-way, what it leaves depends on where: a PENDING
// record without bytes stays (listed by the native API, EXPIRED once its
// session ends) until TTL removes it PendingGrace after that (or at the end
// of retention, if sooner); once the bytes are stored, their S3 event (or
// reconcile) settles the file COMPLETED, though the client never heard of
// it. A keyed upload (in.Operation) finds either on its retry, since its id
// derives from the operation: it stores the bytes if they are missing and
// settles or confirms the file.
func (d *Direct) Upload(ctx context.Context, in files.DirectUpload) (*files.File, error) {
	if int64(len(in.Body)) > files.MaxDirectUploadBytes {
		return nil, files.ErrDirectTooLarge
	}
	if len(in.Body) == 0 {
		return nil, files.Errorf(files.KindInvalid, "invalid_size", "the file is empty")
	}
	if in.Purpose == "" {
		return nil, files.Errorf(files.KindInvalid, "invalid_purpose", "purpose is required")
	}
	if err := files.CheckExternalFileID(in.ExternalFileID); err != nil {
		return nil, err
	}
	head := in.Body[:min(len(in.Body), sniffBytes)]
	create := files.CreateInput{
		OrganizationID: in.OrganizationID, ProjectID: in.ProjectID,
		Declared: files.Declared{
			Filename: in.Filename, MimeType: declaredType(in.Filename, in.ContentType, head),
			SizeBytes: int64(len(in.Body)), Purpose: in.Purpose, SHA256: sha256Hex(in.Body),
		},
		Operation: in.Operation, Admit: in.Admit,
	}
	now := d.Now()
	if err := checkDeclaration(d.Config, &create, files.MaxDirectNameChars, now); err != nil {
		return nil, err
	}
	if rej := checkContent(head, create.MimeType); rej != nil {
		return nil, files.RejectionError(rej)
	}
	// The md5 makes settle check that S3 holds exactly these bytes.
	sum := md5.Sum(in.Body)
	md5hex := hex.EncodeToString(sum[:])
	f := newPending(d.Options, create, in.ExternalFileID, now)
	if err := admit(ctx, d.quotas, create, f); err != nil {
		return nil, err
	}
	err := d.store.Create(ctx, f)
	if in.Operation != nil && errors.Is(err, files.ErrConditionFailed) {
		// An earlier attempt recorded the file: finish what it started.
		if f, err = d.store.Get(ctx, f.ProjectID, f.ID); err != nil {
			if errors.Is(err, files.ErrNotFound) {
				return nil, files.ErrConditionFailed // deleted since the write found it; a retry records it
			}
			return nil, err
		}
		if f.Status != files.StatusPending {
			// Settled already: confirmed against these bytes (a COMPLETED
			// file holding others is a conflict, and stays as it is).
			r, err := outcome(f, md5hex)
			if err != nil {
				return nil, err
			}
			return d.settlement.answer(f, r)
		}
	} else if err != nil {
		return nil, err
	}
	if err := d.objects.Put(ctx, f.ObjectKey, in.Body, create.MimeType, f.SHA256); err != nil && !errors.Is(err, files.ErrObjectExists) {
		// Leave no PENDING trace. Should the PUT have landed after all, its
		// S3 event finds no record and deletes the object.
		if derr := d.store.Delete(ctx, f); derr != nil {
			d.Log.ErrorContext(ctx, "could not remove the record of a failed direct upload", "fileId", f.ID, "projectId", f.ProjectID, "err", derr)
		}
		return nil, err
	}
	// Stored now, or already: by an earlier attempt, or by this PUT if an
	// SDK retry of it found its own object. Settle checks the md5 either way.
	r, err := d.settlement.settle(ctx, f, md5hex)
	if err != nil {
		return nil, err
	}
	if r.Outcome == Scanning && d.Config.Scan.Mode == files.ScanGuardDuty {
		r.File = d.awaitVerdict(ctx, r.File)
	}
	return d.settlement.answer(f, r)
}

// verdictPoll is how often a compat upload rereads its file while it waits
// for an asynchronous verdict.
const verdictPoll = 250 * time.Millisecond

// awaitVerdict rereads f, SCANNING, until a verdict settles it or
// Config.Scan.Wait passes (kept short of ctx's deadline, so the answer is
// still sent): GuardDuty scans on its own, and its result event settles
// the file. It returns the file as last read.
func (d *Direct) awaitVerdict(ctx context.Context, f *files.File) *files.File {
	until := d.Now().Add(d.Config.Scan.Wait)
	if dl, ok := ctx.Deadline(); ok && dl.Add(-time.Second).Before(until) {
		until = dl.Add(-time.Second)
	}
	for d.Now().Before(until) {
		select {
		case <-ctx.Done():
			return f
		case <-time.After(verdictPoll):
		}
		cur, err := d.store.Get(ctx, f.ProjectID, f.ID)
		if err != nil {
			return f // deleted or unreadable: answer what is known
		}
		if f = cur; f.Status != files.StatusScanning {
			return f
		}
	}
	return f
}

// sha256Hex is what the record keeps of the bytes and storage checks them
// against.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// declaredType is what a direct upload is stored as: the client's label when
// it is specific, else what the extension says, else what the bytes sniff to.
func declaredType(filename, label string, head []byte) string {
	if mt, err := files.NormalizeMimeType(label); err == nil && mt != "application/octet-stream" {
		return mt
	}
	if mt := TypeByExtension(filename); mt != "" {
		return mt
	}
	mt, err := files.NormalizeMimeType(mimetype.Detect(head).String())
	if err != nil {
		return "application/octet-stream"
	}
	return mt
}
