// Package fileevents is file-events, which consumes the files table's stream:
// each settled or deleted file becomes an event, published to the stack's
// EventBridge bus and delivered once, straight away, to the project's webhook
// endpoints. Its main (functions/file-events) and the local stack both start
// what New returns, so the handler is named once.
package fileevents

import (
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
)

// New is file-events's handler over env.
func New(env *wiring.Env) eventwiring.EventsLambda {
	return eventwiring.Events(env)
}
