// Package listparts is list-parts: the Lambda behind GET /v1/files/{id}/parts.
// Its main (functions/list-parts) and the local stack both start what New
// returns, so the handler is named once.
package listparts

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// New is list-parts's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.ListParts(uploadwiring.Sessions(env), wiring.Tokens(env)))
}
