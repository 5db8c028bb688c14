package s3proxy

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/infra/localstack/minio"
)

// TestMinIOHeadersAreRefusedByTheProxy runs the attacks of MinIO's own
// headers against the real MinIO, straight and through the checking proxy.
// Sent straight to MinIO, a presigned PUT (signed for Content-Type only, as
// an attacker holding an upload URL has it) stores whatever these headers
// say: an ETag that is not the bytes' MD5 (complete's md5 check trusts the
// ETag), user metadata S3 would never store unsigned, a Last-Modified of the
// sender's choosing. Through the proxy each is 403 and nothing is stored.
func TestMinIOHeadersAreRefusedByTheProxy(t *testing.T) {
	ctx := t.Context()
	m := minio.MustStart(t, nil)
	direct := m.Client()
	if _, err := direct.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("uploads")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	target, _ := url.Parse(m.Endpoint)
	proxy := httptest.NewServer(NewS3Proxy(target, nil, slog.New(slog.DiscardHandler)))
	t.Cleanup(proxy.Close)
	viaProxy := m.Client(func(o *s3.Options) { o.BaseEndpoint = aws.String(proxy.URL) })

	body := []byte("the bytes actually sent")
	forgedMD5 := md5.Sum([]byte("the bytes the client claims"))
	forgedTime := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	cases := []struct {
		name    string
		headers map[string]string
		// honoured reports whether MinIO acted on the headers, from how it
		// serves the object it stored.
		honoured func(http.Header) bool
	}{
		{"X-Minio-Source-Etag", map[string]string{"X-Minio-Source-Etag": hex.EncodeToString(forgedMD5[:])},
			func(h http.Header) bool { return h.Get("ETag") == `"`+hex.EncodeToString(forgedMD5[:])+`"` }},
		{"X-Minio-Meta-Owner", map[string]string{"X-Minio-Meta-Owner": "mallory"},
			func(h http.Header) bool { return h.Get("X-Minio-Meta-Owner") == "mallory" }},
		{"X-Minio-Source-Mtime", map[string]string{"X-Minio-Source-Mtime": forgedTime.Format(time.RFC3339Nano), "X-Minio-Source-Replication-Request": "true"},
			func(h http.Header) bool { return h.Get("Last-Modified") == forgedTime.Format(http.TimeFormat) }},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, route := range []string{"straight to MinIO", "through the proxy"} {
				key := "uploads/" + strings.ReplaceAll(route, " ", "-") + "-" + string(rune('a'+i))
				ps, err := s3.NewPresignClient(viaProxy).PresignPutObject(ctx, &s3.PutObjectInput{
					Bucket: aws.String("uploads"), Key: &key, ContentType: aws.String("text/plain"),
				}, s3.WithPresignExpires(5*time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				req, err := http.NewRequestWithContext(ctx, ps.Method, ps.URL, bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "text/plain")
				for k, v := range tc.headers {
					req.Header.Set(k, v)
				}
				if route == "straight to MinIO" {
					// The URL signs the proxy's host; MinIO checks it against Host.
					req.Host, req.URL.Host = req.URL.Host, target.Host
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if route == "straight to MinIO" {
					// The premise: without the proxy, MinIO acts on the header.
					served := headObject(t, direct, key)
					if resp.StatusCode != http.StatusOK || served == nil || !tc.honoured(served) {
						t.Errorf("%s: %d %s, served with %v; this MinIO no longer honours %s, so the test shows nothing", route, resp.StatusCode, minio.XMLField(msg, "Code"), served, tc.name)
					}
					continue
				}
				if resp.StatusCode != http.StatusForbidden || minio.XMLField(msg, "Code") != "AccessDenied" {
					t.Errorf("%s: %d %s, want 403 AccessDenied", route, resp.StatusCode, msg)
				}
				if served := headObject(t, direct, key); served != nil {
					t.Errorf("%s: the refused PUT stored an object, served with %v", route, served)
				}
			}
		})
	}
}

// headObject is the response headers of a HEAD of key (straight to MinIO),
// nil if there is no such object.
func headObject(t *testing.T, c *s3.Client, key string) http.Header {
	t.Helper()
	ps, err := s3.NewPresignClient(c).PresignHeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("uploads"), Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), ps.Method, ps.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return resp.Header
	case http.StatusNotFound:
		return nil
	}
	t.Fatalf("HEAD %s: %d", key, resp.StatusCode)
	return nil
}
