// Package eventwiring is the composition root of the event functions: the
// stream consumer that makes events (Events), the scheduled webhook sender
// (Sender) and the webhook endpoints' routes (Endpoints, Secrets). Those
// that sign (the consumer, the sender, registering and rotating) read the
// root secret, which their template policies grant; the others get none.
package eventwiring

import (
	"cmp"
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/streamevents"
	"github.com/filegate/filegate/shared/webhooksend"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/tokenwiring"
)

// EventsLambda is the events consumer's handler: a batch of the table's
// stream. (A type of its own: cleanup's handler has the same signature.)
type EventsLambda func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// SenderLambda is the scheduled sender's handler.
type SenderLambda = func(context.Context, events.EventBridgeEvent) (fileevents.SendReport, error)

// AttemptTimeout bounds an attempt (WEBHOOK_TIMEOUT_MS shortens it): a
// receiver should answer at once and work later (Standard Webhooks'
// advice). DispatchParallel is how many first attempts the consumer makes
// at once (template.yaml sizes its Timeout by both).
const (
	AttemptTimeout   = 10 * time.Second
	DispatchParallel = 8
)

// Events is the stream consumer that makes events: published to bus (nil:
// none) and delivered to webhooks. The bus is the caller's (file-events
// builds it), so the other functions wired here do not link the EventBridge
// client, whose package initialises its schemas whether used or not.
func Events(e *wiring.Env, bus fileevents.Bus) EventsLambda {
	d := &fileevents.Dispatcher{
		Endpoints: store(e), Deliveries: store(e), Poster: poster(e), Root: tokenwiring.RootSecret(e),
		Render: nativeapi.FileJSON, Backoff: backoff(e), Clock: time.Now, Log: e.Log, Parallel: DispatchParallel, Bus: bus,
	}
	return (&streamevents.Events{Dispatcher: d, Log: e.Log}).Handle
}

// Sender is the scheduled sender's handler: the retries that are due.
func Sender(e *wiring.Env) SenderLambda {
	s := &fileevents.Sender{
		Endpoints: store(e), Deliveries: store(e), Poster: poster(e), Root: tokenwiring.RootSecret(e),
		Backoff: backoff(e), Timeout: timeout(e), Clock: time.Now, Log: e.Log, Parallel: 16, StopBefore: timeout(e) + 5*time.Second,
	}
	return func(ctx context.Context, _ events.EventBridgeEvent) (fileevents.SendReport, error) { return s.Run(ctx) }
}

// Endpoints manages endpoints without signing: list, delete, the log, replay.
func Endpoints(e *wiring.Env) *fileevents.Endpoints {
	return &fileevents.Endpoints{Store: store(e), Deliveries: store(e), CheckURL: guard(e).CheckURL, Clock: time.Now}
}

// Secrets manages endpoints and their secrets: registering, rotating.
func Secrets(e *wiring.Env) *fileevents.Endpoints {
	u := Endpoints(e)
	u.Root = tokenwiring.RootSecret(e)
	return u
}

func store(e *wiring.Env) *dynamostore.Webhooks {
	return dynamostore.NewWebhooks(e.DynamoDB(), e.Config.TableName)
}

func guard(e *wiring.Env) *webhooksend.Guard {
	return &webhooksend.Guard{AllowLoopback: e.Config.Webhooks.AllowLoopback}
}

func poster(e *wiring.Env) *webhooksend.Poster { return webhooksend.NewPoster(guard(e), timeout(e)) }

func timeout(e *wiring.Env) time.Duration { return cmp.Or(e.Config.Webhooks.Timeout, AttemptTimeout) }

func backoff(e *wiring.Env) fileevents.Backoff {
	b, w := fileevents.DefaultBackoff, e.Config.Webhooks
	b.First, b.Max, b.Window = cmp.Or(w.RetryFirst, b.First), cmp.Or(w.RetryMax, b.Max), cmp.Or(w.RetryWindow, b.Window)
	return b
}
