package files

import (
	"context"
	"time"
)

// S3's multipart limits (the "Amazon S3 multipart upload limits" table):
// they bound a multipart session's plan.
const (
	MinPartBytes   = 5 << 20 // every part but the last
	MaxPartBytes   = 5 << 30
	MaxParts       = 10_000
	MaxObjectBytes = 5 << 40 // 5 TiB, S3's largest object
	// MaxPartBatch bounds the part URLs one request signs.
	MaxPartBatch = 100
	// MaxMultipartSession is the longest a multipart session may be
	// configured to last; the bucket aborts what is left a day after it
	// (docs/ARCHITECTURE.md "Limits and lifetimes").
	MaxMultipartSession = 7 * 24 * time.Hour
)

// Multipart is a multipart upload session: S3's upload id and the plan its
// parts follow. Every part is PartSizeBytes long but the last.
type Multipart struct {
	UploadID      string
	PartSizeBytes int64
	// PartSHA256 says every part's URL signs its SHA-256, so storage checked
	// each part's bytes (and keeps a checksum of the part checksums).
	PartSHA256 bool
}

// PartCount is how many parts a file of size bytes has.
func (m *Multipart) PartCount(size int64) int {
	return int((size + m.PartSizeBytes - 1) / m.PartSizeBytes)
}

// PartSize is the size of part n (1-based) of a file of size bytes.
func (m *Multipart) PartSize(size int64, n int) int64 {
	return min(m.PartSizeBytes, size-int64(n-1)*m.PartSizeBytes)
}

// MultipartPlan is what a client asks of a multipart session.
type MultipartPlan struct {
	PartSizeBytes int64
	PartSHA256    bool
}

// Part is one part a presigned UploadPart must pin down.
type Part struct {
	Number    int
	SizeBytes int64
	SHA256    string // hex; "" when the session checks no part checksums
	Expires   time.Duration
}

// PartRequest is a part a client asks a URL for, with its SHA-256 (hex or
// base64) when the session checks them.
type PartRequest struct {
	Number int
	SHA256 string
}

// PartURL is a presigned part upload.
type PartURL struct {
	Number int
	Presigned
}

// StoredPart is a part storage holds.
type StoredPart struct {
	Number    int
	SizeBytes int64
	ETag      string
	SHA256    string // base64, as S3 lists it; "" without part checksums
}

// OpenUpload is a multipart upload storage holds open.
type OpenUpload struct {
	Key       string
	UploadID  string
	Initiated time.Time
}

// MultipartAborter ends multipart uploads.
type MultipartAborter interface {
	// AbortMultipart is idempotent: an upload already gone is no error.
	AbortMultipart(ctx context.Context, key, uploadID string) error
}
