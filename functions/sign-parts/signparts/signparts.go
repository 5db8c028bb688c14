// Package signparts is sign-parts: the Lambda behind POST
// /v1/files/{id}/parts. Its main (functions/sign-parts) and the local stack
// both start what New returns, so the handler is named once.
package signparts

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// New is sign-parts's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.SignParts(uploadwiring.Sessions(env), wiring.Tokens(env)))
}
