package dynamostore_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
)

// stalledDB is a DynamoDB client whose endpoint answers as answer does,
// with the bounded retries the functions configure (wiring).
func stalledDB(t *testing.T, answer http.HandlerFunc) *dynamo.DB {
	t.Helper()
	srv := httptest.NewServer(answer)
	t.Cleanup(srv.Close)
	t.Cleanup(srv.CloseClientConnections) // runs first: frees handlers that hang
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts, o.MaxBackoff = 3, 10*time.Millisecond })
		},
	}
	return dynamo.New(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

// hang never answers: the request stays open until its client gives up
// (the server notices that once the body is read).
func hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

// throttle answers every request as DynamoDB does past a partition's limit.
func throttle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}`))
}

// A DynamoDB that stalls until the request's deadline, or throttles past the
// SDK's retries, is unavailable (503 with Retry-After), never an internal
// error (500): every store method a request path calls says so.
func TestStalledOrThrottledDynamoDBIsUnavailable(t *testing.T) {
	f := &files.File{ID: files.NewID(time.Now()), ProjectID: "0193a1b2-0000-7000-8000-000000000002", Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: 1}, Status: files.StatusPending, UploadExpiresAt: time.Now().Add(time.Hour)}
	for name, answer := range map[string]http.HandlerFunc{"stalled": hang, "throttled": throttle} {
		db := stalledDB(t, answer)
		store := dynamostore.New(db, "files")
		calls := map[string]func(ctx context.Context) error{
			"Get":    func(ctx context.Context) error { _, err := store.Get(ctx, f.ProjectID, f.ID); return err },
			"Create": func(ctx context.Context) error { return store.Create(ctx, f) },
			"Transition": func(ctx context.Context) error {
				_, err := store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCancelled, At: time.Now()})
				return err
			},
			"Delete": func(ctx context.Context) error { return store.Delete(ctx, f) },
			"List":   func(ctx context.Context) error { _, _, err := store.List(ctx, f.ProjectID, 25, 0); return err },
			"QueryCompleted": func(ctx context.Context) error {
				_, _, err := store.QueryCompleted(ctx, files.Query{ProjectID: f.ProjectID, Order: files.OrderCreatedDesc, Limit: 10})
				return err
			},
			"Idempotency.Begin": func(ctx context.Context) error {
				_, err := dynamostore.NewIdempotency(db, "files").Begin(ctx, &idempotency.Record{Scope: "p#POST /v1/files", Key: "K", LeaseUntil: time.Now().Add(time.Minute)}, time.Now())
				return err
			},
			"TokenLedger.Owns": func(ctx context.Context) error {
				_, err := dynamostore.NewTokenLedger(db, "files").Owns(ctx, "utk_1", f.ID)
				return err
			},
		}
		for call, do := range calls {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			err := do(ctx)
			cancel()
			if files.KindOf(err) != files.KindUnavailable {
				t.Errorf("%s %s: %v (kind %d), want unavailable", name, call, err, files.KindOf(err))
			}
		}
	}
}
