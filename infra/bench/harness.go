package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
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
	// notifications is the bucket's S3-event configuration as the stack set
	// it: sections that time `complete` switch events off so process-upload
	// cannot settle the file first, and put this back afterwards.
	notifications *s3types.NotificationConfiguration
	env           *wiring.Env // the functions' environment, for the operator's limits
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
		ddb: st.DynamoClient(), s3: st.MinIO.Client(s3storage.ClientOptions), http: newHTTPClient(64), logf: logf, env: env, eventCalls: eventCalls, cost: cost}
	if u, err := url.Parse(st.APIURL); err == nil {
		h.http.Transport = cost.countAPI(h.http.Transport, u.Host)
	}
	h.sign = s3.NewPresignClient(h.s3)
	n, err := h.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(localstack.BucketName)})
	if err != nil {
		st.Stop()
		return nil, err
	}
	h.notifications = &s3types.NotificationConfiguration{QueueConfigurations: n.QueueConfigurations,
		TopicConfigurations: n.TopicConfigurations, LambdaFunctionConfigurations: n.LambdaFunctionConfigurations}
	logf("local stack up in %s at %s", time.Since(start).Round(time.Millisecond), st.APIURL)
	return h, nil
}

func (h *harness) stop() { h.stack.Stop() }

// events switches the bucket's ObjectCreated events (to process-upload) on or off.
func (h *harness) events(ctx context.Context, on bool) error {
	if !on {
		return h.stack.MinIO.Unnotify(ctx, localstack.BucketName)
	}
	_, err := h.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(localstack.BucketName), NotificationConfiguration: h.notifications,
	})
	return err
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
	env, err := wiring.Load(h.stack.Getenv)
	if err != nil {
		return nil, err
	}
	env.Log, env.Out = slog.New(slog.DiscardHandler), io.Discard
	in := &instrumented{meter: &Meter{}, s3: &S3Bytes{}}
	env.AWS.APIOptions = append(env.AWS.APIOptions, in.meter.Add, in.s3.Add)
	in.records, in.listing = wiring.Records(env), wiring.Listing(env)
	in.objects, in.settlement = s3wiring.Storage(env), uploadwiring.Settlement(env)
	return in, nil
}

// newHTTPClient keeps connections alive for up to conns concurrent callers,
// as a real SDK client does.
func newHTTPClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns * 4
	t.MaxIdleConnsPerHost = conns * 2
	return &http.Client{Transport: t, Timeout: 5 * time.Minute}
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

// pdfStream is size bytes of a PDF: a real header, then filler, generated as
// read so a 1 GiB object never sits in memory.
type pdfStream struct {
	left int64
	head []byte
}

func newPDFStream(size int64) *pdfStream {
	return &pdfStream{left: size, head: []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n")}
}

func (s *pdfStream) Read(p []byte) (int, error) {
	if s.left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), s.left))
	c := copy(p[:n], s.head)
	s.head = s.head[c:]
	for i := c; i < n; i++ {
		p[i] = ' '
	}
	s.left -= int64(n)
	return n, nil
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
