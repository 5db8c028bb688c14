// Package files is Filegate's domain: the file record and its states, the
// error vocabulary, the rules that need only a declaration, the ports the
// DynamoDB and S3 adapters implement, and the use cases that read and end
// files, each taking exactly the ports it calls:
//
//	Records       read one file, the native listing        RecordReader
//	Listing       the compat listings (COMPLETED files)     Catalog
//	Downloads     download URLs                             Records, DownloadSigner
//	Cancellation  cancel a PENDING session                  Records, Transitioner
//	Deletion      delete a file and its object              Records, RecordDeleter, ObjectDeleter
//	Expiry        finish TTL's removal of a record          ObjectDeleter
//
// Uploading and settling, which judge bytes and need the MIME sniffer, are
// files/upload's, so the functions that only read never link it.
package files

import "time"

// Status is where a file is in its life. A PENDING record reads EXPIRED once
// its upload session has ended, and reconcile stores EXPIRED soon after
// (upload.Reconciler): reads and the stored status agree either way.
type Status string

const (
	StatusPending   Status = "PENDING"
	StatusCompleted Status = "COMPLETED"
	StatusCancelled Status = "CANCELLED"
	StatusExpired   Status = "EXPIRED"
	StatusRejected  Status = "REJECTED"
)

// Rejection says why an upload failed validation; Code is machine-readable.
type Rejection struct {
	Code    string
	Message string
}

// File is one record. Times are UTC; nil pointers mean "not set".
type File struct {
	ID             FileID
	ProjectID      string
	OrganizationID string
	// Declared is what the client declared at create, as create's rules
	// left it (Declared.Normalize).
	Declared
	Status          Status
	CreatedAt       time.Time
	UpdatedAt       time.Time
	CompletedAt     *time.Time
	UploadExpiresAt time.Time
	ExpiresAt       *time.Time // end of retention; nil = kept
	ExternalFileID  string
	DataSourceID    string
	PermissionInfo  map[string]any // opaque JSON object (compat API); nil = none
	ResourceInfo    map[string]any // opaque JSON object (compat API); nil = none
	ObjectKey       string
	ETag            string
	MD5             string
	// Multipart is the multipart session of a file uploaded in parts (nil:
	// one PUT).
	Multipart *Multipart
	// AssemblingSince is when complete began assembling a multipart file:
	// from then on the service owns finishing it (reconcile does, should the
	// assembly be cut off), so the file stays PENDING past its session.
	AssemblingSince *time.Time
	// ReconcileAt is when reconcile must look at the file (zero: never):
	// see Config.ReconcileAt.
	ReconcileAt time.Time
	// Scan is the file's malware scan (nil: none began, e.g. scanning off).
	Scan      *ScanState
	Rejection *Rejection
	TTL       int64 // epoch seconds for DynamoDB TTL; 0 = none
}

// StatusAt is the status a reader sees at now: a PENDING file whose session
// has ended is EXPIRED before reconcile stores it, unless complete began
// assembling it in time (reconcile settles that one).
func (f *File) StatusAt(now time.Time) Status {
	if f.Status == StatusPending && !now.Before(f.UploadExpiresAt) && f.AssemblingSince == nil {
		return StatusExpired
	}
	return f.Status
}

// VerifiedSHA256 is the whole file's SHA-256 as storage checked it ("" =
// none): signed into a single PUT (x-amz-checksum-sha256), or sent with the
// compat upload's bytes. S3 checks a multipart object's parts, and keeps a
// checksum of their checksums, never the whole file's SHA-256: a multipart
// file has none.
func (f *File) VerifiedSHA256() string {
	if f.Multipart != nil {
		return ""
	}
	return f.SHA256
}

// ClaimedSHA256 is a multipart file's whole-file SHA-256 as its client gave
// it ("" = none): a claim, which a reader may check the bytes against but
// which storage never verified.
func (f *File) ClaimedSHA256() string {
	if f.Multipart == nil {
		return ""
	}
	return f.SHA256
}

// GoneAt reports whether retention has ended: such a file is treated as deleted.
func (f *File) GoneAt(now time.Time) bool {
	return f.ExpiresAt != nil && !now.Before(*f.ExpiresAt)
}
