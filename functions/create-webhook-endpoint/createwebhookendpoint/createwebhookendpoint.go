// Package createwebhookendpoint is create-webhook-endpoint: the Lambda behind
// POST /v1/webhook-endpoints. Its main (functions/create-webhook-endpoint) and
// the local stack both start what New returns, so the handler is named once.
package createwebhookendpoint

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
)

// New is create-webhook-endpoint's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.CreateWebhookEndpoint(eventwiring.Secrets(env)))
}
