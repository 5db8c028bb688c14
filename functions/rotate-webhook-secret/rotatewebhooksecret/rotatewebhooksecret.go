// Package rotatewebhooksecret is rotate-webhook-secret: the Lambda behind POST
// /v1/webhook-endpoints/{id}/rotate-secret. Its main (functions/rotate-
// webhook-secret) and the local stack both start what New returns, so the
// handler is named once.
package rotatewebhooksecret

import (
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
)

// New is rotate-webhook-secret's handler over env.
func New(env *wiring.Env) wiring.HTTPFunction {
	return wiring.HTTP(env, nativeapi.RotateWebhookSecret(eventwiring.Secrets(env)))
}
