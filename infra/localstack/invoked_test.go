package localstack

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

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
	check(lambdaCheck(ctx, ef.authorizer))
	check(errLambdaCheck(ctx, ef.processUpload))
	check(lambdaCheck(ctx, ef.cleanup))
	check(lambdaCheck(ctx, ef.counters))
	check(lambdaCheck(ctx, ef.reconcile))
	check(errLambdaCheck(ctx, ef.scanResult))
	check(lambdaCheck(ctx, ef.events))
	check(lambdaCheck(ctx, ef.sender))
	want := append([]string{"routed"}, ef.ids()...)
	slices.Sort(want)
	slices.Sort(checked)
	if !slices.Equal(checked, want) {
		t.Errorf("timers checked %v, want every event function and the routed ones: %v", checked, want)
	}
}

// lambdaCheck is tr's id and a call of its timer around a handler of tr's
// type that answers its zero value, for check.
func lambdaCheck[T ~func(context.Context, E) (R, error), E, R any](ctx context.Context, tr triggered[T]) (string, func(func(string, time.Duration)) error) {
	return tr.id, func(inv func(string, time.Duration)) error {
		var e E
		_, err := timed(tr.timed, T(func(context.Context, E) (R, error) { var r R; return r, nil }), tr.id, inv)(ctx, e)
		return err
	}
}

// errLambdaCheck is lambdaCheck for handlers that return only an error.
func errLambdaCheck[T ~func(context.Context, E) error, E any](ctx context.Context, tr triggered[T]) (string, func(func(string, time.Duration)) error) {
	return tr.id, func(inv func(string, time.Duration)) error {
		var e E
		return timed(tr.timed, T(func(context.Context, E) error { return nil }), tr.id, inv)(ctx, e)
	}
}
