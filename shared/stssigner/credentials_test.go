package stssigner_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/minio"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/s3storage"
	"github.com/filegate/filegate/shared/stssigner"
)

// countingAssumer counts the AssumeRole calls that reach STS.
type countingAssumer struct {
	*sts.Client
	calls atomic.Int32
}

func (c *countingAssumer) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	c.calls.Add(1)
	return c.Client.AssumeRole(ctx, in, optFns...)
}

// URLs are signed with AssumeRole'd credentials (MinIO's real STS), cached
// while more than 20 minutes remain and refreshed after; each URL lives
// min(requested, the credentials' expiry - now), and works. The clock the
// provider and storage judge expiry by is fake: nobody waits out an hour.
func TestURLsLiveAtMostAsLongAsTheirSigningCredentials(t *testing.T) {
	m := minio.MustStart(t, nil)
	ctx := t.Context()
	const bucket = "uploads"
	if _, err := m.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	root := credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, "")
	assumer := &countingAssumer{Client: sts.New(sts.Options{Region: dynamodblocal.LocalRegion, BaseEndpoint: aws.String(m.Endpoint), Credentials: root})}

	start := time.Now()
	clock := start
	now := func() time.Time { return clock }
	creds := stssigner.New(assumer, "arn:aws:iam::123456789012:role/filegate-signer", now)
	cfg := aws.Config{Region: dynamodblocal.LocalRegion, Credentials: root}
	storage := s3storage.New(cfg, bucket, func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(m.Endpoint), true }).SignWith(creds, now)

	// signed presigns a PUT of n bytes asked to live requested, checks the
	// life it got against want (to the second), that the URL carries the
	// assumed credentials, and that the PUT works; it returns the access key.
	n := 0
	signed := func(requested, want time.Duration) string {
		t.Helper()
		n++
		key := "uploads/p/f" + strconv.Itoa(n)
		body := []byte("hello " + strconv.Itoa(n))
		p, err := storage.PresignUpload(ctx, key, files.Upload{ContentType: "text/plain", ContentLength: int64(len(body)), Expires: requested})
		if err != nil {
			t.Fatalf("presign: %v", err)
		}
		u, _ := url.Parse(p.URL)
		q := u.Query()
		life, _ := strconv.Atoi(q.Get("X-Amz-Expires"))
		if got := time.Duration(life) * time.Second; got > want || got < want-2*time.Second {
			t.Errorf("asked for %s at +%s: X-Amz-Expires %s, want %s", requested, clock.Sub(start), got, want)
		}
		if got := p.ExpiresAt.Sub(clock); got != time.Duration(life)*time.Second {
			t.Errorf("ExpiresAt is %s after now, the URL's X-Amz-Expires %ds", got, life)
		}
		access, _, _ := strings.Cut(q.Get("X-Amz-Credential"), "/")
		if access == m.AccessKey || q.Get("X-Amz-Security-Token") == "" {
			t.Fatalf("the URL is signed with %q (session token %t), not assumed credentials", access, q.Get("X-Amz-Security-Token") != "")
		}
		req, _ := http.NewRequest(http.MethodPut, p.URL, bytes.NewReader(body))
		for k, v := range p.Headers {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT with the signed URL: %d %s", resp.StatusCode, msg)
		}
		return access
	}

	// Fresh credentials (MinIO grants the hour asked for): a URL gets the
	// life asked for, up to the credentials' end.
	first := signed(time.Hour, stssigner.Duration)
	signed(15*time.Minute, 15*time.Minute)
	// 35 minutes on, 25 remain: the same credentials, and no URL outlives them.
	clock = start.Add(35 * time.Minute)
	if k := signed(time.Hour, 25*time.Minute); k != first {
		t.Errorf("credentials with 25 minutes left were replaced")
	}
	signed(5*time.Minute, 5*time.Minute)
	if c := assumer.calls.Load(); c != 1 {
		t.Errorf("%d AssumeRole calls while the first credentials had more than 20 minutes left, want 1", c)
	}
	// 41 minutes on, 19 remain: refreshed. MinIO dates the new credentials
	// by the real clock (an hour from the real now), 19 minutes past the
	// fake one, so the new URL may live those 19 minutes.
	clock = start.Add(41 * time.Minute)
	if k := signed(time.Hour, 19*time.Minute); k == first {
		t.Errorf("credentials with 19 minutes left were used, not refreshed")
	}
	if c := assumer.calls.Load(); c != 2 {
		t.Errorf("%d AssumeRole calls, want 2 (one refresh)", c)
	}
	// Credentials past their end sign nothing: a clear unavailable, not a
	// URL that is dead on arrival.
	clock = start.Add(2 * time.Hour)
	_, err := storage.PresignDownload(ctx, "uploads/p/f1", files.Download{Filename: "a.txt", ContentType: "text/plain", Expires: time.Minute})
	if files.KindOf(err) != files.KindUnavailable {
		t.Errorf("presign with credentials that end before now: %v, want unavailable", err)
	}
}
