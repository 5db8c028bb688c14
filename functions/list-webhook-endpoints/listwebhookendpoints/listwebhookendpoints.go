// Package listwebhookendpoints is list-webhook-endpoints: the Lambda behind
// GET /v1/webhook-endpoints. Its main (functions/list-webhook-endpoints) and
// the local stack both start what New returns, so the handler is named once.
package listwebhookendpoints

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
)

// New is list-webhook-endpoints's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.ListWebhookEndpoints(eventwiring.Endpoints(env)))
}
