package localstack

import (
	"context"
	"time"

	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// timedHandler wraps fn, a handler the functions table built for template
// function id, so that every invocation reports its duration to invoked
// (Options.Invoked: the bench prices Lambda's requests and GB-s from it).
// Each handler type keeps its type, so the stack's wiring below is unchanged.
func timedHandler(fn any, id string, invoked func(string, time.Duration)) any {
	if invoked == nil {
		return fn
	}
	switch f := fn.(type) {
	case wiring.HTTPFunction:
		f.Handle = timed(f.Handle, id, invoked)
		return f
	case wiring.AuthorizerLambda:
		return timed(f, id, invoked)
	case wiring.CountersLambda:
		return timed(f, id, invoked)
	case eventwiring.EventsLambda:
		return eventwiring.EventsLambda(timed(f, id, invoked))
	case eventwiring.SenderLambda:
		return timed(f, id, invoked)
	case uploadwiring.ReconcileLambda:
		return timed(f, id, invoked)
	case uploadwiring.S3Lambda:
		return timedErr(f, id, invoked)
	case uploadwiring.ScanResultLambda:
		return timedErr(f, id, invoked)
	case s3wiring.CleanupLambda:
		return timed(f, id, invoked)
	}
	return fn
}

func timed[E, R any](fn func(context.Context, E) (R, error), id string, invoked func(string, time.Duration)) func(context.Context, E) (R, error) {
	return func(ctx context.Context, e E) (R, error) {
		began := time.Now()
		defer func() { invoked(id, time.Since(began)) }()
		return fn(ctx, e)
	}
}

func timedErr[E any](fn func(context.Context, E) error, id string, invoked func(string, time.Duration)) func(context.Context, E) error {
	return func(ctx context.Context, e E) error {
		began := time.Now()
		defer func() { invoked(id, time.Since(began)) }()
		return fn(ctx, e)
	}
}
