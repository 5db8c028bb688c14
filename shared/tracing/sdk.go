package tracing

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// The OpenTelemetry semantic conventions' names for an AWS SDK call.
const (
	RPCSystem    = attribute.Key("rpc.system") // "aws-api"
	RPCService   = attribute.Key("rpc.service")
	RPCMethod    = attribute.Key("rpc.method")
	CloudRegion  = attribute.Key("cloud.region")
	AWSRequestID = attribute.Key("aws.request_id")
	HTTPStatus   = attribute.Key("http.response.status_code")
)

// Instrument makes every call of the SDK clients built from cfg (after
// this) one client span of tp, retries included: "<Service>.<Operation>",
// with the service, operation, region, request ID and HTTP status.
//
// It is the SDK's own middleware hook, not the contrib otelaws module,
// which is deprecated without an owner and links the SQS and SNS clients
// (for their attributes) into every function.
func Instrument(cfg *aws.Config, tp trace.TracerProvider) {
	tracer := tp.Tracer("github.com/filegate/filegate/shared/tracing")
	cfg.APIOptions = append(cfg.APIOptions, func(s *middleware.Stack) error {
		// After the SDK's own Initialize steps, which name the service and
		// operation in the context.
		call := middleware.InitializeMiddlewareFunc("FilegateTraceCall", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			service, op := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
			ctx, span := tracer.Start(ctx, service+"."+op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
				RPCSystem.String("aws-api"), RPCService.String(service), RPCMethod.String(op), CloudRegion.String(awsmiddleware.GetRegion(ctx))))
			defer span.End()
			out, md, err := next.HandleInitialize(ctx, in)
			if id, ok := awsmiddleware.GetRequestIDMetadata(md); ok {
				span.SetAttributes(AWSRequestID.String(id))
			}
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, err.Error())
			}
			return out, md, err
		})
		if err := s.Initialize.Add(call, middleware.After); err != nil {
			return err
		}
		// Each attempt's response status (the last one's stays).
		status := middleware.DeserializeMiddlewareFunc("FilegateTraceStatus", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if r, ok := out.RawResponse.(*smithyhttp.Response); ok {
				trace.SpanFromContext(ctx).SetAttributes(HTTPStatus.Int(r.StatusCode))
			}
			return out, md, err
		})
		return s.Deserialize.Add(status, middleware.Before)
	})
}
