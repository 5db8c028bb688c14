// Package completefile is complete-file: the Lambda behind POST
// /v1/files/{id}/complete. Its main (functions/complete-file) and the local
// stack both start what New returns, so the handler is named once.
package completefile

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// New is complete-file's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.Complete(uploadwiring.Settlement(env), wiring.Idempotency(env), wiring.Tokens(env)))
}
