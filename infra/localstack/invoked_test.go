package localstack

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/files/upload"
	"github.com/filegate/filegate/shared/wiring"
)

// Every function the stack builds reports each invocation, timed by its
// entry's timer, and nothing when no one listens.
func TestEveryFunctionsTimerReportsItsInvocations(t *testing.T) {
	ctx := context.Background()
	ef := eventFunctions
	var checked []string
	check := func(id string, call func(invoked func(string, time.Duration)) error) {
		t.Helper()
		checked = append(checked, id)
		var heard []string
		if err := call(func(id string, _ time.Duration) { heard = append(heard, id) }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(heard) != "["+id+"]" {
			t.Errorf("%s: invocations heard %v, want [%s]", id, heard, id)
		}
		if err := call(nil); err != nil {
			t.Errorf("%s without a listener: %v", id, err)
		}
	}
	check("routed", func(inv func(string, time.Duration)) error {
		h := timed(timedHTTP, wiring.HTTPFunction{Route: "GET /x", Handle: func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, nil
		}}, "routed", inv)
		if h.Route != "GET /x" {
			return fmt.Errorf("route %q after timing", h.Route)
		}
		_, err := h.Handle(ctx, events.APIGatewayV2HTTPRequest{})
		return err
	})
	check(ef.authorizer.id, func(inv func(string, time.Duration)) error {
		_, err := timed(ef.authorizer.timed, func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, nil
		}, ef.authorizer.id, inv)(ctx, events.APIGatewayV2CustomAuthorizerV2Request{})
		return err
	})
	check(ef.processUpload.id, func(inv func(string, time.Duration)) error {
		return timed(ef.processUpload.timed, func(context.Context, events.S3Event) error { return nil }, ef.processUpload.id, inv)(ctx, events.S3Event{})
	})
	check(ef.cleanup.id, func(inv func(string, time.Duration)) error {
		_, err := timed(ef.cleanup.timed, func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			return events.DynamoDBEventResponse{}, nil
		}, ef.cleanup.id, inv)(ctx, events.DynamoDBEvent{})
		return err
	})
	check(ef.counters.id, func(inv func(string, time.Duration)) error {
		_, err := timed(ef.counters.timed, func(context.Context, events.DynamoDBTimeWindowEvent) (events.DynamoDBTimeWindowEventResponse, error) {
			return events.DynamoDBTimeWindowEventResponse{}, nil
		}, ef.counters.id, inv)(ctx, events.DynamoDBTimeWindowEvent{})
		return err
	})
	check(ef.reconcile.id, func(inv func(string, time.Duration)) error {
		_, err := timed(ef.reconcile.timed, func(context.Context, events.EventBridgeEvent) (upload.ReconcileReport, error) {
			return upload.ReconcileReport{}, nil
		}, ef.reconcile.id, inv)(ctx, events.EventBridgeEvent{})
		return err
	})
	check(ef.scanResult.id, func(inv func(string, time.Duration)) error {
		return timed(ef.scanResult.timed, func(context.Context, events.EventBridgeEvent) error { return nil }, ef.scanResult.id, inv)(ctx, events.EventBridgeEvent{})
	})
	check(ef.events.id, func(inv func(string, time.Duration)) error {
		_, err := timed(ef.events.timed, func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			return events.DynamoDBEventResponse{}, nil
		}, ef.events.id, inv)(ctx, events.DynamoDBEvent{})
		return err
	})
	check(ef.sender.id, func(inv func(string, time.Duration)) error {
		_, err := timed(ef.sender.timed, func(context.Context, events.EventBridgeEvent) (fileevents.SendReport, error) {
			return fileevents.SendReport{}, nil
		}, ef.sender.id, inv)(ctx, events.EventBridgeEvent{})
		return err
	})
	want := append([]string{"routed"}, ef.ids()...)
	slices.Sort(want)
	slices.Sort(checked)
	if !slices.Equal(checked, want) {
		t.Errorf("timers checked %v, want every event function and the routed ones: %v", checked, want)
	}
}
