// Package listfiles is list-files: the Lambda behind GET /v1/files. Its main
// (functions/list-files) and the local stack both start what New returns, so
// the handler is named once.
package listfiles

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
)

// New is list-files's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.List(wiring.Records(env)))
}
