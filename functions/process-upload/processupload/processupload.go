// Package processupload is process-upload, which validates uploads on S3
// ObjectCreated events and moves their files to COMPLETED or REJECTED. Its
// main (functions/process-upload) and the local stack both start what New
// returns, so the handler is named once.
package processupload

import (
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// New is process-upload's handler over env.
func New(env *wiring.Env) uploadwiring.S3Lambda {
	return uploadwiring.ProcessUpload(env)
}
