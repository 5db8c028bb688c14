// Package listwebhookdeliveries is list-webhook-deliveries: the Lambda behind
// GET /v1/webhook-endpoints/{id}/deliveries. Its main (functions/list-webhook-
// deliveries) and the local stack both start what New returns, so the handler
// is named once.
package listwebhookdeliveries

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
)

// New is list-webhook-deliveries's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.WebhookDeliveries(eventwiring.Endpoints(env)))
}
