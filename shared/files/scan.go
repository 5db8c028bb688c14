package files

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
