package apigw

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/infra/localstack/samtemplate"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/wiring"
)

// gatewayOf is the gateway over t's routes, each answering with its route
// key (and a CORS header API Gateway must drop), behind an authorizer that
// accepts the key "good".
func gatewayOf(t *samtemplate.Template) *Gateway {
	routes := map[string]wiring.HTTPLambda{}
	for _, f := range t.Functions {
		for _, route := range f.Routes {
			routes[route] = func(_ context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: ev.RouteKey, Headers: map[string]string{"Access-Control-Allow-Origin": "*"}}, nil
			}
		}
	}
	authorizer := func(_ context.Context, ev events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: ev.Headers["authorization"] == "good"}, nil
	}
	return NewGateway(t, routes, authorizer, 0, slog.New(slog.DiscardHandler))
}

func send(g *Gateway, r *http.Request) (*http.Response, string) {
	rr := httptest.NewRecorder()
	g.ServeHTTP(rr, r)
	body, _ := io.ReadAll(rr.Result().Body)
	return rr.Result(), string(body)
}

func preflight(path string) *http.Request {
	r := httptest.NewRequest("OPTIONS", path, nil)
	r.Header.Set("Origin", "https://example.com")
	r.Header.Set("Access-Control-Request-Method", "POST")
	r.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	return r
}

func TestGatewayAppliesTheTemplatesCORS(t *testing.T) {
	tpl := samtemplate.Repo(t)
	g := gatewayOf(tpl)
	cors := tpl.APICORS
	if cors == nil || cors.AllowOrigins[0] != "https://example.com" {
		t.Fatalf("template CORS %+v: want AllowOrigins resolved from the AllowedOrigins default", cors)
	}
	if slices.Contains(cors.AllowOrigins, "*") || slices.ContainsFunc(cors.AllowHeaders, func(h string) bool { return strings.Contains(h, "*") }) {
		t.Errorf("template CORS grants a wildcard: origins %q headers %q", cors.AllowOrigins, cors.AllowHeaders)
	}
	resp, _ := send(g, preflight("/v1/files"))
	if h := resp.Header; resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "https://example.com" ||
		h.Get("Access-Control-Allow-Headers") != strings.Join(cors.AllowHeaders, ",") || h.Get("Access-Control-Allow-Methods") != strings.Join(cors.AllowMethods, ",") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	r := httptest.NewRequest("GET", "/v1/files", nil)
	r.Header.Set("Origin", "https://example.com")
	r.Header.Set("Authorization", "good")
	resp, body := send(g, r)
	if resp.StatusCode != 200 || body != "GET /v1/files" || resp.Header.Get("Access-Control-Allow-Origin") != "https://example.com" ||
		resp.Header.Get("Access-Control-Expose-Headers") != strings.Join(cors.ExposeHeaders, ",") {
		t.Errorf("CORS request: %d %q %v (the integration's \"*\" must be replaced)", resp.StatusCode, body, resp.Header)
	}
	r.Header.Set("Origin", "https://evil.example")
	if resp, _ = send(g, r); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign origin granted: %v", resp.Header)
	}
	// A non-preflight OPTIONS reaches the unauthenticated route's function.
	if resp, body = send(g, httptest.NewRequest("OPTIONS", "/v1/files", nil)); resp.StatusCode != 200 || body != wiring.PreflightRoute {
		t.Errorf("OPTIONS without Origin: %d %q", resp.StatusCode, body)
	}
}

// Without the unauthenticated OPTIONS route, the authorized $default route
// catches preflights, and browsers send no key: the emulation must show it.
func TestPreflightsNeedTheUnauthenticatedRoute(t *testing.T) {
	tpl := samtemplate.Repo(t)
	for _, f := range tpl.Functions {
		if len(f.Routes) == 2 && f.Routes[1] == wiring.PreflightRoute {
			f.Routes = f.Routes[:1]
		}
	}
	if resp, body := send(gatewayOf(tpl), preflight("/v1/files")); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("preflight with only an authorized $default: %d %q, want the authorizer's 401", resp.StatusCode, body)
	}
}

func TestGatewayLimitsRequestLineAndHeaders(t *testing.T) {
	g := gatewayOf(samtemplate.Repo(t))
	request := func(total int) *http.Request {
		r := httptest.NewRequest("GET", "/v1/files", nil)
		r.Header.Set("Authorization", "good")
		r.Header.Set("X-Pad", "")
		r.Header.Set("X-Pad", strings.Repeat("p", total-headBytes(r)))
		return r
	}
	if resp, body := send(g, request(maxRequestHead)); resp.StatusCode != 200 {
		t.Errorf("exactly %d bytes: %d %s", maxRequestHead, resp.StatusCode, body)
	}
	resp, body := send(g, request(maxRequestHead+1))
	var msg struct{ Message string }
	if err := json.Unmarshal([]byte(body), &msg); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || err != nil || msg.Message == "" {
		t.Errorf("one byte more: %d %q, want 431 in JSON", resp.StatusCode, body)
	}
}

// Like Lambda, the gateway runs each function under its template Timeout
// (Globals.Function.Timeout unless the function sets its own) as the
// context's deadline: idempotency leases are derived from it.
func TestGatewayGivesFunctionsTheirTimeoutAsDeadline(t *testing.T) {
	tpl := samtemplate.Repo(t)
	if tpl.Functions["CreateFileFunction"].Timeout != 10*time.Second || tpl.Functions["ReconcileFunction"].Timeout != 120*time.Second {
		t.Fatalf("template timeouts: create %s, reconcile %s; want the template's 10 s and 120 s",
			tpl.Functions["CreateFileFunction"].Timeout, tpl.Functions["ReconcileFunction"].Timeout)
	}
	var left time.Duration
	fn := func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		if d, ok := ctx.Deadline(); ok {
			left = time.Until(d)
		}
		return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
	}
	authorizer := func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true}, nil
	}
	g := NewGateway(tpl, map[string]wiring.HTTPLambda{"POST /v1/files": fn}, authorizer, 0, slog.New(slog.DiscardHandler))
	r := httptest.NewRequest("POST", "/v1/files", strings.NewReader("{}"))
	r.Header.Set("Authorization", "Bearer k")
	if res, _ := send(g, r); res.StatusCode != 200 || left <= 9*time.Second || left > 10*time.Second {
		t.Fatalf("status %d; the function had %s left, want the template's 10 s", res.StatusCode, left)
	}
}
