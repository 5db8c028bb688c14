package s3storage

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
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/shared/files"
)

// stalledStorage is storage whose endpoint answers as answer does and whose
// credentials come from creds, with the bounded retries the functions use.
func stalledStorage(t *testing.T, answer http.HandlerFunc, creds aws.CredentialsProvider) *Storage {
	t.Helper()
	srv := httptest.NewServer(answer)
	t.Cleanup(srv.Close)
	t.Cleanup(srv.CloseClientConnections) // runs first: frees handlers that hang
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: creds,
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts, o.MaxBackoff = 3, 10*time.Millisecond })
		},
	}
	return New(cfg, "bucket", func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(srv.URL), true })
}

var static = credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")

// A storage call that stalls until the request's deadline, S3's SlowDown
// past the SDK's retries, and credentials that cannot be had in time (the
// signer's AssumeRole stalling) are all "unavailable" (503 with
// Retry-After), never internal errors (500).
func TestStalledOrThrottledStorageIsUnavailable(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client giving up
		<-r.Context().Done()
	}
	slowDown := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`))
	}
	stalledCreds := aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		<-ctx.Done()
		return aws.Credentials{}, ctx.Err()
	})
	calls := func(s *Storage) map[string]func(ctx context.Context) error {
		return map[string]func(ctx context.Context) error{
			"Peek":   func(ctx context.Context) error { _, _, err := s.Peek(ctx, "uploads/p/f", 4096); return err },
			"Put":    func(ctx context.Context) error { return s.Put(ctx, "uploads/p/f", []byte("x"), "text/plain", "") },
			"Delete": func(ctx context.Context) error { return s.Delete(ctx, "uploads/p/f") },
			"ListParts": func(ctx context.Context) error {
				_, err := s.ListParts(ctx, "uploads/p/f", "u")
				return err
			},
			"StartMultipart": func(ctx context.Context) error {
				_, err := s.StartMultipart(ctx, "uploads/p/f", "text/plain", false)
				return err
			},
		}
	}
	signing := func(s *Storage) map[string]func(ctx context.Context) error {
		return map[string]func(ctx context.Context) error{
			"PresignUpload": func(ctx context.Context) error {
				_, err := s.PresignUpload(ctx, "uploads/p/f", files.Upload{ContentType: "text/plain", ContentLength: 1, Expires: time.Minute})
				return err
			},
			"PresignDownload": func(ctx context.Context) error {
				_, err := s.PresignDownload(ctx, "uploads/p/f", files.Download{Filename: "a.txt", ContentType: "text/plain", Expires: time.Minute})
				return err
			},
		}
	}
	for name, set := range map[string]map[string]func(ctx context.Context) error{
		"stalled":             calls(stalledStorage(t, hang, static)),
		"slowed down":         calls(stalledStorage(t, slowDown, static)),
		"stalled credentials": signing(stalledStorage(t, hang, stalledCreds)),
	} {
		for call, do := range set {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			err := do(ctx)
			cancel()
			if files.KindOf(err) != files.KindUnavailable {
				t.Errorf("%s %s: %v (kind %d), want unavailable", name, call, err, files.KindOf(err))
			}
		}
	}
}
