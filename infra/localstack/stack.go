// Package localstack runs Filegate on one machine for real: DynamoDB Local,
// MinIO, an API Gateway emulator and an S3-event bridge, all on 127.0.0.1,
// wired from template.yaml to the same handlers the Lambdas run.
package localstack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/infra/clamd"
	"github.com/filegate/filegate/infra/lambdaruntime"
	"github.com/filegate/filegate/infra/localstack/apigw"
	"github.com/filegate/filegate/infra/localstack/bucketevents"
	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/iamgate"
	"github.com/filegate/filegate/infra/localstack/minio"
	"github.com/filegate/filegate/infra/localstack/process"
	"github.com/filegate/filegate/infra/localstack/s3proxy"
	"github.com/filegate/filegate/infra/localstack/samtemplate"
	"github.com/filegate/filegate/infra/localstack/streamfeed"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/secretfile"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// Local names of the template's table and bucket.
const (
	TableName  = "filegate-files"
	BucketName = "filegate-uploads"
	webhookID  = "PROCESSUPLOAD"
)

// Options configure a stack.
type Options struct {
	Root    string // the repository (holds template.yaml)
	DataDir string // persistent state; "" keeps everything temporary
	APIAddr string // e.g. 127.0.0.1:3000; "" picks a free port
	// S3Addr is where clients reach storage (the checking proxy before
	// MinIO), e.g. 127.0.0.1:3002; "" picks a free port. Presigned URLs
	// name it, so a fixed one keeps them working across restarts.
	S3Addr string
	Env    map[string]string // extra function configuration, e.g. UPLOAD_URL_TTL_SECONDS
	Log    *slog.Logger
	// SweepEvery runs the TTL sweeper in the background; 0 leaves it to
	// explicit Sweeper.Sweep calls (tests).
	SweepEvery time.Duration
	// ReconcileEvery runs the scheduled reconcile in the background; 0: only on demand.
	ReconcileEvery time.Duration
	// SendEvery runs the scheduled webhook sender in the background (AWS:
	// every minute); 0: only on demand (Stack.SendWebhooks).
	SendEvery time.Duration
	// CacheAuthorizations caches authorizer answers for the template's
	// ReauthorizeEvery, as API Gateway does (off: every request re-authorizes).
	CacheAuthorizations bool
	// NoIAMGate builds the functions on DynamoDB Local directly, without the
	// gate that enforces their template policies (see gated): for benchmarks,
	// which measure the functions' own cost, not a hop AWS does not have.
	NoIAMGate bool
	// AllowedOrigins is the value of the template's AllowedOrigins parameter
	// (browser origins allowed by the API's and the bucket's CORS); nil takes
	// its default. A test that serves a page from its own local origin lists
	// that origin here.
	AllowedOrigins []string
	// DynamoDBFront, if set, is given DynamoDB Local's endpoint and returns
	// the one the functions reach it through (behind their IAM gates): fault
	// tests put a proxy there that crashes DynamoDB Local at a chosen
	// request. DynamoClient and the stack's own setup keep the direct endpoint.
	DynamoDBFront func(endpoint string) (string, error)
	// DynamoDBMiddleware is added to every function's SDK clients (tests that
	// watch what each request writes: awsmiddleware.GetServiceID tells the
	// DynamoDB calls apart).
	DynamoDBMiddleware []func(*middleware.Stack) error
	// FunctionMiddleware, if set, adds middleware to the SDK clients of the
	// function with that template logical ID only (the bench counts the
	// events functions' own calls apart from the others').
	FunctionMiddleware func(logicalID string) []func(*middleware.Stack) error
	// StorageFront, if set, wraps the checking proxy before MinIO: every S3
	// request of the stack passes it (the browser test counts part PUTs).
	StorageFront func(http.Handler) http.Handler
	// Supervise restarts a crashed DynamoDB Local, MinIO or clamd within its
	// bounds, and reports on Failed once past them (`make dev`). nil: a
	// crashed server stays down (fault tests restart it themselves).
	Supervise *RestartPolicy
	// Scan is the functions' malware scanning (SCAN_MODE): "" or off for
	// none; clamav runs a clamd of the stack's own (infra/clamd: generated
	// config, local signature database) that the functions stream objects
	// to; guardduty reads GuardDuty's verdicts, which tests hand the
	// scan-result function (Stack.ScanResult) as GuardDuty's events.
	Scan files.ScanMode
	// ScanLimit is the largest object the stack's clamd scans (clamd's
	// size limits); 0 takes MAX_FILE_SIZE_BYTES's default, 512 MiB.
	ScanLimit int64
	// Invoked, if set, hears of every invocation of a function's handler:
	// its template logical ID and how long it ran (the bench's cost section).
	Invoked func(logicalID string, took time.Duration)
}

// Stack is a running local Filegate.
type Stack struct {
	APIURL string
	// S3Endpoint is where the functions and presigned URLs reach storage:
	// the checking proxy in front of MinIO (see S3Proxy).
	S3Endpoint string
	S3Proxy    *s3proxy.S3Proxy  // the checking proxy itself (fault tests slow storage down)
	Env        map[string]string // the environment the functions run with
	Template   *samtemplate.Template
	DynamoDB   *dynamodblocal.DynamoDB
	MinIO      *minio.MinIO
	Sweeper    *streamfeed.Sweeper    // emulated DynamoDB TTL feeding the cleanup function
	Counters   *streamfeed.StreamFeed // the table's stream feeding the counter consumer
	Events     *streamfeed.StreamFeed // the table's stream feeding the events consumer
	// Sender is the scheduled webhook sender (see SendWebhooks).
	Sender        eventwiring.SenderLambda
	senderTimeout time.Duration
	Reconcile     uploadwiring.ReconcileLambda // the scheduled reconcile function
	// ScanResult is the function GuardDuty's result events invoke.
	ScanResult uploadwiring.ScanResultLambda
	Clamd      *clamd.Clamd // the stack's clamd with Options.Scan clamav, else nil
	// reconcileTimeout is the reconcile function's template Timeout, the
	// deadline of each run the stack starts as its schedule would.
	reconcileTimeout time.Duration
	Webhook          *bucketevents.WebhookTarget // where MinIO sends bucket events (the S3 bridge)
	// RootSecretFile holds the root secret upload tokens' keys derive from
	// (Secrets Manager on AWS): <data dir>/root-secret, .local/root-secret
	// for make dev, created on first start.
	RootSecretFile string
	gates          []*iamgate.DynamoDBGate // each function's IAM check in front of DynamoDB Local
	// functionsDynamoDB is where the functions' DynamoDB calls go (through
	// their gates): DynamoDB Local, or Options.DynamoDBFront's endpoint.
	functionsDynamoDB string
	log               *slog.Logger
	tmp               string
	dataDir           string // persistent state (a temporary dir without Options.DataDir)
	servers           []*http.Server
	stop              context.CancelFunc
	// stopSupervising ends the supervisors (Options.Supervise), which
	// report on failed when they give up.
	stopSupervising context.CancelFunc
	supervising     sync.WaitGroup
	failed          chan error
}

// Start brings the whole stack up; on error everything started is stopped.
// Before the API listens, one reconcile pass settles uploads MinIO raised no
// event for (see reconcileAfterMinIOStart).
func Start(ctx context.Context, o Options) (s *Stack, err error) {
	if o.Log == nil {
		o.Log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	s = &Stack{log: o.Log, failed: make(chan error, 1)}
	started := s // the returns below set s to nil; stop what did start
	defer func() {
		if err != nil {
			started.Stop()
		}
	}()
	if s.Template, err = samtemplate.ReadTemplate(filepath.Join(o.Root, "template.yaml")); err != nil {
		return nil, err
	}
	data := o.DataDir
	if data == "" {
		if s.tmp, err = os.MkdirTemp("", "filegate-stack-"); err != nil {
			return nil, err
		}
		data = s.tmp
	}
	s.dataDir = data
	// The bridge listens first: MinIO needs its address at start.
	var processUpload atomic.Pointer[uploadwiring.S3Lambda]
	s.Webhook = &bucketevents.WebhookTarget{Handler: &bucketevents.S3Bridge{Log: o.Log, Handler: func(ctx context.Context, ev events.S3Event) error {
		h := processUpload.Load()
		if h == nil {
			return errors.New("process-upload is not ready")
		}
		return (*h)(ctx, ev)
	}}}
	bridgeURL, err := s.Webhook.Up()
	if err != nil {
		return nil, err
	}
	tools := process.ToolsDir()
	ddbDir := ""
	if o.DataDir != "" {
		ddbDir = filepath.Join(data, "dynamodb")
	}
	if s.DynamoDB, err = dynamodblocal.StartDynamoDB(ctx, tools, ddbDir, filepath.Join(data, "dynamodb.log")); err != nil {
		return nil, err
	}
	if s.MinIO, err = minio.StartMinIO(ctx, tools, filepath.Join(data, "minio"), filepath.Join(data, "minio.log"), map[string]string{webhookID: bridgeURL}); err != nil {
		return nil, err
	}
	if o.AllowedOrigins != nil {
		s.Template.SetAllowedOrigins(o.AllowedOrigins)
	}
	minioURL, err := url.Parse(s.MinIO.Endpoint)
	if err != nil {
		return nil, err
	}
	s.S3Proxy = s3proxy.NewS3Proxy(minioURL, s.Template.BucketCORS, o.Log)
	var storage http.Handler = s.S3Proxy
	if o.StorageFront != nil {
		storage = o.StorageFront(storage)
	}
	if s.S3Endpoint, err = s.serve(cmp.Or(o.S3Addr, "127.0.0.1:0"), storage); err != nil {
		return nil, err
	}
	s.functionsDynamoDB = s.DynamoDB.Endpoint
	if o.DynamoDBFront != nil {
		if s.functionsDynamoDB, err = o.DynamoDBFront(s.functionsDynamoDB); err != nil {
			return nil, err
		}
	}
	s.RootSecretFile = filepath.Join(data, "root-secret")
	if err := secretfile.Ensure(s.RootSecretFile); err != nil {
		return nil, fmt.Errorf("the root secret's file: %w", err)
	}
	s.Env = map[string]string{
		"AWS_REGION": dynamodblocal.LocalRegion, "AWS_ACCESS_KEY_ID": s.MinIO.AccessKey, "AWS_SECRET_ACCESS_KEY": s.MinIO.SecretKey,
		"AWS_ENDPOINT_URL_DYNAMODB": s.functionsDynamoDB, "AWS_ENDPOINT_URL_S3": s.S3Endpoint,
		"AWS_EC2_METADATA_DISABLED": "true", "S3_FORCE_PATH_STYLE": "true",
		"TABLE_NAME": TableName, "BUCKET_NAME": BucketName,
	}
	if err := s.startScanning(ctx, o, data); err != nil {
		return nil, err
	}
	for k, v := range o.Env {
		s.Env[k] = v
	}
	if err := s.provision(ctx); err != nil {
		return nil, err
	}
	gw, proc, err := s.handlers(o)
	if err != nil {
		return nil, err
	}
	processUpload.Store(&proc)
	if err := s.breakStaleLeases(ctx); err != nil {
		return nil, err
	}
	if _, err := s.reconcileAfterMinIOStart(ctx); err != nil {
		return nil, err
	}
	s.background(o)
	addr := o.APIAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if s.APIURL, err = s.serve(addr, gw); err != nil {
		return nil, err
	}
	if o.Supervise != nil {
		s.superviseServers(ctx, *o.Supervise)
	}
	return s, nil
}

// startScanning sets the functions' SCAN_MODE and, for clamav, starts the
// stack's clamd under data and points CLAMD_ADDRESS at it.
func (s *Stack) startScanning(ctx context.Context, o Options, data string) error {
	switch o.Scan {
	case "", files.ScanOff:
		return nil
	case files.ScanGuardDuty:
	case files.ScanClamAV:
		limit := cmp.Or(o.ScanLimit, files.DefaultMaxBytes)
		var err error
		if s.Clamd, err = clamd.StartClamd(ctx, filepath.Join(data, "clamd"), filepath.Join(data, "clamd.log"), limit); err != nil {
			return err
		}
		s.Env["CLAMD_ADDRESS"] = s.Clamd.Address()
	default:
		return fmt.Errorf("local stack: no scan mode %q (off, guardduty or clamav)", o.Scan)
	}
	s.Env["SCAN_MODE"] = string(o.Scan)
	return nil
}

func (s *Stack) provision(ctx context.Context) error {
	if err := CreateTable(ctx, s.DynamoClient(), TableName, s.Template.Table); err != nil {
		return err
	}
	if err := CreateBucket(ctx, s.S3Client(), BucketName, s.Template.BucketCORS); err != nil {
		return err
	}
	return s.MinIO.Notify(ctx, BucketName, webhookID, s.Template.UploadEvents.Prefix)
}

// Getenv reads the functions' environment (Env), as os.Getenv does on Lambda.
func (s *Stack) Getenv(name string) string { return s.Env[name] }

// FunctionEnv is template function id's environment: Env, plus
// ROOT_SECRET_FILE for the functions whose template policy may read the
// root secret, the local form of template.yaml's ROOT_SECRET_ARN (only their
// roles may read the secret on AWS, so no other function learns where it is).
func (s *Stack) FunctionEnv(id string) map[string]string {
	env := maps.Clone(s.Env)
	if f := s.Template.Functions[id]; f != nil && f.ReadsRootSecret {
		env["ROOT_SECRET_FILE"] = s.RootSecretFile
	}
	return env
}

// handlers builds every template function with the constructor its main
// starts (functions.go), each with the stack's environment and behind its
// own IAM gate (see gatedEnv).
func (s *Stack) handlers(o Options) (*apigw.Gateway, uploadwiring.S3Lambda, error) {
	ef := eventFunctions
	known := map[string]bool{}
	for id := range routed {
		known[id] = true
	}
	for _, id := range ef.ids() {
		known[id] = true
	}
	envs := map[string]*wiring.Env{}
	for id, f := range s.Template.Functions {
		if !known[id] {
			return nil, nil, fmt.Errorf("template function %s has no constructor in infra/localstack/functions.go (functions/%s/<pkg>.New)", id, lambdaruntime.FunctionDir(id))
		}
		env, err := s.functionEnv(o, f)
		if err != nil {
			return nil, nil, fmt.Errorf("template function %s: %w", id, err)
		}
		envs[id] = env
	}
	for id := range known {
		if s.Template.Functions[id] == nil {
			return nil, nil, fmt.Errorf("infra/localstack/functions.go builds %s, which template.yaml lacks", id)
		}
	}
	routes := map[string]wiring.HTTPLambda{}
	for id, newFn := range routed {
		f, fn := s.Template.Functions[id], timed(timedHTTP, newFn(envs[id]), id, o.Invoked)
		if len(f.Routes) == 0 || f.Routes[0] != fn.Route {
			return nil, nil, fmt.Errorf("template function %s has routes %q; its handler serves %q", id, f.Routes, fn.Route)
		}
		for _, r := range f.Routes {
			routes[r] = fn.Handle
		}
	}
	if s.Template.AuthorizerID != ef.authorizer.id {
		return nil, nil, fmt.Errorf("template.yaml's authorizer is %q, want %s", s.Template.AuthorizerID, ef.authorizer.id)
	}
	authorizer, process := ef.authorizer.build(envs, o.Invoked), ef.processUpload.build(envs, o.Invoked)
	marks := &streamfeed.TTLMarks{}
	cleanup := s.Template.Functions[ef.cleanup.id]
	s.Sweeper = &streamfeed.Sweeper{Client: s.DynamoClient(), Table: TableName, Handler: ef.cleanup.build(envs, o.Invoked), Log: o.Log, BatchSize: cleanup.StreamBatch, Attempts: 3, Marks: marks}
	var err error
	if s.Sweeper.Filters, err = cleanup.EventFilters(); err != nil {
		return nil, nil, err
	}
	arn, err := s.streamARN(context.Background())
	if err != nil {
		return nil, nil, err
	}
	counters := s.Template.Functions[ef.counters.id]
	s.Counters = &streamfeed.StreamFeed{Streams: s.StreamsClient(), StreamARN: arn, Handler: ef.counters.build(envs, o.Invoked), Log: o.Log, BatchSize: counters.StreamBatch, Attempts: counters.StreamAttempts,
		Bisect: counters.StreamBisect, MaxAge: counters.StreamMaxAge}
	if s.Counters.Filters, err = counters.EventFilters(); err != nil {
		return nil, nil, err
	}
	if s.Events, err = s.eventsFeed(s.Template.Functions[ef.events.id], ef.events.build(envs, o.Invoked), marks, o); err != nil {
		return nil, nil, err
	}
	s.Reconcile, s.reconcileTimeout = ef.reconcile.build(envs, o.Invoked), s.Template.Functions[ef.reconcile.id].Timeout
	s.Sender, s.senderTimeout = ef.sender.build(envs, o.Invoked), s.Template.Functions[ef.sender.id].Timeout
	s.ScanResult = ef.scanResult.build(envs, o.Invoked)
	var cacheTTL time.Duration
	if o.CacheAuthorizations {
		cacheTTL = s.Template.AuthorizerCache
	}
	return apigw.NewGateway(s.Template, routes, authorizer, cacheTTL, o.Log), process, nil
}

// functionEnv is f's environment: the stack's, with DynamoDB behind a gate
// of f's own that enforces f's template policy, so every call its handler
// makes is checked as IAM would check it.
func (s *Stack) functionEnv(o Options, f *samtemplate.TemplateFunction) (*wiring.Env, error) {
	env, err := s.gatedEnv(o, f)
	if err == nil {
		env.AWS.APIOptions = append(env.AWS.APIOptions, o.DynamoDBMiddleware...)
		if o.FunctionMiddleware != nil {
			env.AWS.APIOptions = append(env.AWS.APIOptions, o.FunctionMiddleware(f.LogicalID)...)
		}
	}
	return env, err
}

func (s *Stack) gatedEnv(o Options, f *samtemplate.TemplateFunction) (*wiring.Env, error) {
	vars := s.FunctionEnv(f.LogicalID)
	if o.NoIAMGate {
		return wiring.Load(func(name string) string { return vars[name] })
	}
	target, err := url.Parse(s.functionsDynamoDB)
	if err != nil {
		return nil, err
	}
	hashKey := ""
	for _, k := range s.Template.Table.KeySchema {
		if k.KeyType == "HASH" {
			hashKey = k.AttributeName
		}
	}
	tables := map[string]string{TableName: "${" + s.Template.Table.Name + ".Arn}"}
	gate := iamgate.NewDynamoDBGate(target, f.LogicalID, f.Policy, tables, hashKey, o.Log)
	endpoint, err := s.serve("127.0.0.1:0", gate)
	if err != nil {
		return nil, err
	}
	s.gates = append(s.gates, gate)
	vars["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
	return wiring.Load(func(name string) string { return vars[name] })
}

// PolicyDenials lists every DynamoDB request a function's template policy
// did not allow (each also failed with AccessDeniedException).
func (s *Stack) PolicyDenials() []string {
	var out []string
	for _, g := range s.gates {
		out = append(out, g.Denied()...)
	}
	return out
}

// UngatedFunctions lists the functions whose policy grants DynamoDB actions
// but whose gate saw no request: either nothing exercised them, or their
// calls went round the gate (the check would then prove nothing).
func (s *Stack) UngatedFunctions() []string {
	seen := map[string]int{}
	for _, g := range s.gates {
		seen[g.Function] += g.Seen()
	}
	var out []string
	for id, f := range s.Template.Functions {
		for _, st := range f.Policy {
			if seen[id] == 0 && slices.ContainsFunc(st.Actions, tableAction) {
				out = append(out, id)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// tableAction reports whether a is a DynamoDB action on the table itself: the
// stream-reading ones are the event source mapping's (Lambda's poller reads
// the stream, the function never calls them), so no gate ever sees them.
func tableAction(a string) bool {
	switch a {
	case "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams":
		return false
	}
	return strings.HasPrefix(a, "dynamodb:")
}

// background runs the stream feed, the sweeper and reconcile on timers, as
// AWS would.
func (s *Stack) background(o Options) {
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	every := func(d time.Duration, run func(context.Context) error) {
		if d <= 0 {
			return
		}
		go func() {
			t := time.NewTicker(d)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if err := run(ctx); err != nil && ctx.Err() == nil {
						o.Log.Error("background job failed", "err", err)
					}
				}
			}
		}()
	}
	every(streamPollEvery, func(ctx context.Context) error { _, err := s.Counters.Poll(ctx); return err })
	every(streamPollEvery, func(ctx context.Context) error { _, err := s.Events.Poll(ctx); return err })
	every(o.SendEvery, func(ctx context.Context) error { _, err := s.SendWebhooks(ctx); return err })
	every(o.SweepEvery, func(ctx context.Context) error { _, err := s.Sweeper.Sweep(ctx); return err })
	// Both of the template's reconcile schedules, from the records and the
	// orphan walk.
	every(o.ReconcileEvery, func(ctx context.Context) error {
		if _, err := s.reconcileRun(ctx, scheduledEvent); err != nil {
			return err
		}
		_, err := s.reconcileRun(ctx, orphanWalk)
		return err
	})
}

// serve starts an HTTP server on addr and returns its base URL.
func (s *Stack) serve(addr string, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: apigw.MaxHeaderBytes}
	s.servers = append(s.servers, srv)
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// DynamoClient is a raw client on the local DynamoDB, for tests and tools.
func (s *Stack) DynamoClient() *dynamodb.Client { return s.DynamoDB.Client() }

// StreamsClient is a raw DynamoDB Streams client on the local DynamoDB.
func (s *Stack) StreamsClient() *dynamodbstreams.Client {
	return dynamodbstreams.New(dynamodbstreams.Options{Region: dynamodblocal.LocalRegion, BaseEndpoint: aws.String(s.DynamoDB.Endpoint), Credentials: credentials.NewStaticCredentialsProvider(dynamodblocal.DynamoDBKeyID, dynamodblocal.DynamoDBSecret, "")})
}

// streamPollEvery is how often the stream feed reads the table's stream:
// Lambda polls each shard 4 times a second.
const streamPollEvery = 250 * time.Millisecond

// streamARN is the local table's stream.
func (s *Stack) streamARN(ctx context.Context) (string, error) {
	out, err := s.DynamoClient().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(TableName)})
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", TableName, err)
	}
	if out.Table.LatestStreamArn == nil {
		return "", fmt.Errorf("table %s has no stream (template.yaml's StreamSpecification)", TableName)
	}
	return *out.Table.LatestStreamArn, nil
}

// S3Client is a raw client on MinIO itself, behind the checking proxy: for
// tests and tools that set up or inspect storage directly.
func (s *Stack) S3Client() *s3.Client { return s.MinIO.Client() }

// MintKey creates an API key in the local table.
func (s *Stack) MintKey(ctx context.Context, orgID, projectID string, scopes ...string) (string, error) {
	return auth.Mint(ctx, s.Keys(), orgID, projectID, scopes, time.Now())
}

// Keys is the API keys' store in the local table.
func (s *Stack) Keys() auth.KeyStore {
	return dynamostore.NewKeys(dynamo.NewFromIface(s.DynamoClient()), TableName)
}

// Stop stops servers and processes and removes temporary state.
func (s *Stack) Stop() {
	if s.stopSupervising != nil {
		s.stopSupervising() // before the servers stop: that is no crash
		s.supervising.Wait()
	}
	if s.stop != nil {
		s.stop()
	}
	for _, srv := range s.servers {
		_ = srv.Close()
	}
	if s.Webhook != nil {
		_ = s.Webhook.Down()
	}
	if s.MinIO != nil {
		_ = s.MinIO.Stop()
	}
	if s.Clamd != nil {
		_ = s.Clamd.Stop()
	}
	if s.DynamoDB != nil {
		_ = s.DynamoDB.Stop()
	}
	if s.tmp != "" && !strings.Contains(s.tmp, "..") {
		_ = os.RemoveAll(s.tmp)
	}
}

// EventQueueDir is where MinIO keeps the bucket events the webhook target has
// not taken yet.
func (s *Stack) EventQueueDir() string { return s.MinIO.QueueDir(webhookID) }
