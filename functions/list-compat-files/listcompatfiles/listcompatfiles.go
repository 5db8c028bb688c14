// Package listcompatfiles is list-compat-files: the Lambda behind GET
// /api/v1/beta/files. Its main (functions/list-compat-files) and the local
// stack both start what New returns, so the handler is named once.
package listcompatfiles

import (
	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// New is list-compat-files's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, compatapi.List(wiring.Listing(env), s3wiring.Downloads(env)))
}
