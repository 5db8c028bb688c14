// Package tracing sends OpenTelemetry spans to AWS X-Ray as subsegments of the
// Lambda invocation's segment, over UDP to the X-Ray daemon Lambda runs
// beside a traced function (AWS_XRAY_DAEMON_ADDRESS). It implements the
// OpenTelemetry trace API itself rather than linking the OpenTelemetry SDK
// and an OTLP exporter: those add 220-300 KB to each zipped bootstrap, more
// than the largest function's size budget has left, and need a collector
// layer besides.
package tracing

import (
	"context"
	"encoding/hex"
	"os"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// lambdaTraceKey is where aws-lambda-go puts the invocation's trace header
// in the handler's context (it also sets _X_AMZN_TRACE_ID, which serves
// handlers whose context is not Lambda's own, such as an HTTP adapter's).
const lambdaTraceKey = "x-amzn-trace-id"

// invocationParent is the span context of the Lambda invocation's segment
// from its X-Ray trace header: "Root=1-<8 hex>-<24 hex>;Parent=<16
// hex>;Sampled=1". Not valid when there is no header or it is malformed.
func invocationParent(ctx context.Context) trace.SpanContext {
	header, _ := ctx.Value(lambdaTraceKey).(string)
	if header == "" {
		header = os.Getenv("_X_AMZN_TRACE_ID")
	}
	return ParseHeader(header)
}

// ParseHeader reads an X-Ray trace header into a remote span context.
func ParseHeader(header string) trace.SpanContext {
	var cfg trace.SpanContextConfig
	for _, part := range strings.Split(header, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			// 1-<epoch seconds, 8 hex>-<24 hex>: the 32 hex of a trace ID.
			f := strings.Split(v, "-")
			if len(f) == 3 && f[0] == "1" && len(f[1]) == 8 && len(f[2]) == 24 {
				if b, err := hex.DecodeString(f[1] + f[2]); err == nil {
					copy(cfg.TraceID[:], b)
				}
			}
		case "Parent":
			if b, err := hex.DecodeString(v); err == nil && len(b) == 8 {
				copy(cfg.SpanID[:], b)
			}
		case "Sampled":
			if v == "1" {
				cfg.TraceFlags = trace.FlagsSampled
			}
		}
	}
	cfg.Remote = true
	return trace.NewSpanContext(cfg)
}

// traceID is X-Ray's spelling of an OpenTelemetry trace ID.
func traceID(id trace.TraceID) string {
	h := id.String()
	return "1-" + h[:8] + "-" + h[8:]
}
