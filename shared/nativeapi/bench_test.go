package nativeapi

// Hot-path benchmarks (run by `make bench`, never by `go test` without
// -bench): request decoding, and the whole create-file Lambda handler as
// lambda.Start runs it — API Gateway v2 event → adapter → access log → guard
// → service → real presigning — with storage at its seam (benchStore below
// keeps nothing, so only Filegate's own CPU and allocations are measured).

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/filegate/filegate/shared/accesslog"
	"github.com/filegate/filegate/shared/emf"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/files/upload"
	"github.com/filegate/filegate/shared/s3storage"
)

// benchCreateBody is the create-file sample's body.
const benchCreateBody = `{"filename":"Q3 board deck.pdf","mimeType":"application/pdf","sizeBytes":482133,"purpose":"knowledge_user"}`

func BenchmarkDecodeCreate(b *testing.B) {
	body := []byte(benchCreateBody)
	r, err := http.NewRequest(http.MethodPost, "/v1/files", nil)
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	b.ReportAllocs()
	for b.Loop() {
		r.Body = io.NopCloser(bytes.NewReader(body))
		var req createRequest
		if err := decodeBody(r, &req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPageParams(b *testing.B) {
	r, err := http.NewRequest(http.MethodGet, "/v1/files?limit=25&offset=50", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := pageParams(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateService is the domain's share of create: checks, record,
// presign (storage at the seam).
func BenchmarkCreateService(b *testing.B) {
	svc := benchService()
	ctx := context.Background()
	in := files.CreateInput{OrganizationID: "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05", ProjectID: "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42",
		Declared: files.Declared{Filename: "Q3 board deck.pdf", MimeType: "application/pdf", SizeBytes: 482133, Purpose: "knowledge_user"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Create(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateHandler is the create-file function's handler, the value its
// main passes to lambda.Start, fed the events/create-file.json sample.
func BenchmarkCreateHandler(b *testing.B) {
	raw, err := os.ReadFile("../../events/create-file.json")
	if err != nil {
		b.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	route := Create(benchService(), nil, nil)
	mux := http.NewServeMux()
	mux.Handle(route.Pattern, accesslog.Wrap(log, route.Pattern, route.Handler(log)))
	handler := httpadapter.NewV2(mux).ProxyWithContext
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := handler(ctx, ev)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d, err %v: %s", resp.StatusCode, err, resp.Body)
		}
	}
}

// benchService is create's use case as s3wiring builds it, its record
// store faked.
func benchService() *upload.Sessions {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")}
	o := files.Options{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Metrics: emf.New(io.Discard, "")}
	return upload.NewSessions(benchStore{}, s3storage.New(cfg, "filegate-123456789012-us-east-1-uploads"), o)
}

// benchStore accepts every record and keeps none.
type benchStore struct{}

func (benchStore) Create(context.Context, *files.File) error { return nil }
func (benchStore) Get(context.Context, string, files.FileID) (*files.File, error) {
	return nil, files.ErrNotFound
}
