// Package deletewebhookendpoint is delete-webhook-endpoint: the Lambda behind
// DELETE /v1/webhook-endpoints/{id}. Its main (functions/delete-webhook-
// endpoint) and the local stack both start what New returns, so the handler is
// named once.
package deletewebhookendpoint

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
)

// New is delete-webhook-endpoint's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.DeleteWebhookEndpoint(eventwiring.Endpoints(env)))
}
