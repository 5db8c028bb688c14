package files

import (
	"context"
	"net/http"
	"time"
)

// The ports: each use case takes exactly the ones it calls, so wiring the
// wrong adapter does not compile, and a function that only reads records
// never needs object storage. The DynamoDB adapter implements the record
// ports, the S3 adapter the object ones. Every record port is scoped to a
// project: the project is part of the key, so no call can reach another
// project's records. Ports of one use case live beside it (Catalog in
// query.go, the upload ports in files/upload).

// RecordGetter reads one record as stored.
type RecordGetter interface {
	// Get returns ErrNotFound when the project has no such file.
	Get(ctx context.Context, projectID string, id FileID) (*File, error)
}

// RecordReader reads records: one, or the native listing.
type RecordReader interface {
	RecordGetter
	// List returns a newest-first page and the project's total file count.
	List(ctx context.Context, projectID string, limit, offset int) ([]*File, int, error)
}

// FileKey names a record: its project and its id.
type FileKey struct {
	ProjectID string
	ID        FileID
}

// RecordCreator writes new records.
type RecordCreator interface {
	// Create writes a new record; it fails if the ID exists.
	Create(ctx context.Context, f *File) error
}

// Transitioner moves records between states.
type Transitioner interface {
	// Transition applies c to f's record only while it is in status from;
	// otherwise it returns ErrConditionFailed and changes nothing. f is the
	// record as read: its project and id address the write, and its filename
	// and external id (immutable) key the indexes, so no second read is needed.
	Transition(ctx context.Context, f *File, from Status, c Change) (*File, error)
}

// RecordDeleter deletes records.
type RecordDeleter interface {
	// Delete removes f's record while its status is still f.Status:
	// ErrConditionFailed if it moved on, ErrNotFound if it is not there.
	Delete(ctx context.Context, f *File) error
}

// Change is what a transition writes.
type Change struct {
	To        Status
	At        time.Time
	ETag      string
	MD5       string
	SHA256    string // hex; "" leaves the record's
	Rejection *Rejection
	Scan      *ScanState // nil leaves the record's
	TTL       int64      // 0 removes the TTL attribute
	// ReconcileAt is when reconcile must next look at the file (zero:
	// never); Config.ReconcileAt says when.
	ReconcileAt time.Time
	// AssemblingSince, when set, records that complete began assembling
	// the file's multipart upload (zero leaves the record's).
	AssemblingSince time.Time
}

// DownloadSigner presigns downloads.
type DownloadSigner interface {
	PresignDownload(ctx context.Context, key string, d Download) (Presigned, error)
}

// ObjectDeleter deletes objects.
type ObjectDeleter interface {
	// Delete is idempotent: deleting a missing object succeeds.
	Delete(ctx context.Context, key string) error
}

// Download is how a presigned GET presents the object.
type Download struct {
	Filename    string
	ContentType string
	Expires     time.Duration
}

// Presigned is a URL plus the headers the request must carry.
type Presigned struct {
	URL       string
	Headers   http.Header
	ExpiresAt time.Time
}

// What the upload ports (files/upload) exchange with object storage.

// Upload is what a presigned PUT must pin down.
type Upload struct {
	ContentType   string
	ContentLength int64
	// SHA256 (hex, "" = none) is signed as x-amz-checksum-sha256, so
	// storage refuses bytes with another digest.
	SHA256  string
	Expires time.Duration
}

// ObjectInfo is what storage tells of an object (the headers of a GET or HEAD).
type ObjectInfo struct {
	Size        int64
	ContentType string
	ETag        string
	// Metadata is what the object was stored with beyond what an upload
	// session signs (Content-Type, Content-Length), by the header that sets
	// it: "Cache-Control", "Content-Encoding", "x-amz-tagging",
	// "x-amz-meta-<name>", … Empty for an object stored as signed.
	Metadata map[string]string
}

// ObjectSummary is one entry of a bucket listing.
type ObjectSummary struct {
	Key          string
	LastModified time.Time
}
