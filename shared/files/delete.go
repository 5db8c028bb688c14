package files

import "context"

// Deletion deletes files: their records, then their objects.
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

// Delete removes the record, then the object. A failure half-way never leaves
// a record pointing at a missing object: at worst an object without a record,
// which the next reconcile run deletes (and which no client can reach).
func (d *Deletion) Delete(ctx context.Context, projectID, id string) error {
	f, err := d.records.Get(ctx, projectID, id)
	if err != nil {
		return err
	}
	return d.delete(ctx, f)
}

// DeleteCompleted deletes a COMPLETED file the way Delete deletes any file.
func (d *Deletion) DeleteCompleted(ctx context.Context, projectID, id string) error {
	f, err := d.records.GetCompleted(ctx, projectID, id)
	if err != nil {
		return err
	}
	return d.delete(ctx, f)
}

func (d *Deletion) delete(ctx context.Context, f *File) error {
	if err := d.store.Delete(ctx, f.ProjectID, f.ID); err != nil {
		return err
	}
	d.Metrics.Record("deleted", f.SizeBytes)
	if m := f.Multipart; m != nil && f.Status != StatusCompleted {
		if err := d.objects.AbortMultipart(ctx, f.ObjectKey, m.UploadID); err != nil {
			d.Log.WarnContext(ctx, "multipart upload left for the bucket's lifecycle rule", "key", f.ObjectKey, "err", err)
		}
	}
	if err := d.objects.Delete(ctx, f.ObjectKey); err != nil {
		d.Log.WarnContext(ctx, "object left for reconcile", "key", f.ObjectKey, "err", err)
	}
	return nil
}
