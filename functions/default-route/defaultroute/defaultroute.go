// Package defaultroute is default-route: the Lambda behind the HTTP API's
// $default route (and its unauthenticated OPTIONS /{proxy+}): unknown routes
// and methods, answered in the envelope of the dialect their path is under.
// Its main (functions/default-route) and the local stack both start what New
// returns, so the handler is named once.
package defaultroute

import (
	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
)

// New is default-route's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.Unmatched(env, nativeapi.Fallback(), compatapi.Fallback())
}
