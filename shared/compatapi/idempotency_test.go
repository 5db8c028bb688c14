package compatapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
	"github.com/filegate/filegate/shared/routeguard"
)

// heldStore is an Idempotency-Key store whose every key is held by the same
// request, still running, whose lease ends left after now.
type heldStore struct{ left time.Duration }

func (s heldStore) Begin(_ context.Context, rec *idempotency.Record, now time.Time) (idempotency.Claim, error) {
	return idempotency.Claim{Holder: &idempotency.Record{Scope: rec.Scope, Key: rec.Key, BodyHash: rec.BodyHash, LeaseUntil: now.Add(s.left), FirstAt: now}}, nil
}
func (heldStore) Finish(context.Context, *idempotency.Record) error  { return nil }
func (heldStore) Release(context.Context, *idempotency.Record) error { return nil }

// serveRoute runs rt for one request as its Lambda does.
func serveRoute(t *testing.T, ctx context.Context, rt routeguard.Route, method, path, query string, headers map[string]string, body []byte) events.APIGatewayV2HTTPResponse {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(rt.Pattern, rt.Handler(slog.New(slog.NewTextHandler(io.Discard, nil))))
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: path, RawQueryString: query, Headers: headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: owner.LambdaContext()},
		}, Body: base64.StdEncoding.EncodeToString(body), IsBase64Encoded: true}
	resp, err := httpadapter.NewV2(mux).ProxyWithContext(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// A duplicate of an upload still in flight is a 409 that says when the
// key's lease ends (the official client retries 409s and waits what
// Retry-After says).
func TestInFlightDuplicateWaitsOutTheLease(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	once := &idempotency.Keys{Store: heldStore{14200 * time.Millisecond}, Now: func() time.Time { return now }}
	rt := Upload(uploads{&files.File{Status: files.StatusCompleted}}, once)
	body, ct := form(t, part{name: "file", filename: "a.txt", body: "hi"}, part{name: "purpose", body: "user_data"})
	resp := serveRoute(t, context.Background(), rt, "POST", "/api/v1/beta/files", "", map[string]string{"content-type": ct, "idempotency-key": "K"}, body)
	var detail errorBody
	if err := json.Unmarshal([]byte(resp.Body), &detail); err != nil || resp.StatusCode != 409 || detail.Detail == "" {
		t.Errorf("%d %s (%v), want 409 {\"detail\": ...}", resp.StatusCode, resp.Body, err)
	}
	if got := resp.Headers["Retry-After"]; got != "15" {
		t.Errorf("Retry-After %q, want 15 (the lease's 14.2 s, rounded up)", got)
	}
}
