package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/s3events"
	"github.com/filegate/filegate/shared/s3storage"
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
}

// HTTPLambda is what an HTTP function's main passes to lambda.Start.
type HTTPLambda = func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// AuthorizerLambda is the authorizer's handler signature.
type AuthorizerLambda = func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error)

// S3Lambda is process-upload's handler signature.
type S3Lambda = func(context.Context, events.S3Event) error

// deps are the adapters and services one function needs.
type deps struct {
	log   *slog.Logger
	db    *dynamo.DB
	cfg   Config
	files *files.Service
}

func load(ctx context.Context) (*deps, error) {
	cfg, err := ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	db := dynamo.New(awsCfg)
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.S3PathStyle
		// Presigned PUTs must not carry an SDK-computed checksum of an empty body.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		// Validation reads a byte range, which carries no whole-object checksum.
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	svc := files.NewService(dynamostore.New(db, cfg.TableName), s3storage.New(client, cfg.BucketName), cfg.Files, nil, log)
	return &deps{log: log, db: db, cfg: cfg, files: svc}, nil
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
	mux := http.NewServeMux()
	mux.Handle(route, nativeapi.New(d.files, d.log).Routes()[route])
	return httpadapter.NewV2(mux).ProxyWithContext, nil
}

// AuthorizerHandler builds the HTTP API's Lambda authorizer.
func AuthorizerHandler(ctx context.Context) (AuthorizerLambda, error) {
	d, err := load(ctx)
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
	return (&s3events.Processor{Files: d.files}).Handle, nil
}

// Keys returns the API-key store, for the admin CLI.
func Keys(ctx context.Context) (auth.KeyStore, error) {
	d, err := load(ctx)
	if err != nil {
		return nil, err
	}
	return dynamostore.NewKeys(d.db, d.cfg.TableName), nil
}
