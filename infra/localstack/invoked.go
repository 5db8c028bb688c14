package localstack

import (
	"context"
	"time"

	"github.com/filegate/filegate/shared/wiring"
)

// Timers wrap a handler so that every invocation reports its duration to
// invoked (Options.Invoked: the bench prices Lambda's requests and GB-s from
// it). Each is typed by the handler's signature, so a handler kind the
// stack does not know how to time does not compile.
type timer[T any] func(h T, id string, invoked func(string, time.Duration)) T

// timedLambda times a handler returning a response and an error.
func timedLambda[F ~func(context.Context, E) (R, error), E, R any](fn F, id string, invoked func(string, time.Duration)) F {
	return func(ctx context.Context, e E) (R, error) {
		defer since(time.Now(), id, invoked)
		return fn(ctx, e)
	}
}

// timedErrLambda times a handler returning only an error.
func timedErrLambda[F ~func(context.Context, E) error, E any](fn F, id string, invoked func(string, time.Duration)) F {
	return func(ctx context.Context, e E) error {
		defer since(time.Now(), id, invoked)
		return fn(ctx, e)
	}
}

// timedHTTP times an HTTP function's handler; its route stays.
func timedHTTP(f wiring.HTTPFunction, id string, invoked func(string, time.Duration)) wiring.HTTPFunction {
	f.Handle = timedLambda(f.Handle, id, invoked)
	return f
}

func since(began time.Time, id string, invoked func(string, time.Duration)) {
	invoked(id, time.Since(began))
}

// timed is t(h, …), or h itself when nothing listens.
func timed[T any](t timer[T], h T, id string, invoked func(string, time.Duration)) T {
	if invoked == nil {
		return h
	}
	return t(h, id, invoked)
}
