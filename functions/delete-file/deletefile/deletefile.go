// Package deletefile is delete-file: the Lambda behind DELETE /v1/files/{id}.
// Its main (functions/delete-file) and the local stack both start what New
// returns, so the handler is named once.
package deletefile

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// New is delete-file's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.Delete(s3wiring.Deletion(env)))
}
