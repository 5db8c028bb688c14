// Package wiring is the composition root of the functions that need no
// object storage: it reads a function's configuration (Load), builds the
// DynamoDB adapters and the use cases over them, and puts one dialect route
// behind the API Gateway adapter (HTTP). Functions that touch S3 add
// shared/wiring/s3wiring; this package never imports the S3 client, so a
// function that does not use it does not link it.
//
// Each function's handler is named once, in code the compiler checks, by
// the constructor package beside its main (functions/get-file/getfile):
//
//	func New(env *wiring.Env) wiring.HTTPFunction {
//		return wiring.HTTP(env, nativeapi.Get(wiring.Records(env), wiring.Tokens(env)))
//	}
//
// (nativeapi.Get takes a *files.Records: passing it anything else does not
// compile); its main and the local stack (infra/localstack) both call New.
package wiring

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/accesslog"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/emf"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
	"github.com/filegate/filegate/shared/ratelimit"
	"github.com/filegate/filegate/shared/routeguard"
	"github.com/filegate/filegate/shared/streamevents"
	"github.com/filegate/filegate/shared/tracing"
)

// Env is one function's configuration and what is built from it once.
type Env struct {
	Config Config
	AWS    aws.Config
	Log    *slog.Logger
	// Out is where logs and metrics go: the function's stdout, which Lambda
	// sends to CloudWatch.
	Out     io.Writer
	getenv  func(string) string
	db      *dynamo.DB
	metrics *emf.Writer
	limiter *ratelimit.Limiter
	limits  *dynamostore.Limits
}

// Load reads a function's configuration through getenv (os.Getenv on
// Lambda; the local stack passes its own environment, never the process's).
func Load(getenv func(string) string) (*Env, error) {
	cfg, err := configFrom(getenv)
	if err != nil {
		return nil, err
	}
	e := &Env{Config: cfg, AWS: awsConfig(getenv), Log: slog.New(slog.NewJSONHandler(os.Stdout, nil)), Out: os.Stdout, getenv: getenv}
	e.traceSDKCalls()
	return e, nil
}

// traceSDKCalls makes every AWS SDK call a subsegment of the invocation's
// X-Ray trace when Lambda runs the X-Ray daemon beside the function (the
// template's Tracing: Active sets AWS_XRAY_DAEMON_ADDRESS). Without it (the
// local stack, tests) nothing is traced and nothing is sent.
func (e *Env) traceSDKCalls() {
	addr := e.getenv("AWS_XRAY_DAEMON_ADDRESS")
	if addr == "" {
		return
	}
	x, err := tracing.NewXRay(addr)
	if err != nil {
		e.Log.Warn("tracing off: X-Ray daemon address unusable", "address", addr, "err", err)
		return
	}
	tracing.Instrument(&e.AWS, x)
}

// DynamoDB is the function's one DynamoDB client.
func (e *Env) DynamoDB() *dynamo.DB {
	if e.db == nil {
		e.db = dynamo.New(e.AWS, func(o *dynamodb.Options) { o.BaseEndpoint = e.Endpoint("DYNAMODB") })
	}
	return e.db
}

// Options are what every use case of the function shares: its
// configuration, its log, and lifecycle metrics in CloudWatch's embedded
// metric format on Out.
func Options(e *Env) files.Options {
	if e.metrics == nil {
		e.metrics = emf.New(e.Out, e.Config.MetricsNamespace)
	}
	return files.Options{Config: e.Config.Files, Log: e.Log, Metrics: e.metrics}
}

// Store is the file records' DynamoDB adapter.
func Store(e *Env) *dynamostore.Store { return dynamostore.New(e.DynamoDB(), e.Config.TableName) }

// The use cases that need no object storage (the others are s3wiring's).

// Records reads files.
func Records(e *Env) *files.Records { return files.NewRecords(Store(e), Options(e)) }

// Listing lists COMPLETED files on the catalog.
func Listing(e *Env) *files.Listing { return files.NewListing(Store(e), Options(e)) }

// Idempotency makes a route's POSTs safe to retry (Idempotency-Key).
func Idempotency(e *Env) *idempotency.Keys {
	return &idempotency.Keys{Store: dynamostore.NewIdempotency(e.DynamoDB(), e.Config.TableName), Now: time.Now}
}

// HTTPLambda is what an HTTP function's main passes to lambda.Start.
type HTTPLambda = func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// HTTPFunction is one HTTP function: its route, as template.yaml writes it,
// and the handler its main starts.
type HTTPFunction struct {
	Route  string
	Handle HTTPLambda
}

// HTTP serves rt behind the API Gateway v2 adapter: on a ServeMux with its
// pattern (so r.PathValue works), with one access-log line per request,
// each request taken from its tenant's rate-limit bucket.
func HTTP(e *Env, rt routeguard.Route) HTTPFunction {
	rt.Limit = Limiter(e)
	return serve(e, rt.Pattern, rt.Handler(e.Log))
}

// Limits is the operator's limits and quotas, cached by this function
// instance (one per function).
func Limits(e *Env) *dynamostore.Limits {
	if e.limits == nil {
		e.limits = dynamostore.NewLimits(e.DynamoDB(), e.Config.TableName)
	}
	return e.limits
}

// Limiter is the function's side of the tenants' rate-limit buckets (one
// per function instance: its leases are its own).
func Limiter(e *Env) *ratelimit.Limiter {
	if e.limiter == nil {
		e.limiter = &ratelimit.Limiter{Buckets: dynamostore.NewRateBuckets(e.DynamoDB(), e.Config.TableName),
			Policies: Limits(e), Defaults: e.Config.RateLimits, Log: e.Log}
	}
	return e.limiter
}

// Quotas is the projects' quotas and what they hold, for the use cases
// that create files.
func Quotas(e *Env) *dynamostore.Quotas {
	return &dynamostore.Quotas{Limits: Limits(e), Store: Store(e)}
}

func serve(e *Env, route string, h http.Handler) HTTPFunction {
	mux := http.NewServeMux()
	mux.Handle(MuxPattern(route), accesslog.Wrap(e.Log, route, h))
	return HTTPFunction{Route: route, Handle: httpadapter.NewV2(mux).ProxyWithContext}
}

// DefaultRoute is API Gateway's catch-all route: it takes every request no
// other route matches, OPTIONS included, behind the authorizer. So that
// browser preflights need no key, the function serving it also serves
// PreflightRoute, which AWS documents for that case and template.yaml leaves
// without an authorizer (API Gateway answers preflights from the API's CORS
// configuration; only other OPTIONS requests reach the function).
const (
	DefaultRoute   = "$default"
	PreflightRoute = "OPTIONS /{proxy+}"
)

// MuxPattern is the net/http ServeMux pattern of a template route:
// $default is "/" (everything), a greedy {name+} segment is {name...}.
func MuxPattern(route string) string {
	if route == DefaultRoute {
		return "/"
	}
	return strings.ReplaceAll(route, "+}", "...}")
}

// Unmatched is the default-route function: what no route takes, answered
// in the envelope of the dialect whose prefix the path is under.
func Unmatched(e *Env, dialects ...routeguard.Fallback) HTTPFunction {
	mux := http.NewServeMux()
	for _, d := range dialects {
		mux.Handle(d.Prefix, d.Handler(Limiter(e), e.Log))
	}
	return serve(e, DefaultRoute, mux)
}

// AuthorizerLambda is the authorizer's handler signature (the authorizer
// itself is tokenwiring's: it verifies upload tokens with the root secret).
type AuthorizerLambda = func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error)

// CountersLambda is the counter consumer's handler signature: a stream batch
// of one shard (tumbling-window events carry its id).
type CountersLambda = func(context.Context, events.DynamoDBTimeWindowEvent) (events.DynamoDBTimeWindowEventResponse, error)

// Counters is the handler for the table's stream that keeps each project's
// counts.
func Counters(e *Env) CountersLambda {
	return (&streamevents.Counters{Store: Store(e), Log: e.Log}).Handle
}

// Tokens is the upload tokens' ledger, for the routes tokens may call.
func Tokens(e *Env) *dynamostore.TokenLedger {
	return dynamostore.NewTokenLedger(e.DynamoDB(), e.Config.TableName)
}
