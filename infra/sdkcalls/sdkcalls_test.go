package sdkcalls

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Each call counts once under its service and operation, retries or not.
func TestCounterCountsCallsByOperation(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable) // retried by the SDK
	}))
	defer srv.Close()
	var c Counter
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}, func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, c.Add)
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	})
	for range 2 {
		_, _ = client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	}
	_, _ = client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("b")})
	if hits.Load() != 9 {
		t.Fatalf("the server saw %d requests, want 9 (3 calls of 3 attempts)", hits.Load())
	}
	got := c.Snapshot()
	if got["S3.HeadObject"] != 2 || got["S3.ListObjectsV2"] != 1 || len(got) != 2 {
		t.Errorf("counted %v, want S3.HeadObject 2 and S3.ListObjectsV2 1", got)
	}
	c.Reset()
	if got := c.Snapshot(); len(got) != 0 {
		t.Errorf("after Reset: %v", got)
	}
}
