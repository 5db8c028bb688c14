// Package cancelfile is cancel-file: the Lambda behind POST
// /v1/files/{id}/cancel. Its main (functions/cancel-file) and the local stack
// both start what New returns, so the handler is named once.
package cancelfile

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// New is cancel-file's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.Cancel(s3wiring.Cancellation(env), wiring.Idempotency(env), wiring.Tokens(env)))
}
