// Package fileevents is file-events, which consumes the files table's stream:
// each settled or deleted file becomes an event, published to the stack's
// EventBridge bus and delivered once, straight away, to the project's webhook
// endpoints. Its main (functions/file-events) and the local stack both start
// what New returns, so the handler is named once.
package fileevents

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/filegate/filegate/shared/eventbus"
	events "github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
)

// New is file-events's handler over env.
func New(env *wiring.Env) eventwiring.EventsLambda {
	return eventwiring.Events(env, bus(env))
}

// bus is the stack's EventBridge bus when EVENT_BUS_NAME names one (none on
// the local stack). Built here, so only this function links EventBridge.
func bus(env *wiring.Env) events.Bus {
	name := env.Config.EventBusName
	if name == "" {
		return nil
	}
	client := eventbridge.NewFromConfig(env.AWS, func(o *eventbridge.Options) { o.BaseEndpoint = env.Endpoint("EVENTBRIDGE") })
	return &eventbus.Bus{Client: client, Name: name, Attempts: 4, Backoff: 200 * time.Millisecond}
}
