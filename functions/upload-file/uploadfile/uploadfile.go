// Package uploadfile is upload-file: the Lambda behind POST
// /api/v1/beta/files. Its main (functions/upload-file) and the local stack
// both start what New returns, so the handler is named once.
package uploadfile

import (
	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// New is upload-file's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, compatapi.Upload(uploadwiring.Direct(env), wiring.Idempotency(env)))
}
