// Package querycompatfiles is query-compat-files: the Lambda behind POST
// /api/v1/beta/files/query. Its main (functions/query-compat-files) and the
// local stack both start what New returns, so the handler is named once.
package querycompatfiles

import (
	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// New is query-compat-files's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, compatapi.Query(wiring.Listing(env), s3wiring.Downloads(env)))
}
