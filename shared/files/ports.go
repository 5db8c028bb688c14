package files

import (
	"context"
	"net/http"
	"time"
)

// Store keeps records. Every method is scoped to a project: the project is
// part of the key, so no call can reach another project's records.
type Store interface {
	// Create writes a new record; it fails if the ID exists.
	Create(ctx context.Context, f *File) error
	// Get returns ErrNotFound when the project has no such file.
	Get(ctx context.Context, projectID, id string) (*File, error)
	// List returns a newest-first page and the project's total file count.
	List(ctx context.Context, projectID string, limit, offset int) ([]*File, int, error)
	// Transition applies c to f's record only while it is in status from;
	// otherwise it returns ErrConditionFailed and changes nothing. f is the
	// record as read: its project and id address the write, and its filename
	// and external id (immutable) key the indexes, so no second read is needed.
	Transition(ctx context.Context, f *File, from Status, c Change) (*File, error)
	// Delete removes the record; ErrNotFound if it is not there.
	Delete(ctx context.Context, projectID, id string) error
	// Forget accounts for a record DynamoDB's TTL removed (its counters);
	// idempotent, since stream records are delivered at least once.
	Forget(ctx context.Context, f *File) error
	// Cursor and SaveCursor keep a background job's resume point.
	Cursor(ctx context.Context, job string) (string, error)
	SaveCursor(ctx context.Context, job, cursor string) error
	// AcquireLease makes holder the one run of job until `until`, unless
	// another holder's lease is still live at now: then held is false.
	AcquireLease(ctx context.Context, job, holder string, now, until time.Time) (held bool, err error)
	// ReleaseLease ends holder's lease early; another holder's stays.
	ReleaseLease(ctx context.Context, job, holder string) error
}

// Change is what a transition writes.
type Change struct {
	To        Status
	At        time.Time
	ETag      string
	MD5       string
	Rejection *Rejection
	TTL       int64 // 0 removes the TTL attribute
}

// Objects is the object storage (S3) seen by the domain.
type Objects interface {
	PresignUpload(ctx context.Context, key string, u Upload) (Presigned, error)
	PresignDownload(ctx context.Context, key string, d Download) (Presigned, error)
	// Stat returns ErrObjectMissing when there is no object.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// ReadPrefix returns at most n bytes from the start of the object.
	ReadPrefix(ctx context.Context, key string, n int64) ([]byte, error)
	// Delete is idempotent: deleting a missing object succeeds.
	Delete(ctx context.Context, key string) error
	// List returns up to max objects under prefix after the key `after`, in
	// key order, and the key to continue after ("" when done).
	List(ctx context.Context, prefix, after string, max int) ([]ObjectSummary, string, error)
}

// ObjectSummary is one entry of a bucket listing.
type ObjectSummary struct {
	Key          string
	LastModified time.Time
}

// Upload is what a presigned PUT must pin down.
type Upload struct {
	ContentType   string
	ContentLength int64
	Expires       time.Duration
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

// ObjectInfo is what a HEAD tells.
type ObjectInfo struct {
	Size         int64
	ContentType  string
	ETag         string
	LastModified time.Time
	// Metadata is what the object was stored with beyond what an upload
	// session signs (Content-Type, Content-Length), by the header that sets
	// it: "Cache-Control", "Content-Encoding", "x-amz-tagging",
	// "x-amz-meta-<name>", … Empty for an object stored as signed.
	Metadata map[string]string
}
