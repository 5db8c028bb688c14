// Package scanresult is scan-result, which settles files with GuardDuty
// Malware Protection for S3's scan results, which a rule routes here from the
// default event bus: clean completes a file, malware rejects it and deletes
// its object. Its main (functions/scan-result) and the local stack both start
// what New returns, so the handler is named once.
package scanresult

import (
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// New is scan-result's handler over env.
func New(env *wiring.Env) uploadwiring.ScanResultLambda {
	return uploadwiring.ScanResult(env)
}
