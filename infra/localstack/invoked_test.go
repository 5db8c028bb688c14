package localstack

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/files/upload"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// Every handler type the stack wires keeps its type when timed (the
// stack's type switch still finds it) and reports each invocation.
func TestTimedHandlerKeepsTypesAndReports(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(any) error{
		"http": func(h any) error {
			_, err := h.(wiring.HTTPFunction).Handle(ctx, events.APIGatewayV2HTTPRequest{})
			return err
		},
		"authorizer": func(h any) error {
			_, err := h.(wiring.AuthorizerLambda)(ctx, events.APIGatewayV2CustomAuthorizerV2Request{})
			return err
		},
		"counters": func(h any) error {
			_, err := h.(wiring.CountersLambda)(ctx, events.DynamoDBTimeWindowEvent{})
			return err
		},
		"events": func(h any) error {
			_, err := h.(eventwiring.EventsLambda)(ctx, events.DynamoDBEvent{})
			return err
		},
		"sender": func(h any) error {
			_, err := h.(eventwiring.SenderLambda)(ctx, events.EventBridgeEvent{})
			return err
		},
		"reconcile": func(h any) error {
			_, err := h.(uploadwiring.ReconcileLambda)(ctx, events.EventBridgeEvent{})
			return err
		},
		"s3":         func(h any) error { return h.(uploadwiring.S3Lambda)(ctx, events.S3Event{}) },
		"scanResult": func(h any) error { return h.(uploadwiring.ScanResultLambda)(ctx, events.EventBridgeEvent{}) },
		"cleanup": func(h any) error {
			_, err := h.(s3wiring.CleanupLambda)(ctx, events.DynamoDBEvent{})
			return err
		},
	}
	handlers := map[string]any{
		"http": wiring.HTTPFunction{Route: "GET /x", Handle: func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, nil
		}},
		"authorizer": wiring.AuthorizerLambda(func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, nil
		}),
		"counters": wiring.CountersLambda(func(context.Context, events.DynamoDBTimeWindowEvent) (events.DynamoDBTimeWindowEventResponse, error) {
			return events.DynamoDBTimeWindowEventResponse{}, nil
		}),
		"events": eventwiring.EventsLambda(func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			return events.DynamoDBEventResponse{}, nil
		}),
		"sender": eventwiring.SenderLambda(func(context.Context, events.EventBridgeEvent) (fileevents.SendReport, error) {
			return fileevents.SendReport{}, nil
		}),
		"reconcile": uploadwiring.ReconcileLambda(func(context.Context, events.EventBridgeEvent) (upload.ReconcileReport, error) {
			return upload.ReconcileReport{}, nil
		}),
		"s3":         uploadwiring.S3Lambda(func(context.Context, events.S3Event) error { return nil }),
		"scanResult": uploadwiring.ScanResultLambda(func(context.Context, events.EventBridgeEvent) error { return nil }),
		"cleanup": s3wiring.CleanupLambda(func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			return events.DynamoDBEventResponse{}, nil
		}),
	}
	for name, h := range handlers {
		var heard []string
		timed := timedHandler(h, name, func(id string, _ time.Duration) { heard = append(heard, id) })
		if reflect.TypeOf(timed) != reflect.TypeOf(h) {
			t.Errorf("%s: timed as %T, want %T", name, timed, h)
			continue
		}
		if err := calls[name](timed); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(heard) != "["+name+"]" {
			t.Errorf("%s: invocations heard %v, want [%s]", name, heard, name)
		}
	}
}
