package routeguard

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
)

// serve runs h for p through the same API Gateway adapter the Lambdas use,
// so the principal arrives exactly as in production; p nil means the
// request did not pass the authorizer.
func serve(t *testing.T, h http.Handler, p *auth.Principal) events.APIGatewayV2HTTPResponse {
	t.Helper()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/x", RequestContext: events.APIGatewayV2HTTPRequestContext{
		HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/x"},
	}}
	if p != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: p.LambdaContext()}
	}
	resp, err := httpadapter.NewV2(h).ProxyWithContext(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestRoute(t *testing.T) {
	reader := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeRead}}
	refused := errors.New("refused by check")
	for _, tc := range []struct {
		name  string
		p     *auth.Principal
		check func(*http.Request, auth.Principal) error
		kind  files.Kind // 0 (KindInternal) with ran=true means the handler ran
		ran   bool
	}{
		{"no principal", nil, nil, files.KindUnauthenticated, false},
		{"scope held", &reader, nil, 0, true},
		{"dialect check refuses", &reader, func(*http.Request, auth.Principal) error { return refused }, files.KindInternal, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got error
			ran := false
			g := &Guard{WriteError: func(w http.ResponseWriter, r *http.Request, err error) {
				got = err
				w.WriteHeader(http.StatusBadRequest)
			}, Check: tc.check}
			resp := serve(t, g.Route(auth.ScopeRead, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
				ran = true
				w.WriteHeader(http.StatusNoContent)
				return nil
			}), tc.p)
			if ran != tc.ran || (!tc.ran && (got == nil || files.KindOf(got) != tc.kind)) || resp.Headers["X-Content-Type-Options"] != "nosniff" {
				t.Fatalf("ran=%v err=%v headers=%v", ran, got, resp.Headers)
			}
		})
	}
	var got error
	g := &Guard{WriteError: func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusBadRequest)
	}}
	serve(t, g.Route(auth.ScopeCreate, func(http.ResponseWriter, *http.Request, auth.Principal) error { return nil }), &reader)
	if files.KindOf(got) != files.KindForbidden {
		t.Fatalf("missing scope: %v, want forbidden", got)
	}
}

// Errors carry the advice Stainless-generated clients act on.
func TestRouteAdvisesRetries(t *testing.T) {
	writer := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeCreate}}
	g := &Guard{WriteError: func(w http.ResponseWriter, r *http.Request, err error) { w.WriteHeader(http.StatusConflict) }}
	for _, tc := range []struct {
		err                     error
		shouldRetry, retryAfter string
	}{
		{files.Errorf(files.KindConflict, "invalid_state", "settled"), "false", ""},
		{files.ErrObjectMissing, "", "1"},
		{files.Unavailable("storage", errors.New("throttled")), "", "1"},
		{files.Internal(errors.New("bug")), "", ""},
	} {
		resp := serve(t, g.Route(auth.ScopeCreate, func(http.ResponseWriter, *http.Request, auth.Principal) error { return tc.err }), &writer)
		if resp.Headers["X-Should-Retry"] != tc.shouldRetry || resp.Headers["Retry-After"] != tc.retryAfter {
			t.Errorf("%v: x-should-retry %q retry-after %q, want %q %q", tc.err, resp.Headers["X-Should-Retry"], resp.Headers["Retry-After"], tc.shouldRetry, tc.retryAfter)
		}
	}
}

// refusingStore fails the test if a route uses Idempotency-Key at all.
type refusingStore struct{ t *testing.T }

func (s refusingStore) Begin(context.Context, *idempotency.Record, time.Time) (*idempotency.Record, error) {
	s.t.Error("a read-only route consulted the idempotency store")
	return nil, nil
}
func (s refusingStore) Finish(context.Context, *idempotency.Record) error  { return nil }
func (s refusingStore) Release(context.Context, *idempotency.Record) error { return nil }

// A read-only POST (the compat query) is never cached: its retry must see
// fresh results.
func TestReadRoutesIgnoreIdempotencyKeys(t *testing.T) {
	reader := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeRead}}
	g := &Guard{WriteError: func(http.ResponseWriter, *http.Request, error) {}, Idempotency: &idempotency.Keys{Store: refusingStore{t}, Now: time.Now}}
	runs := 0
	h := g.Route(auth.ScopeRead, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		runs++
		w.WriteHeader(http.StatusOK)
		return nil
	})
	for range 2 {
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/query", Headers: map[string]string{"idempotency-key": "K"}, RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/query"},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: reader.LambdaContext()},
		}}
		if _, err := httpadapter.NewV2(h).ProxyWithContext(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 2 {
		t.Errorf("%d runs, want 2", runs)
	}
}

// A key's scope is the operation on its resource: cancel of one file is
// another operation than cancel of another, in another project too.
func TestScopeIsTheOperationOnItsResource(t *testing.T) {
	p, q := auth.Principal{ProjectID: "p"}, auth.Principal{ProjectID: "q"}
	a := httptest.NewRequest("POST", "/v1/files/fil_A/cancel", nil)
	b := httptest.NewRequest("POST", "/v1/files/fil_B/cancel", nil)
	c := httptest.NewRequest("POST", "/v1/files/fil_A/complete", nil)
	if Scope(p, a) == Scope(p, b) || Scope(p, a) == Scope(p, c) || Scope(p, a) == Scope(q, a) || Scope(p, a) != Scope(p, httptest.NewRequest("POST", "/v1/files/fil_A/cancel", nil)) {
		t.Errorf("scopes %q %q %q %q", Scope(p, a), Scope(p, b), Scope(p, c), Scope(q, a))
	}
}

func TestUnmatched(t *testing.T) {
	reader := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeRead}}
	routes := []string{"GET /v1/files", "POST /v1/files", "GET /v1/files/{id}", "DELETE /v1/files/{id}"}
	for _, tc := range []struct {
		method, path string
		p            *auth.Principal
		status       int
		kind         files.Kind
		allow        string
	}{
		{"PUT", "/v1/files", &reader, http.StatusTeapot, files.KindMethodNotAllowed, "GET, POST"},
		{"PATCH", "/v1/files/fil_X", &reader, http.StatusTeapot, files.KindMethodNotAllowed, "DELETE, GET"},
		{"GET", "/v1/folders", &reader, http.StatusTeapot, files.KindNotFound, ""},
		{"GET", "/v1/folders", nil, http.StatusTeapot, files.KindUnauthenticated, ""},
		{"OPTIONS", "/v1/files/fil_X", nil, http.StatusNoContent, 0, "DELETE, GET"},
		{"OPTIONS", "/v1/folders", nil, http.StatusTeapot, files.KindNotFound, ""},
	} {
		var got error
		g := &Guard{WriteError: func(w http.ResponseWriter, r *http.Request, err error) {
			got = err
			w.WriteHeader(http.StatusTeapot)
		}}
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: tc.path, RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: tc.method, Path: tc.path},
		}}
		if tc.p != nil {
			ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: tc.p.LambdaContext()}
		}
		resp, err := httpadapter.NewV2(g.Unmatched(routes)).ProxyWithContext(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tc.status || resp.Headers["Allow"] != tc.allow || (tc.kind != 0 && files.KindOf(got) != tc.kind) {
			t.Errorf("%s %s: %d Allow %q err %v", tc.method, tc.path, resp.StatusCode, resp.Headers["Allow"], got)
		}
	}
}

// Both spellings of a file id name one resource, so one Idempotency-Key
// covers the operation whichever spelling a retry uses.
func TestScopeIsTheSameForBothIDSpellings(t *testing.T) {
	p := auth.Principal{ProjectID: "p"}
	id := files.NewID(time.Now())
	var scopes []string
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/files/{id}/cancel", func(w http.ResponseWriter, r *http.Request) { scopes = append(scopes, Scope(p, r)) })
	for _, spelling := range []string{id, files.UUIDString(id), strings.ToUpper(files.UUIDString(id))} {
		mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/v1/files/"+spelling+"/cancel", nil))
	}
	if len(scopes) != 3 {
		t.Fatalf("%d requests routed, want 3", len(scopes))
	}
	for _, s := range scopes[1:] {
		if s != scopes[0] {
			t.Errorf("scope %q, want %q (the fil_ spelling's)", s, scopes[0])
		}
	}
}
