package upload

import "github.com/filegate/filegate/shared/files"

// Outcome is what settling an upload did: a value, never an error (errors
// are faults, which a retry may clear).
type Outcome int

const (
	Unchanged     Outcome = iota // nothing to settle: a duplicate event, a key outside Filegate's layout, no record (yet)
	Completed                    // the file is COMPLETED (or already was, and the md5 agrees)
	Rejected                     // the file is REJECTED with its reason, its object deleted
	Missing                      // the file is still PENDING: its bytes are not (or no longer) there
	Moved                        // a competitor moved the file on (cancelled it) or deleted it
	ObjectDeleted                // the object of a file that is gone, or settled otherwise, was deleted
	Scanning                     // the file passed validation and waits for its malware scan's verdict (SCANNING)
)

func (o Outcome) String() string {
	return [...]string{"unchanged", "completed", "rejected", "missing", "moved", "object deleted", "scanning"}[o]
}

// Result is an outcome and the file as it left it (nil once deleted).
type Result struct {
	Outcome Outcome
	File    *files.File
}
