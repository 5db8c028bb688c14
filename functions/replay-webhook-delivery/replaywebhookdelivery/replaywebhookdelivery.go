// Package replaywebhookdelivery is replay-webhook-delivery: the Lambda behind
// POST /v1/webhook-endpoints/{id}/deliveries/{eventId}/replay. Its main
// (functions/replay-webhook-delivery) and the local stack both start what New
// returns, so the handler is named once.
package replaywebhookdelivery

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
)

// New is replay-webhook-delivery's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.ReplayWebhookDelivery(eventwiring.Endpoints(env)))
}
