package files

import (
	"log/slog"
	"time"
)

// Config is the tunables every use case reads; zero values take the defaults.
type Config struct {
	UploadURLTTL time.Duration // lifetime of a single-PUT session and its PUT URL (≤ MaxURLTTL)
	// MultipartTTL is the lifetime of a multipart session (≤
	// MaxMultipartSession); its part URLs live UploadURLTTL at most.
	MultipartTTL   time.Duration
	DownloadURLTTL time.Duration      // lifetime of a download URL (≤ MaxURLTTL)
	MaxBytes       int64              // cap for every file (≤ MaxObjectBytes)
	Purposes       map[string]Purpose // nil: DefaultPurposes()
	PendingGrace   time.Duration      // how long an EXPIRED session stays readable before TTL
	TerminalKeep   time.Duration      // how long CANCELLED/REJECTED records are kept
	// AssemblyGrace is how long after complete began assembling a multipart
	// upload reconcile finishes it, should the assembly have been cut off:
	// longer than complete itself waits for storage (AssemblyTimeout), so
	// reconcile does not assemble beside a complete still at it.
	AssemblyGrace time.Duration
	Scan          ScanConfig // malware scanning (scan.go)
}

func (c Config) withDefaults() Config {
	if c.UploadURLTTL <= 0 {
		c.UploadURLTTL = 15 * time.Minute
	}
	if c.DownloadURLTTL <= 0 {
		c.DownloadURLTTL = 5 * time.Minute
	}
	// No URL outlives the credentials that sign it (MaxURLTTL); a single-PUT
	// session has one URL, so it ends with it.
	c.UploadURLTTL, c.DownloadURLTTL = min(c.UploadURLTTL, MaxURLTTL), min(c.DownloadURLTTL, MaxURLTTL)
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	c.MaxBytes = min(c.MaxBytes, MaxObjectBytes)
	if c.MultipartTTL <= 0 {
		c.MultipartTTL = 24 * time.Hour
	}
	c.MultipartTTL = min(c.MultipartTTL, MaxMultipartSession)
	if c.Purposes == nil {
		c.Purposes = DefaultPurposes()
	}
	if c.PendingGrace <= 0 {
		c.PendingGrace = 7 * 24 * time.Hour
	}
	if c.TerminalKeep <= 0 {
		c.TerminalKeep = 30 * 24 * time.Hour
	}
	if c.AssemblyGrace <= 0 {
		c.AssemblyGrace = time.Minute
	}
	c.Scan = c.Scan.withDefaults()
	return c
}

// Options are what every use case shares besides its ports: configuration,
// clock, log and lifecycle metrics. Zero values take the defaults.
type Options struct {
	Config  Config
	Clock   func() time.Time // nil: time.Now
	Log     *slog.Logger     // nil: slog.Default()
	Metrics Metrics          // nil: none recorded
}

// Resolved is o with its defaults filled in; every use case's constructor
// resolves its Options once.
func (o Options) Resolved() Options {
	o.Config = o.Config.withDefaults()
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = noMetrics{}
	}
	return o
}

// Now is the use case's clock, in UTC; views render statuses with it.
func (o Options) Now() time.Time { return o.Clock().UTC() }

// Metrics receives lifecycle events: created, completed, rejected,
// cancelled, deleted, expired — with the file's declared size.
type Metrics interface {
	Record(event string, bytes int64)
}

type noMetrics struct{}

func (noMetrics) Record(string, int64) {}

// TTL rules: when DynamoDB may delete a record. Reads never rely on TTL having
// run (StatusAt, GoneAt); TTL only bounds how long records and objects linger.

// PendingTTL keeps an unfinished session readable as EXPIRED for a grace
// period after it ends, but never past retention.
func (c Config) PendingTTL(f *File) int64 {
	return earliest(f.UploadExpiresAt.Add(c.PendingGrace), f.ExpiresAt)
}

// CompletedTTL is the end of retention; 0 (no TTL) keeps the file.
func CompletedTTL(f *File) int64 {
	if f.ExpiresAt == nil {
		return 0
	}
	return f.ExpiresAt.Unix()
}

// TerminalTTL keeps CANCELLED and REJECTED records (and their reasons) for a while.
func (c Config) TerminalTTL(f *File, now time.Time) int64 {
	return earliest(now.Add(c.TerminalKeep), f.ExpiresAt)
}

func earliest(t time.Time, retention *time.Time) int64 {
	if retention != nil && retention.Before(t) {
		t = *retention
	}
	return t.Unix()
}

// ReconcileAt is when reconcile must look at f once it is in status `to`,
// at `at` (zero: never; the record leaves reconcile's index):
//   - PENDING: at the end of its upload session, to settle an upload whose
//     S3 event was lost or store EXPIRED; once complete began assembling a
//     multipart upload, AssemblyGrace after that, to finish an assembly cut
//     off after complete answered 202.
//   - leaving PENDING with a multipart session: at once, to abort whatever
//     multipart uploads its key still holds (a cancel's or a keyed create's
//     retry's abort that failed), found from the record, not a bucket listing.
//   - SCANNING: when its scan is next due (ScanState.Due), to ask for the
//     verdict again: the scanner was down, or an asynchronous verdict is
//     late. The files waiting for a scan share this index with the rest:
//     a stack update can add only one GSI (template.yaml).
//   - anything else: never.
//
// For SCANNING, f.Scan is the scan state being stored (ScanningAt).
func (c Config) ReconcileAt(f *File, to Status, at time.Time) time.Time {
	switch {
	case to == StatusScanning && f.Scan != nil:
		return f.Scan.Due
	case to == StatusScanning:
		return at
	case to == StatusPending && f.AssemblingSince != nil:
		return f.AssemblingSince.Add(c.AssemblyGrace)
	case to == StatusPending:
		return f.UploadExpiresAt
	case f.Multipart != nil:
		return at
	default:
		return time.Time{}
	}
}

// ScanningAt is ReconcileAt for f moving to (or staying in) SCANNING with
// scan state st.
func (c Config) ScanningAt(f *File, st *ScanState, at time.Time) time.Time {
	g := *f
	g.Scan = st
	return c.ReconcileAt(&g, StatusScanning, at)
}
