package tracing

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Instrument makes every call of the SDK clients built from cfg (after
// this), retries included, one subsegment sent to x when the invocation
// is sampled: the service, operation, region, request ID and the last
// attempt's HTTP status.
func Instrument(cfg *aws.Config, x *XRay) {
	cfg.APIOptions = append(cfg.APIOptions, func(s *middleware.Stack) error {
		// A presign is signed in process and sent nowhere: no call to trace.
		// (The presign client has swapped in its signer before API options run.)
		if _, presign := s.Finalize.Get(presignStep); presign {
			return nil
		}
		// After the SDK's own Initialize steps, which name the service and
		// operation in the context.
		traceCall := middleware.InitializeMiddlewareFunc("FilegateTraceCall", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			p := invocationParent(ctx)
			if !p.sampled {
				return next.HandleInitialize(ctx, in)
			}
			c := &call{parent: p, start: time.Now(), service: awsmiddleware.GetServiceID(ctx),
				operation: awsmiddleware.GetOperationName(ctx), region: awsmiddleware.GetRegion(ctx)}
			out, md, err := next.HandleInitialize(context.WithValue(ctx, callKey{}, c), in)
			c.requestID, _ = awsmiddleware.GetRequestIDMetadata(md)
			c.err = err
			x.send(c, time.Now())
			return out, md, err
		})
		if err := s.Initialize.Add(traceCall, middleware.After); err != nil {
			return err
		}
		// Each attempt's response status (the last one's stays).
		status := middleware.DeserializeMiddlewareFunc("FilegateTraceStatus", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if c, ok := ctx.Value(callKey{}).(*call); ok {
				if r, ok := out.RawResponse.(*smithyhttp.Response); ok {
					c.status = r.StatusCode
				}
			}
			return out, md, err
		})
		return s.Deserialize.Add(status, middleware.Before)
	})
}

// presignStep is the ID of the SDK's presign middleware (aws/signer/v4's
// and S3's PresignHTTPRequestMiddleware), present only on presign stacks.
const presignStep = "PresignHTTPRequest"

// call is one SDK call being traced.
type call struct {
	parent                                parent
	start                                 time.Time
	service, operation, region, requestID string
	status                                int
	err                                   error
}

type callKey struct{}
