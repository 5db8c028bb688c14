// Package apigw emulates the HTTP API of template.yaml for the local stack:
// routes, the Lambda authorizer and its cache, CORS, API Gateway's payload and
// header limits, and its error answers.
package apigw

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/filegate/filegate/infra/localstack/samtemplate"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/wiring"
)

// Gateway emulates API Gateway (HTTP API, payload 2.0, $default stage) for the
// routes of template.yaml: it turns each request into the event AWS sends,
// runs the Lambda authorizer like API Gateway does (on every route but those
// the template leaves without one), applies the API's CORS configuration and
// its limit on request line and headers, and calls the function's handler —
// the same value its main passes to lambda.Start.
type Gateway struct {
	mux        *http.ServeMux
	routeOf    map[string]string        // ServeMux pattern → template route
	public     map[string]bool          // routes without the authorizer
	timeout    map[string]time.Duration // each route's function's Timeout
	cors       *corsPolicy
	authorizer wiring.AuthorizerLambda
	log        *slog.Logger
	cacheTTL   time.Duration
	mu         sync.Mutex
	cache      map[string]cachedAuth // by Authorization header, like API Gateway
}

type cachedAuth struct {
	context map[string]any
	expires time.Time
}

// maxPayload is API Gateway's request body limit for HTTP APIs.
const maxPayload = 10 << 20

// NewGateway routes each template route to its function; t says which
// routes skip the authorizer and how CORS is configured. Authorizations are
// cached for cacheTTL (0: none), as ReauthorizeEvery does.
func NewGateway(t *samtemplate.Template, routes map[string]wiring.HTTPLambda, authorizer wiring.AuthorizerLambda, cacheTTL time.Duration, log *slog.Logger) *Gateway {
	g := &Gateway{mux: http.NewServeMux(), routeOf: map[string]string{}, public: t.PublicRoutes, cors: (*corsPolicy)(t.APICORS),
		timeout: map[string]time.Duration{}, authorizer: authorizer, log: log, cacheTTL: cacheTTL, cache: map[string]cachedAuth{}}
	for _, f := range t.Functions {
		for _, r := range f.Routes {
			g.timeout[r] = f.Timeout
		}
	}
	for route, fn := range routes {
		pattern := wiring.MuxPattern(route)
		g.mux.Handle(pattern, g.invoke(route, fn))
		g.routeOf[pattern] = route
	}
	if _, ok := routes[wiring.DefaultRoute]; !ok {
		g.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			gatewayError(w, http.StatusNotFound, "Not Found")
		})
	}
	return g
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if headBytes(r) > maxRequestHead {
		gatewayError(w, http.StatusRequestHeaderFieldsTooLarge, "Request Header Fields Too Large")
		return
	}
	_, pattern := g.mux.Handler(r)
	route, matched := g.routeOf[pattern]
	authorized := matched && !g.public[route]
	if g.cors.answerPreflight(w, r, authorized) {
		return
	}
	g.mux.ServeHTTP(g.cors.writer(w, r), r)
}

func (g *Gateway) invoke(route string, fn wiring.HTTPLambda) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
		if err != nil || len(body) > maxPayload {
			gatewayError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		}
		ev := requestEvent(r, route, body)
		// API Gateway names every answer's request (the id the function's
		// event carries), so a client can quote it.
		w.Header().Set("Apigw-Requestid", ev.RequestContext.RequestID)
		if !g.public[route] {
			if status, msg, ok := g.authorize(r.Context(), &ev); !ok {
				gatewayError(w, status, msg)
				return
			}
		}
		if !fitsLambda(ev) {
			gatewayError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		}
		// Like Lambda, the function runs under its Timeout as its context's
		// deadline (idempotency leases end with it).
		ctx, cancel := r.Context(), context.CancelFunc(func() {})
		if d := g.timeout[route]; d > 0 {
			ctx, cancel = context.WithTimeout(ctx, d)
		}
		defer cancel()
		resp, err := fn(ctx, ev)
		if err != nil {
			g.log.Error("function failed", "route", route, "err", err)
			gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		if !fitsLambda(resp) {
			// Lambda fails the invocation (Function.ResponseSizeTooLarge)
			// and API Gateway answers its own 500.
			g.log.Error("function response over Lambda's payload limit", "route", route)
			gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		writeResponse(w, resp)
	})
}

// fitsLambda reports whether Lambda carries v, a synchronous invocation's
// event or its function's response: its limit (6,291,456 bytes each way)
// counts the whole JSON (headers, request context, authorizer context, the
// body as one escaped JSON string, base64-encoded when binary), not just the
// body. Over it, the invocation fails and the client gets the gateway's own
// error (a 413 for an event, a 500 for a response), never the function's
// answer. Serialized as API Gateway and aws-lambda-go do, without HTML
// escaping.
func fitsLambda(v any) bool {
	var n countingWriter
	enc := json.NewEncoder(&n)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return false
	}
	return int64(n)-1 <= files.LambdaSyncPayloadBytes // Encode adds a newline
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// authorize mirrors API Gateway: no identity source → 401 without calling the
// authorizer; an "Unauthorized" error → 401; isAuthorized false → 403; any
// other error → 500.
func (g *Gateway) authorize(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) (int, string, bool) {
	header := ev.Headers["authorization"]
	if header == "" {
		return http.StatusUnauthorized, "Unauthorized", false
	}
	if c, ok := g.cached(header); ok {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: c}
		return 0, "", true
	}
	resp, err := g.authorizer(ctx, events.APIGatewayV2CustomAuthorizerV2Request{
		Version: "2.0", Type: "REQUEST", RouteArn: "arn:aws:execute-api:us-east-1:000000000000:local/$default/" + ev.RequestContext.HTTP.Method + ev.RawPath,
		IdentitySource: []string{header}, RouteKey: ev.RouteKey, RawPath: ev.RawPath, RawQueryString: ev.RawQueryString,
		Cookies: ev.Cookies, Headers: ev.Headers, QueryStringParameters: ev.QueryStringParameters,
		RequestContext: ev.RequestContext, PathParameters: ev.PathParameters,
	})
	switch {
	case err != nil && err.Error() == "Unauthorized":
		return http.StatusUnauthorized, "Unauthorized", false
	case err != nil:
		g.log.Error("authorizer failed", "err", err)
		return http.StatusInternalServerError, "Internal Server Error", false
	case !resp.IsAuthorized:
		return http.StatusForbidden, "Forbidden", false
	}
	ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: resp.Context}
	if g.cacheTTL > 0 {
		g.mu.Lock()
		g.cache[header] = cachedAuth{context: resp.Context, expires: time.Now().Add(g.cacheTTL)}
		g.mu.Unlock()
	}
	return 0, "", true
}

func (g *Gateway) cached(header string) (map[string]any, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.cache[header]
	if !ok || time.Now().After(c.expires) {
		delete(g.cache, header)
		return nil, false
	}
	return c.context, true
}

// requestEvent builds the payload-2.0 event API Gateway would send.
func requestEvent(r *http.Request, route string, body []byte) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	for k, v := range r.Header {
		if k == "Cookie" {
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	if r.Host != "" {
		headers["host"] = r.Host
	}
	var query map[string]string
	if q := r.URL.Query(); len(q) > 0 {
		query = map[string]string{}
		for k, v := range q {
			query[k] = strings.Join(v, ",")
		}
	}
	var cookies []string
	for _, c := range r.Cookies() {
		cookies = append(cookies, c.String())
	}
	now := time.Now()
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: route, RawPath: r.URL.EscapedPath(), RawQueryString: r.URL.RawQuery,
		Cookies: cookies, Headers: headers, QueryStringParameters: query, PathParameters: pathParameters(r, route),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: route, AccountID: "000000000000", Stage: "$default", RequestID: requestID(),
			APIID: "local", DomainName: r.Host, DomainPrefix: "local", Time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: sourceIP(r), UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if utf8.Valid(body) && !strings.HasPrefix(headers["content-type"], "multipart/") {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev
}

// pathParameters fills {name} segments of the route from the request.
func pathParameters(r *http.Request, route string) map[string]string {
	_, path, _ := strings.Cut(route, " ")
	var params map[string]string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			name := strings.TrimSuffix(strings.Trim(seg, "{}"), "+") // {proxy+} is greedy
			if params == nil {
				params = map[string]string{}
			}
			params[name] = r.PathValue(name)
		}
	}
	return params
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func requestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// writeResponse renders a payload-2.0 response as API Gateway does.
func writeResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
	}
	if resp.StatusCode == 0 {
		resp.StatusCode = http.StatusOK
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}

// gatewayError is API Gateway's own error body.
func gatewayError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
