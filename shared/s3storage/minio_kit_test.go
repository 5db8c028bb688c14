package s3storage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/minio"
	"github.com/filegate/filegate/infra/localstack/perbinary"
	"github.com/filegate/filegate/infra/localstack/process"
	"github.com/filegate/filegate/shared/s3storage"
)

// The adapter's tests run against MinIO, through the same SDK calls the
// functions make: one server per test binary, started by the local stack's
// own launcher from the tools cache the first time a test opens a bucket,
// and a fresh bucket for each test. (The kit is a _test file: it links into
// no function.)

var (
	localS3 perbinary.Server[*minio.MinIO]
	buckets atomic.Int64
)

func TestMain(m *testing.M) {
	code := m.Run()
	localS3.Stop()
	os.Exit(code)
}

// testBucket is one test's bucket on MinIO.
type testBucket struct {
	Name     string
	Endpoint string
	Client   *s3.Client // the root client, to set up and look behind the adapter
	*s3storage.Storage
}

// MustOpenBucket creates a fresh bucket and the adapter on it; a missing
// MinIO fails the test with what to install.
func MustOpenBucket(tb testing.TB) testBucket {
	tb.Helper()
	m := localS3.Get(tb, "MinIO did not start (run `make tools`)", func(dir string) (*minio.MinIO, error) {
		return minio.StartMinIO(context.Background(), process.ToolsDir(), filepath.Join(dir, "data"), filepath.Join(dir, "minio.log"), nil)
	})
	b := testBucket{Name: fmt.Sprintf("files-%d", buckets.Add(1)), Endpoint: m.Endpoint, Client: m.Client()}
	if _, err := b.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &b.Name}); err != nil {
		tb.Fatalf("create bucket %s: %v", b.Name, err)
	}
	b.Storage = storageAs(m.Endpoint, b.Name, m.AccessKey, m.SecretKey)
	return b
}

// storageAs is the adapter on bucket at endpoint, signing with the given
// credentials, configured as the functions configure it.
func storageAs(endpoint, bucket, accessKey, secretKey string) *s3storage.Storage {
	cfg := aws.Config{Region: dynamodblocal.LocalRegion, Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")}
	return s3storage.New(cfg, bucket, func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(endpoint), true })
}
