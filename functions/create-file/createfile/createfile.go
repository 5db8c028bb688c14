// Package createfile is create-file: the Lambda behind POST /v1/files. Its
// main (functions/create-file) and the local stack both start what New
// returns, so the handler is named once.
package createfile

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// New is create-file's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.Create(uploadwiring.Sessions(env), wiring.Idempotency(env), wiring.Tokens(env)))
}
