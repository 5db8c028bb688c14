package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/accesslog"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/emf"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/s3events"
	"github.com/filegate/filegate/shared/s3storage"
	"github.com/filegate/filegate/shared/streamevents"
)

// HTTPFunctions maps each HTTP function's template logical ID to its route.
var HTTPFunctions = map[string]string{
	"CreateFileFunction":   "POST /v1/files",
	"CompleteFileFunction": "POST /v1/files/{id}/complete",
	"GetFileFunction":      "GET /v1/files/{id}",
	"ListFilesFunction":    "GET /v1/files",
	"FileUrlFunction":      "GET /v1/files/{id}/url",
	"CancelFileFunction":   "POST /v1/files/{id}/cancel",
	"DeleteFileFunction":   "DELETE /v1/files/{id}",
	// Compat API (LlamaCloud shape).
	"UploadFileFunction":        "POST /api/v1/beta/files",
	"ListCompatFilesFunction":   "GET /api/v1/beta/files",
	"QueryCompatFilesFunction":  "POST /api/v1/beta/files/query",
	"GetCompatFileFunction":     "GET /api/v1/beta/files/{id}",
	"DeleteCompatFileFunction":  "DELETE /api/v1/beta/files/{id}",
	"CompatFileContentFunction": "GET /api/v1/beta/files/{id}/content",
	// What no route takes, answered in its dialect's envelope.
	"DefaultRouteFunction": DefaultRoute,
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

// HTTPLambda is what an HTTP function's main passes to lambda.Start.
type HTTPLambda = func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// AuthorizerLambda is the authorizer's handler signature.
type AuthorizerLambda = func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error)

// S3Lambda is process-upload's handler signature.
type S3Lambda = func(context.Context, events.S3Event) error

// deps are the adapters and services one function needs.
type deps struct {
	log         *slog.Logger
	db          *dynamo.DB
	cfg         Config
	files       *files.Service
	idempotency *idempotency.Keys
}

// base is what every function needs: configuration, logger, DynamoDB.
func base() (*deps, aws.Config, error) {
	cfg, err := ConfigFromEnv()
	if err != nil {
		return nil, aws.Config{}, err
	}
	awsCfg := awsConfigFromEnv()
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	db := dynamo.New(awsCfg, func(o *dynamodb.Options) { o.BaseEndpoint = endpointFor("DYNAMODB") })
	return &deps{log: log, db: db, cfg: cfg}, awsCfg, nil
}

// load adds the file service (and S3) to base, for every function but the
// authorizer, which keeps them off its cold start.
func load(context.Context) (*deps, error) {
	d, awsCfg, err := base()
	if err != nil {
		return nil, err
	}
	cfg, db, log := d.cfg, d.db, d.log
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.BaseEndpoint = endpointFor("S3")
		o.UsePathStyle = cfg.S3PathStyle
		// Presigned PUTs must not carry an SDK-computed checksum of an empty body.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		// Validation reads a byte range, which carries no whole-object checksum.
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	svc := files.NewService(dynamostore.New(db, cfg.TableName), s3storage.New(client, cfg.BucketName), cfg.Files, nil, log)
	svc.ReportTo(emf.New(os.Stdout))
	d.files, d.idempotency = svc, &idempotency.Keys{Store: dynamostore.NewIdempotency(db, cfg.TableName), Now: time.Now}
	return d, nil
}

// HTTPHandler builds the handler of the HTTP function logicalID: its one route
// on a ServeMux (so r.PathValue works) behind the API Gateway v2 adapter.
func HTTPHandler(ctx context.Context, logicalID string) (HTTPLambda, error) {
	route, ok := HTTPFunctions[logicalID]
	if !ok {
		return nil, fmt.Errorf("no HTTP function %q", logicalID)
	}
	d, err := load(ctx)
	if err != nil {
		return nil, err
	}
	h, ok := routes(d)[route]
	if !ok {
		return nil, fmt.Errorf("HTTP function %q: no handler serves %q", logicalID, route)
	}
	mux := http.NewServeMux()
	mux.Handle(MuxPattern(route), accesslog.Wrap(d.log, route, h))
	return httpadapter.NewV2(mux).ProxyWithContext, nil
}

// routes is every route of both API dialects, keyed as in template.yaml,
// and DefaultRoute, which answers the rest in the dialect its path is under.
func routes(d *deps) map[string]http.Handler {
	native, compat := nativeapi.New(d.files, d.log, d.idempotency), compatapi.New(d.files, d.log, d.idempotency)
	all := native.Routes()
	maps.Copy(all, compat.Routes())
	known := slices.Collect(maps.Keys(all))
	unmatched := http.NewServeMux()
	unmatched.Handle("/", native.Unmatched(known))
	unmatched.Handle(compatapi.Prefix, compat.Unmatched(known))
	all[DefaultRoute] = unmatched
	return all
}

// AuthorizerHandler builds the HTTP API's Lambda authorizer.
func AuthorizerHandler(ctx context.Context) (AuthorizerLambda, error) {
	d, _, err := base()
	if err != nil {
		return nil, err
	}
	a := &auth.Authorizer{Keys: dynamostore.NewKeys(d.db, d.cfg.TableName), Log: d.log}
	return a.Handle, nil
}

// ProcessUploadHandler builds the S3 ObjectCreated handler.
func ProcessUploadHandler(ctx context.Context) (S3Lambda, error) {
	d, err := load(ctx)
	if err != nil {
		return nil, err
	}
	return (&s3events.Processor{Files: d.files, Bucket: d.cfg.BucketName, Log: d.log}).Handle, nil
}

// CleanupLambda is the stream cleanup's handler signature.
type CleanupLambda = func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// CleanupHandler builds the handler for the table's stream: TTL removals
// delete their objects.
func CleanupHandler(ctx context.Context) (CleanupLambda, error) {
	d, err := load(ctx)
	if err != nil {
		return nil, err
	}
	return (&streamevents.Cleanup{Files: d.files, Log: d.log}).Handle, nil
}

// ReconcileLambda is the scheduled reconcile's handler signature.
type ReconcileLambda = func(context.Context, events.EventBridgeEvent) (files.ReconcileReport, error)

// ReconcileHandler builds the scheduled reconcile: bounded work per run
// (RECONCILE_BATCH objects), orphans deleted after ORPHAN_GRACE_SECONDS.
func ReconcileHandler(ctx context.Context) (ReconcileLambda, error) {
	d, err := load(ctx)
	if err != nil {
		return nil, err
	}
	batch, grace := d.cfg.ReconcileBatch, d.cfg.OrphanGrace
	return func(ctx context.Context, _ events.EventBridgeEvent) (files.ReconcileReport, error) {
		rep, err := d.files.Reconcile(ctx, batch, grace)
		d.log.InfoContext(ctx, "reconcile run", "scanned", rep.Scanned, "settled", rep.Settled, "deleted", rep.Deleted, "done", rep.Done, "busy", rep.Busy, "err", err)
		return rep, err
	}, nil
}
