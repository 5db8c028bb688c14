// Package fileurl is file-url: the Lambda behind GET /v1/files/{id}/url. Its
// main (functions/file-url) and the local stack both start what New returns,
// so the handler is named once.
package fileurl

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// New is file-url's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.URL(s3wiring.Downloads(env)))
}
