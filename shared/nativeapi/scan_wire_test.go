package nativeapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// A file waiting for its malware scan reads as PENDING without a session
// end, with its scan state in the scan extension; the scanner's signature
// is never in the File.
func TestScanStateOnTheWire(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const sig = "Eicar-Test-Signature.UNOFFICIAL"
	tests := []struct {
		name       string
		f          files.File
		status     files.Status
		scan       string // "" = no scan field
		expiresSet bool
	}{
		{"pending upload", files.File{Status: files.StatusPending, UploadExpiresAt: now.Add(time.Hour)}, files.StatusPending, "", true},
		// Long past its session: still waiting, never EXPIRED.
		{"waiting for its scan", files.File{Status: files.StatusScanning, UploadExpiresAt: now.Add(-48 * time.Hour), Scan: &files.ScanState{Due: now}}, files.StatusPending, "pending", false},
		{"clean", files.File{Status: files.StatusCompleted, Scan: &files.ScanState{Verdict: files.ScanClean}}, files.StatusCompleted, "clean", false},
		{"infected", files.File{Status: files.StatusRejected, Rejection: &files.MalwareDetected, Scan: &files.ScanState{Verdict: files.ScanInfected, Signature: sig}}, files.StatusRejected, "infected", false},
		{"scanning off", files.File{Status: files.StatusCompleted}, files.StatusCompleted, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.ID = files.MustParseFileID("fil_06H0EN1ZAP202AP5WPNPHXF894")
			j := toJSON(&tt.f, now)
			if j.Status != tt.status {
				t.Errorf("status %s, want %s", j.Status, tt.status)
			}
			if (j.ExpiresAt != nil) != tt.expiresSet {
				t.Errorf("expiresAt %v, want set=%v", j.ExpiresAt, tt.expiresSet)
			}
			got := ""
			if j.Scan != nil {
				got = j.Scan.Status
			}
			if got != tt.scan {
				t.Errorf("scan %q, want %q", got, tt.scan)
			}
			raw, err := json.Marshal(j)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(raw), sig) || strings.Contains(string(raw), "SCANNING") {
				t.Errorf("the File shows internals: %s", raw)
			}
		})
	}
}
