package s3storage_test

// Hot-path benchmarks for presigning (docs/ARCHITECTURE.md "Budgets": ≤ 0.25 ms and ≤ 400 allocs
// per URL). Run by `make bench`; they make no network calls. Two references
// run beside them: the SDK presigning a bare PutObject (no headers pinned,
// the SDK's floor) and SigV4 computed by hand (the crypto floor).

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/s3storage"
)

const (
	benchBucket  = "filegate-123456789012-us-east-1-uploads"
	benchKey     = "uploads/7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42/fil_06H0EN1ZAP202AP5WPNPHXF894"
	benchKeyID   = "AKIAIOSFODNN7EXAMPLE"
	benchSecret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	benchRegion  = "us-east-1"
	benchExpires = 15 * time.Minute
)

// benchConfig is a function's AWS configuration, without the network.
var benchConfig = aws.Config{Region: benchRegion, Credentials: credentials.NewStaticCredentialsProvider(benchKeyID, benchSecret, "")}

// benchClient is the client s3storage builds, for the SDK's own floor.
func benchClient() *s3.Client { return s3.NewFromConfig(benchConfig, s3storage.ClientOptions) }

func BenchmarkPresignUpload(b *testing.B) {
	st := s3storage.New(benchConfig, benchBucket)
	ctx := context.Background()
	u := files.Upload{ContentType: "application/pdf", ContentLength: 482133, Expires: benchExpires}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.PresignUpload(ctx, benchKey, u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPresignDownload(b *testing.B) {
	st := s3storage.New(benchConfig, benchBucket)
	ctx := context.Background()
	d := files.Download{Filename: "Q3 board deck.pdf", ContentType: "application/pdf", Expires: 5 * time.Minute}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.PresignDownload(ctx, benchKey, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPresignSDKBare is the SDK's own floor: a PutObject presign with
// nothing pinned, on the same client.
func BenchmarkPresignSDKBare(b *testing.B) {
	p := s3.NewPresignClient(benchClient())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String(benchKey)}, s3.WithPresignExpires(benchExpires)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPresignCryptoFloor is SigV4 query signing done by hand for the
// same request: canonical request, its SHA-256, the four-HMAC key derivation
// and the signature. Nothing can presign for less.
func BenchmarkPresignCryptoFloor(b *testing.B) {
	now := time.Date(2026, 1, 15, 10, 21, 33, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		_ = sigV4Presign(now, "PUT", benchBucket+".s3.us-east-1.amazonaws.com", "/"+benchKey,
			[][2]string{{"content-length", "482133"}, {"content-type", "application/pdf"}, {"if-none-match", "*"}})
	}
}

func sigV4Presign(now time.Time, method, host, path string, headers [][2]string) string {
	date := now.Format("20060102")
	stamp := now.Format("20060102T150405Z")
	scope := date + "/" + benchRegion + "/s3/aws4_request"
	signed := []string{"host"}
	canonHeaders := "host:" + host + "\n"
	for _, h := range headers {
		signed = append(signed, h[0])
		canonHeaders += h[0] + ":" + h[1] + "\n"
	}
	q := url.Values{}
	q.Set("X-Amz-Algorithm", "AWS4-HMAC-SHA256")
	q.Set("X-Amz-Credential", benchKeyID+"/"+scope)
	q.Set("X-Amz-Date", stamp)
	q.Set("X-Amz-Expires", strconv.Itoa(int(benchExpires.Seconds())))
	q.Set("X-Amz-SignedHeaders", strings.Join(signed, ";"))
	query := q.Encode()
	canon := method + "\n" + path + "\n" + query + "\n" + canonHeaders + "\n" + strings.Join(signed, ";") + "\nUNSIGNED-PAYLOAD"
	sum := sha256.Sum256([]byte(canon))
	toSign := "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := []byte("AWS4" + benchSecret)
	for _, part := range []string{date, benchRegion, "s3", "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	return "https://" + host + path + "?" + query + "&X-Amz-Signature=" + hex.EncodeToString(hmacSHA256(key, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
