// Package mintuploadtoken is mint-upload-token: the Lambda behind POST
// /v1/upload-tokens. Its main (functions/mint-upload-token) and the local
// stack both start what New returns, so the handler is named once.
package mintuploadtoken

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/tokenwiring"
)

// New is mint-upload-token's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.MintToken(tokenwiring.Minter(env)))
}
