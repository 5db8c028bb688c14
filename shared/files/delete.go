package files

import (
	"context"
	"errors"
)

// Deletion deletes files: their objects, then their records.
type Deletion struct {
	Options
	records *Records
	store   RecordDeleter
	objects expiredObjects
}

// NewDeletion deletes files records reads, from store and objects (their
// objects, and the parts of unfinished multipart uploads).
func NewDeletion(records *Records, store RecordDeleter, objects expiredObjects, o Options) *Deletion {
	return &Deletion{Options: o.Resolved(), records: records, store: store, objects: objects}
}

// Delete removes the object, then the record (see delete).
func (d *Deletion) Delete(ctx context.Context, projectID string, id FileID) error {
	f, err := d.records.Get(ctx, projectID, id)
	if err != nil {
		return err
	}
	return d.delete(ctx, f)
}

// DeleteCompleted deletes a COMPLETED file the way Delete deletes any file.
func (d *Deletion) DeleteCompleted(ctx context.Context, projectID string, id FileID) error {
	f, err := d.records.GetCompleted(ctx, projectID, id)
	if err != nil {
		return err
	}
	return d.delete(ctx, f)
}

// deleteAttempts bounds how often delete starts over when the file changed
// state between its storage step and its record step (an upload settling,
// a session ending): each start moves the record forward, so this is ample.
const deleteAttempts = 3

// delete deletes storage first, then the record. Once a DELETE succeeds no
// URL serves the bytes: a download URL handed out earlier stays valid for
// its whole life, so the object must be gone before the answer is. Should
// storage fail, the file stays as it was (its record, its object) and the
// caller hears 503 with Retry-After; a retry starts over. The record goes
// last, and only while its status is the one the storage step saw: an
// upload that settled in between (its object written after the delete) is
// deleted again before its record goes.
func (d *Deletion) delete(ctx context.Context, f *File) error {
	for attempt := 1; ; attempt++ {
		if err := d.deleteStored(ctx, f); err != nil {
			return err
		}
		err := d.store.Delete(ctx, f)
		if !errors.Is(err, ErrConditionFailed) || attempt == deleteAttempts {
			if err == nil {
				d.Metrics.Record("deleted", f.SizeBytes)
			}
			return err
		}
		if f, err = d.records.Get(ctx, f.ProjectID, f.ID); err != nil {
			return err
		}
	}
}

// deleteStored deletes f's bytes: its unfinished multipart upload's parts,
// then its object. Both are idempotent.
func (d *Deletion) deleteStored(ctx context.Context, f *File) error {
	if m := f.Multipart; m != nil && f.Status != StatusCompleted {
		if err := d.objects.AbortMultipart(ctx, f.ObjectKey, m.UploadID); err != nil {
			return storageFault(err)
		}
	}
	return storageFault(d.objects.Delete(ctx, f.ObjectKey))
}

// storageFault is err as a client hears it: storage's own faults are
// already Errors (503 when they may clear); anything else is one too.
func storageFault(err error) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return Unavailable("object storage", err)
}
