package files

import "time"

// ScanVerdict is what a malware scan of one object found.
type ScanVerdict string

const (
	// ScanClean: nothing found; the file may complete.
	ScanClean ScanVerdict = "clean"
	// ScanInfected: a signature matched; the file is rejected and its
	// object deleted.
	ScanInfected ScanVerdict = "infected"
	// ScanUnsupported: the scanner could not judge the object (over its
	// size limits, an encrypted archive or document, a format it skips);
	// the deployment's configured outcome applies.
	ScanUnsupported ScanVerdict = "unsupported"
)

// ScanResult is a scanner's answer about one object. Signature names what
// the scanner found (infected) or why it could not judge (unsupported): it
// is for the operator's logs and record, never for the uploader.
type ScanResult struct {
	Verdict   ScanVerdict
	Signature string
}

// StatusScanning is stored while a file whose bytes passed validation waits
// for its malware scan's verdict. It is not the upload session's PENDING:
// the session is over (the file never reads as EXPIRED and its TTL is the
// scan's own, ScanTTL), it cannot be cancelled, and nothing downloads it.
// The native API shows it as PENDING with its scan state; the compat API
// shows only COMPLETED files.
const StatusScanning Status = "SCANNING"

// ScanState is a file's malware scan: waiting (Verdict "") or done.
type ScanState struct {
	Verdict ScanVerdict // "" while waiting
	// Signature is what the scanner reported (see ScanResult): kept on the
	// record and in the logs for the operator, never shown to clients.
	Signature string
	// Due is when a waiting scan is looked at again (reconcile retries it):
	// the scanner was down, or an asynchronous verdict is late.
	Due time.Time
	// Attempts counts the scans that got no verdict.
	Attempts int
}

// ScanMode is how a deployment scans uploads for malware.
type ScanMode string

const (
	ScanOff       ScanMode = "off"       // no scan: a valid file completes at once
	ScanGuardDuty ScanMode = "guardduty" // GuardDuty Malware Protection for S3 scans every object; its verdict arrives as an event
	ScanClamAV    ScanMode = "clamav"    // clamd scans the object, streamed to it, when it is validated
)

// ScanConfig is the malware scan's configuration (Config.Scan).
type ScanConfig struct {
	Mode ScanMode // "": off
	// AcceptUnsupported completes a file the scanner could not judge
	// (ScanUnsupported); by default it is rejected (scan_unsupported).
	AcceptUnsupported bool
	// RetryAfter is how long a scan waits before reconcile looks at it
	// again; ScanKeep how long a waiting file outlives its last look before
	// TTL may remove it (reconcile's looks push it on, so a file only goes
	// if nothing has looked at it for that long).
	RetryAfter time.Duration
	ScanKeep   time.Duration
	// Wait bounds how long a compat upload waits for an asynchronous
	// verdict (guardduty) before it answers 202 with the file still waiting.
	Wait time.Duration
}

// On reports whether files wait for a scan before they complete.
func (c ScanConfig) On() bool { return c.Mode == ScanGuardDuty || c.Mode == ScanClamAV }

func (c ScanConfig) withDefaults() ScanConfig {
	if c.Mode == "" {
		c.Mode = ScanOff
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = 2 * time.Minute
	}
	if c.ScanKeep <= 0 {
		c.ScanKeep = 7 * 24 * time.Hour
	}
	if c.Wait <= 0 {
		c.Wait = 20 * time.Second
	}
	return c
}

// ScanTTL is a waiting file's TTL: ScanKeep past its next look, never past
// retention.
func (c Config) ScanTTL(f *File, due time.Time) int64 {
	return earliest(due.Add(c.Scan.ScanKeep), f.ExpiresAt)
}

// Rejections a scan ends in. The scanner's signature stays on the record
// (ScanState.Signature) and in the logs; clients see only these.
var (
	MalwareDetected = Rejection{Code: "malware_detected", Message: "the file contains malware"}
	ScanUnjudged    = Rejection{Code: "scan_unsupported", Message: "the malware scanner could not scan the file (too large for it, encrypted or password-protected)"}
	ScannedGone     = Rejection{Code: "upload_missing", Message: "the uploaded bytes were no longer in storage when their malware scan ran"}
)

// ErrScanPending refuses a download of a file whose scan has not found it
// clean yet: transient, as the verdict is on its way.
var ErrScanPending = &Error{Kind: KindConflict, Code: "scan_pending", Transient: true,
	Message: "the file is being scanned for malware: a download URL is issued once the scan finds it clean"}
