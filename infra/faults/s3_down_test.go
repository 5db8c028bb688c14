package faults

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/auth"
)

// TestS3DownMeans503 stops MinIO: validation (HEAD, range GET) cannot run, so
// complete answers 503 with Retry-After and the file stays PENDING.
func TestS3DownMeans503(t *testing.T) {
	ctx := context.Background()
	st, err := localstack.Start(ctx, localstack.Options{Root: "../..", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("the local stack did not start: %v (run `make tools`; Java 17+ is required)", err)
	}
	defer st.Stop()
	key, err := st.MintKey(ctx, "00000000-0000-4000-8000-000000000001", "3f1c2a8e-8c1d-4f7a-9d55-2f0f7a9b1c02", auth.ScopeCreate, auth.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{T: t, Client: filegate.Client{Base: st.APIURL, Key: key}}
	var f filegate.File
	c.Do("POST", "/v1/files", map[string]any{"filename": "f.pdf", "mimeType": "application/pdf", "sizeBytes": len(pdf)}, &f)
	if err := st.MinIO.Stop(); err != nil {
		t.Fatal(err)
	}
	var e struct{ Error struct{ Type string } }
	status, h := c.Do("POST", "/v1/files/"+f.ID+"/complete", nil, &e)
	if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || e.Error.Type != "service_unavailable" {
		t.Fatalf("complete with S3 down: %d %+v Retry-After=%q", status, e, h.Get("Retry-After"))
	}
	if c.Do("GET", "/v1/files/"+f.ID, nil, &f); f.Status != "PENDING" {
		t.Fatalf("after a failed complete the file is %s", f.Status)
	}
}
