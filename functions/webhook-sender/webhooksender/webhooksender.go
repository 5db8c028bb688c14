// Package webhooksender is webhook-sender, which runs every minute: it retries
// the webhook deliveries that are due, and dead-letters those out of retries.
// Its main (functions/webhook-sender) and the local stack both start what New
// returns, so the handler is named once.
package webhooksender

import (
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
)

// New is webhook-sender's handler over env.
func New(env *wiring.Env) eventwiring.SenderLambda {
	return eventwiring.Sender(env)
}
