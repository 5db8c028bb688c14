// Package uploadurl is upload-url: the Lambda behind POST
// /v1/files/{id}/upload-url. Its main (functions/upload-url) and the local
// stack both start what New returns, so the handler is named once.
package uploadurl

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// New is upload-url's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.UploadURL(uploadwiring.Sessions(env), wiring.Tokens(env)))
}
