package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/sdkcalls"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/files/upload"
	"github.com/filegate/filegate/shared/s3storage"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// maxObjectBytes lifts the stack's MAX_FILE_SIZE_BYTES (default 512 MiB) so
// the validation benchmark can upload its 1 GiB object through the API.
const maxObjectBytes = 2 << 30

// harness is the local stack, the functions' own adapters and raw clients.
type harness struct {
	stack   *localstack.Stack
	store   *dynamostore.Store
	keys    *dynamostore.Keys
	objects *s3storage.Storage
	ddb     *dynamodb.Client  // raw DynamoDB Local
	s3      *s3.Client        // raw MinIO, with the functions' client options
	sign    *s3.PresignClient // on s3
	http    *http.Client
	logf    func(string, ...any)
	env     *wiring.Env // the functions' environment, for the operator's limits
	// eventCalls counts the SDK calls of the events consumer and the webhook
	// sender (by template logical ID), each function's alone (webhooklag).
	eventCalls map[string]*sdkcalls.Counter
	cost       *costMeter // every billable call (section cost)
}

func startHarness(ctx context.Context, root string, logf func(string, ...any)) (*harness, error) {
	start := time.Now()
	cost := &costMeter{}
	eventCalls := map[string]*sdkcalls.Counter{eventsConsumer: {}, webhookSender: {}}
	st, err := localstack.Start(ctx, localstack.Options{
		DynamoDBMiddleware: []func(*middleware.Stack) error{cost.ddb.Add, cost.sdk.Add},
		Invoked:            cost.invoked,
		StorageFront:       cost.storage,
		FunctionMiddleware: func(id string) []func(*middleware.Stack) error {
			add := []func(*middleware.Stack) error{cost.itemsOf(id)}
			if c := eventCalls[id]; c != nil {
				add = append(add, c.Add)
			}
			return add
		},
		Root: root,
		// The limiter is on, at rates the load sections never reach (they
		// measure the API, not its limits); section 4 sets its own.
		Env: map[string]string{"MAX_FILE_SIZE_BYTES": fmt.Sprint(maxObjectBytes),
			"RATE_LIMIT_WRITE": "100000", "RATE_LIMIT_READ": "100000", "RATE_LIMIT_SEARCH": "100000",
			// WEBHOOK_ALLOW_LOOPBACK: webhooklag's receiver is on 127.0.0.1, as under make dev.
			"WEBHOOK_ALLOW_LOOPBACK": "true"},
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		// Baselines call DynamoDB Local directly; so do the functions here.
		NoIAMGate: true,
		// API Gateway caches the authorizer's answers (ReauthorizeEvery), as
		// `make dev` does: latencies are the ones a client on AWS would see.
		CacheAuthorizations: true,
	})
	if err != nil {
		return nil, fmt.Errorf("the local stack did not start (run `make tools`; Java 17+ is needed): %w", err)
	}
	env, err := wiring.Load(st.Getenv)
	if err != nil {
		st.Stop()
		return nil, err
	}
	h := &harness{stack: st, store: wiring.Store(env), keys: dynamostore.NewKeys(env.DynamoDB(), env.Config.TableName), objects: s3wiring.Storage(env),
		ddb: st.DynamoClient(), s3: st.MinIO.Client(s3storage.ClientOptions), logf: logf, env: env, eventCalls: eventCalls, cost: cost}
	// Connections stay alive for up to 64 concurrent callers, as an SDK client keeps them.
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 128
	api, _ := url.Parse(st.APIURL)
	h.http, h.sign = &http.Client{Transport: cost.countAPI(t, api.Host), Timeout: 5 * time.Minute}, s3.NewPresignClient(h.s3)
	logf("local stack up in %s at %s", time.Since(start).Round(time.Millisecond), st.APIURL)
	return h, nil
}

func (h *harness) stop() { h.stack.Stop() }

// eventsOff switches the bucket's ObjectCreated events (to process-upload)
// off until restore: sections that time complete keep process-upload from settling the file first.
func (h *harness) eventsOff(ctx context.Context) (restore func(), err error) {
	n, err := h.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(localstack.BucketName)})
	if err != nil {
		return nil, err
	}
	return func() {
		_, _ = h.s3.PutBucketNotificationConfiguration(context.WithoutCancel(ctx), &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(localstack.BucketName),
			NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: n.QueueConfigurations, TopicConfigurations: n.TopicConfigurations, LambdaFunctionConfigurations: n.LambdaFunctionConfigurations}})
	}, h.stack.MinIO.Unnotify(ctx, localstack.BucketName)
}

// tenant mints a key for a new project.
func (h *harness) tenant(ctx context.Context) (*filegate.Client, string, string, error) {
	org, project := apitest.NewUUID(), apitest.NewUUID()
	key, err := h.stack.MintKey(ctx, org, project, auth.ScopeCreate, auth.ScopeRead)
	if err != nil {
		return nil, "", "", err
	}
	return &filegate.Client{Base: h.stack.APIURL, Key: key, HTTP: h.http}, org, project, nil
}

// instrumented is the functions' use cases over a DynamoDB Meter and an S3 byte counter.
type instrumented struct {
	records    *files.Records
	listing    *files.Listing
	settlement *upload.Settlement
	objects    *s3storage.Storage
	meter      *Meter
	s3         *S3Bytes
}

func (h *harness) instrumented() (*instrumented, error) {
	in := &instrumented{meter: &Meter{}, s3: &S3Bytes{}}
	env, err := h.envOf("", in.meter.Add, in.s3.Add)
	if err != nil {
		return nil, err
	}
	in.records, in.listing = wiring.Records(env), wiring.Listing(env)
	in.objects, in.settlement = s3wiring.Storage(env), uploadwiring.Settlement(env)
	return in, nil
}

// complete completes id through the instrumented service, counting the S3
// requests it makes and the response bytes it reads.
func (in *instrumented) complete(ctx context.Context, project, id string) (read, requests int64, took time.Duration, err error) {
	in.s3.bytes.Store(0)
	in.s3.calls.Store(0)
	start := time.Now()
	done, err := in.settlement.Complete(ctx, project, files.MustParseFileID(id), "", "")
	if err == nil && done.Status != files.StatusCompleted {
		err = fmt.Errorf("complete %s: %s", id, done.Status)
	}
	return in.s3.bytes.Load(), in.s3.calls.Load(), time.Since(start), err
}

// envOf is the functions' environment, quiet, with apiOptions on every
// client, and its table and bucket named name (unless "").
func (h *harness) envOf(name string, apiOptions ...func(*middleware.Stack) error) (*wiring.Env, error) {
	env, err := wiring.Load(func(k string) string {
		if name != "" && (k == "TABLE_NAME" || k == "BUCKET_NAME") {
			return name
		}
		return h.stack.Getenv(k)
	})
	if err == nil {
		env.Log, env.Out = slog.New(slog.DiscardHandler), io.Discard
		env.AWS.APIOptions = append(env.AWS.APIOptions, apiOptions...)
	}
	return env, err
}

// create opens an upload session for size bytes of mimeType.
func create(ctx context.Context, api *filegate.Client, name, mimeType string, size int64) (filegate.File, error) {
	return api.Create(ctx, filegate.CreateRequest{Filename: name, MimeType: mimeType, SizeBytes: size})
}

// complete completes id; anything but a COMPLETED file is an error.
func complete(ctx context.Context, api *filegate.Client, id string) (filegate.File, error) {
	f, _, err := api.Complete(ctx, id, "")
	if err == nil && f.Status != "COMPLETED" {
		err = fmt.Errorf("complete %s: status %s", id, f.Status)
	}
	return f, err
}

// newPDFStream is size bytes of a PDF: a real header, then spaces,
// generated as read so a 1 GiB object never sits in memory.
func newPDFStream(size int64) io.Reader {
	head := strings.NewReader("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n")
	return io.LimitReader(io.MultiReader(head, spaces{}), size)
}

type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// parallel runs do(0..n-1) on workers goroutines; the first error stops it.
func parallel(ctx context.Context, workers, n int, do func(i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := do(i); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}
