// Package getcompatfile is get-compat-file: the Lambda behind GET
// /api/v1/beta/files/{id}. Its main (functions/get-compat-file) and the local
// stack both start what New returns, so the handler is named once.
package getcompatfile

import (
	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// New is get-compat-file's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, compatapi.Get(wiring.Records(env), s3wiring.Downloads(env)))
}
