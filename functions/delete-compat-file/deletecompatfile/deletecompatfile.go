// Package deletecompatfile is delete-compat-file: the Lambda behind DELETE
// /api/v1/beta/files/{id}. Its main (functions/delete-compat-file) and the
// local stack both start what New returns, so the handler is named once.
package deletecompatfile

import (
	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// New is delete-compat-file's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, compatapi.Delete(s3wiring.Deletion(env)))
}
