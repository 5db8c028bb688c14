package routeguard

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
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
