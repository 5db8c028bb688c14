// Package upload is the half of Filegate's domain that judges bytes: upload
// sessions, the validation of uploaded objects (size, declared type and
// metadata, the purpose's rules, the content check on the first bytes, the
// md5) and the conditional transitions that settle them, whichever of
// complete, the S3 event, the compat direct upload or reconcile comes first.
// It is apart from package files because it links the MIME sniffer, which
// the functions that only read records never need.
//
//	Sessions    open an upload session (create)         RecordCreator, Presigner
//	Settlement  complete, and settle on S3 events        RecordGetter, Transitioner, ObjectInspector
//	Direct      the compat direct upload                 RecordCreator, RecordDeleter, ObjectWriter, Settlement
//	Reconciler  the scheduled passes: from the records   reconcileStore, OpenUploadLister, Settlement
//	            (Converge) and, for orphans, over the      ObjectLister, ObjectDeleter
//	            bucket (SweepOrphans)
package upload

import (
	"context"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Presigner presigns uploads.
type Presigner interface {
	PresignUpload(ctx context.Context, key string, u files.Upload) (files.Presigned, error)
}

// SessionStorage is what upload sessions ask of storage: signed PUTs, and
// multipart uploads.
type SessionStorage interface {
	Presigner
	// StartMultipart opens a multipart upload and returns its id.
	StartMultipart(ctx context.Context, key, contentType string, partSHA256 bool) (string, error)
	PresignPart(ctx context.Context, key, uploadID string, p files.Part) (files.Presigned, error)
	PartLister
	files.MultipartAborter
}

// PartLister reads which parts storage holds of a multipart upload.
type PartLister interface {
	// ListParts returns files.ErrObjectMissing when the upload is gone.
	ListParts(ctx context.Context, key, uploadID string) ([]files.StoredPart, error)
}

// PartAssembler completes multipart uploads.
type PartAssembler interface {
	PartLister
	// CompleteMultipart returns files.ErrObjectMissing when the upload is
	// gone (completed before, or aborted).
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []files.StoredPart) error
}

// ObjectInspector reads what validation needs of an object, and deletes
// the objects it rejects.
type ObjectInspector interface {
	objectReads
	files.ObjectDeleter
}

// objectReads is validation's read of an object.
type objectReads interface {
	// Peek returns what the object is and at most n bytes from its start,
	// or files.ErrObjectMissing when there is no object.
	Peek(ctx context.Context, key string, n int64) (files.ObjectInfo, []byte, error)
}

// ObjectWriter stores bytes that arrived with a request.
type ObjectWriter interface {
	// Put stores body under key, only if no object exists there yet, and
	// only if body's SHA-256 is sha256 (hex).
	Put(ctx context.Context, key string, body []byte, contentType, sha256 string) error
}

// OpenUploadLister lists open multipart uploads.
type OpenUploadLister interface {
	// OpenUploads returns up to max open uploads under prefix.
	OpenUploads(ctx context.Context, prefix string, max int) ([]files.OpenUpload, error)
	files.MultipartAborter
}

// ObjectLister walks the bucket.
type ObjectLister interface {
	// List returns up to max objects under prefix after the key `after`, in
	// key order, and the key to continue after ("" when done).
	List(ctx context.Context, prefix, after string, max int) ([]files.ObjectSummary, string, error)
}

// JobState is a background job's bookkeeping: its resume point and the
// lease that lets one run at a time hold it.
type JobState interface {
	Cursor(ctx context.Context, job string) (string, error)
	SaveCursor(ctx context.Context, job, cursor string) error
	// AcquireLease makes holder the one run of job until `until`, unless
	// another holder's lease is still live at now: then held is false.
	AcquireLease(ctx context.Context, job, holder string, now, until time.Time) (held bool, err error)
	// ReleaseLease ends holder's lease early; another holder's stays.
	ReleaseLease(ctx context.Context, job, holder string) error
}
