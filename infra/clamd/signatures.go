package clamd

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// The local signature database: what clamd loads when no official database
// is there. clamd accepts a custom-only database and reports its matches
// with a ".UNOFFICIAL" suffix ("Eicar-Test-Signature.UNOFFICIAL"). An
// operator who wants real protection loads the official databases beside
// it with freshclam (docs/operations.md).

// EICAR is the industry's antivirus test file: 68 harmless bytes that every
// scanner reports as infected. It is assembled here, not written out in the
// source, so no scanner on a developer's machine flags this repository.
func EICAR() []byte {
	return []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$` + "EICAR-STANDARD-ANTIVIRUS-" + "TEST-FILE!$H+H*")
}

// Marker is a harmless string that only this local database flags, as
// MarkerSignature: tests use it to tell a Filegate-built database at work
// from a scanner that knows EICAR on its own.
const Marker = "FILEGATE-MALWARE-SCAN-TEST-MARKER-7c4e2a19"

// Signature names as clamd reports them for this database.
const (
	EICARSignature  = "Eicar-Test-Signature.UNOFFICIAL"
	MarkerSignature = "Filegate.Test.Marker.UNOFFICIAL"
)

// writeDatabase writes the local database into dir: an MD5 hash signature
// (.hdb) for the exact EICAR file, and body signatures (.ndb) for EICAR and
// the marker anywhere in any file (an EICAR line inside a larger file, as
// the official database also reports).
func writeDatabase(dir string) error {
	eicar := EICAR()
	sum := md5.Sum(eicar)
	dbs := map[string]string{
		"filegate.hdb": fmt.Sprintf("%s:%d:Eicar-Test-Signature\n", hex.EncodeToString(sum[:]), len(eicar)),
		"filegate.ndb": fmt.Sprintf("Eicar-Test-Signature:0:*:%s\nFilegate.Test.Marker:0:*:%s\n",
			hex.EncodeToString(eicar), hex.EncodeToString([]byte(Marker))),
	}
	for name, body := range dbs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return fmt.Errorf("clamd: write %s: %w", name, err)
		}
	}
	return nil
}
