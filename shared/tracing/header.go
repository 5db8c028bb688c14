// Package tracing makes each AWS SDK call a subsegment of the Lambda
// invocation's X-Ray trace, sent over UDP to the X-Ray daemon Lambda runs
// beside a traced function (AWS_XRAY_DAEMON_ADDRESS).
//
// It writes X-Ray's segment documents itself. The OpenTelemetry route
// (the SDK's contrib otelaws middleware, or one of ours on the
// OpenTelemetry API, exported to X-Ray) costs each zipped bootstrap 60 KB
// (API only) to 300 KB (with the OpenTelemetry SDK), more than the largest
// functions' size budget has left; otelaws and the contrib X-Ray
// propagator are deprecated without an owner besides. The X-Ray SDK for Go
// reaches its end of support in February 2027; the daemon's protocol does
// not change with it.
package tracing

import (
	"context"
	"os"
	"strings"
)

// lambdaTraceKey is where aws-lambda-go puts the invocation's trace header
// in the handler's context (it also sets _X_AMZN_TRACE_ID, which serves
// handlers whose context is not Lambda's own, such as an HTTP adapter's).
const lambdaTraceKey = "x-amzn-trace-id"

// parent is the invocation's segment a call's subsegment belongs to.
type parent struct {
	traceID, segmentID string
	sampled            bool
}

// invocationParent reads the invocation's X-Ray trace header.
func invocationParent(ctx context.Context) parent {
	header, _ := ctx.Value(lambdaTraceKey).(string)
	if header == "" {
		header = os.Getenv("_X_AMZN_TRACE_ID")
	}
	return parseHeader(header)
}

// parseHeader reads "Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=1";
// a part missing or malformed leaves the parent unsampled.
func parseHeader(header string) parent {
	var p parent
	sampled := false
	for _, part := range strings.Split(header, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			if f := strings.Split(v, "-"); len(f) == 3 && f[0] == "1" && len(f[1]) == 8 && len(f[2]) == 24 && isHex(f[1]+f[2]) {
				p.traceID = v
			}
		case "Parent":
			if len(v) == 16 && isHex(v) {
				p.segmentID = v
			}
		case "Sampled":
			sampled = v == "1"
		}
	}
	p.sampled = sampled && p.traceID != "" && p.segmentID != ""
	return p
}

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}
