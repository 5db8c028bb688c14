package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/files"
)

// TestPeekIsOneReadOfWhatAHeadShows: the S3 adapter's one ranged GET gives
// the whole object's size (from Content-Range), type and ETag with its first
// bytes, for an object longer than the range, one shorter, an empty one
// (which has no byte 0 to range over) and none.
func TestPeekIsOneReadOfWhatAHeadShows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	objects := realObjects()
	project := newTenant(t).ProjectID
	const n = 3072
	for _, size := range []int{10_000, 100, 0} {
		body := bytes.Repeat([]byte("filegate"), size/8+1)[:size]
		key := files.ObjectKey(project, files.NewID(time.Now()))
		if _, err := stack.S3Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(localstack.BucketName), Key: &key,
			Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(size)), ContentType: aws.String("text/plain")}); err != nil {
			t.Fatal(err)
		}
		info, head, err := objects.Peek(ctx, key, n)
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		sum := md5.Sum(body)
		if info.Size != int64(size) || info.ContentType != "text/plain" || info.ETag != `"`+hex.EncodeToString(sum[:])+`"` || info.Metadata != nil {
			t.Errorf("%d bytes: peeked %+v", size, info)
		}
		if want := body[:min(size, n)]; !bytes.Equal(head, want) {
			t.Errorf("%d bytes: first %d bytes read, want %d", size, len(head), len(want))
		}
	}
	if _, _, err := objects.Peek(ctx, files.ObjectKey(project, files.NewID(time.Now())), n); !errors.Is(err, files.ErrObjectMissing) {
		t.Fatalf("no object: %v, want ErrObjectMissing", err)
	}
}
