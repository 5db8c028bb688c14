// Package getfile is get-file: the Lambda behind GET /v1/files/{id}. Its main
// (functions/get-file) and the local stack both start what New returns, so the
// handler is named once.
package getfile

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
)

// New is get-file's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.Get(wiring.Records(env), wiring.Tokens(env)))
}
