// Package compatfilecontent is compat-file-content: the Lambda behind GET
// /api/v1/beta/files/{id}/content. Its main (functions/compat-file-content)
// and the local stack both start what New returns, so the handler is named
// once.
package compatfilecontent

import (
	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// New is compat-file-content's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, compatapi.Content(wiring.Records(env), s3wiring.Downloads(env)))
}
