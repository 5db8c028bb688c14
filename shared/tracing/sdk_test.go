package tracing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/filegate/filegate/shared/tracing"
)

// fakeDynamoDB answers every request with status and a request ID.
func fakeDynamoDB(t *testing.T, status int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", "req-1")
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		if status == http.StatusOK {
			_, _ = w.Write([]byte(`{}`))
		} else {
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"boom"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// traced runs one GetItem through an instrumented config, recording spans
// with the OpenTelemetry SDK's in-memory exporter.
func traced(t *testing.T, status int) ([]tracetest.SpanStub, error) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""), RetryMaxAttempts: 2}
	tracing.Instrument(&cfg, tp)
	srv := fakeDynamoDB(t, status)
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	_, err := db.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("files"), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "f"}}})
	return exp.GetSpans(), err
}

func attrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	out := map[attribute.Key]attribute.Value{}
	for _, a := range s.Attributes {
		out[a.Key] = a.Value
	}
	return out
}

// An SDK call is one client span named for the service and operation,
// with their attributes, the request ID and the HTTP status.
func TestAnSDKCallIsOneSpanWithTheServiceAndOperation(t *testing.T) {
	spans, err := traced(t, http.StatusOK)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1: %+v", len(spans), spans)
	}
	s := spans[0]
	a := attrs(s)
	if s.Name != "DynamoDB.GetItem" || s.SpanKind != trace.SpanKindClient {
		t.Errorf("span %q kind %v, want DynamoDB.GetItem, client", s.Name, s.SpanKind)
	}
	for k, want := range map[attribute.Key]any{
		tracing.RPCSystem: "aws-api", tracing.RPCService: "DynamoDB", tracing.RPCMethod: "GetItem",
		tracing.CloudRegion: "eu-west-1", tracing.AWSRequestID: "req-1", tracing.HTTPStatus: int64(200),
	} {
		if got := a[k].AsInterface(); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	if s.Status.Code == codes.Error {
		t.Errorf("status %v on a success", s.Status)
	}
}

// A call that fails after its retries is still one span, in error, with
// the last attempt's status.
func TestAFailedSDKCallIsOneSpanInError(t *testing.T) {
	spans, err := traced(t, http.StatusInternalServerError)
	if err == nil {
		t.Fatal("the call succeeded against a server answering 500")
	}
	if len(spans) != 1 {
		t.Fatalf("%d spans for one call with retries, want 1", len(spans))
	}
	if s := spans[0]; s.Status.Code != codes.Error || attrs(s)[tracing.HTTPStatus].AsInt64() != 500 {
		t.Errorf("status %v, HTTP %v; want Error and 500", s.Status, attrs(s)[tracing.HTTPStatus])
	}
}
