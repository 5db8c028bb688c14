package routeguard

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/uploadtoken"
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

// capture is a dialect whose envelope records the error it renders.
func capture(got *error, status int) *Dialect {
	return &Dialect{Envelope: func(err error, _ *files.Error, _ int) (int, any) {
		*got = err
		return status, nil
	}}
}

var discard = slog.New(slog.DiscardHandler)

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
			d := capture(&got, http.StatusBadRequest)
			d.Check = tc.check
			rt := Route{Pattern: "GET /x", Scope: auth.ScopeRead, Dialect: d, Handle: func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
				ran = true
				w.WriteHeader(http.StatusNoContent)
				return nil
			}}
			resp := serve(t, rt.Handler(discard), tc.p)
			if ran != tc.ran {
				t.Errorf("handler ran: %v, want %v", ran, tc.ran)
			}
			if !tc.ran && (got == nil || files.KindOf(got) != tc.kind) {
				t.Errorf("error %v, want kind %d", got, tc.kind)
			}
			if resp.Headers["X-Content-Type-Options"] != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", resp.Headers["X-Content-Type-Options"])
			}
		})
	}
	var got error
	rt := Route{Pattern: "POST /x", Scope: auth.ScopeCreate, Dialect: capture(&got, http.StatusBadRequest),
		Handle: func(http.ResponseWriter, *http.Request, auth.Principal) error { return nil }}
	serve(t, rt.Handler(discard), &reader)
	if files.KindOf(got) != files.KindForbidden {
		t.Fatalf("missing scope: %v, want forbidden", got)
	}
}

// Errors carry the advice Stainless-generated clients act on.
func TestRouteAdvisesRetries(t *testing.T) {
	writer := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeCreate}}
	var got error
	d := capture(&got, http.StatusConflict)
	for _, tc := range []struct {
		err                     error
		shouldRetry, retryAfter string
	}{
		{files.Errorf(files.KindConflict, "invalid_state", "settled"), "false", ""},
		{files.ErrObjectMissing, "", "1"},
		{files.Unavailable("storage", errors.New("throttled")), "", "1"},
		{&files.Error{Kind: files.KindInFlight, Code: "idempotency_conflict", Transient: true, RetryAfter: 14200 * time.Millisecond}, "", "15"},
		{&files.Error{Kind: files.KindInFlight, Code: "idempotency_conflict", Transient: true, RetryAfter: 10 * time.Millisecond}, "", "1"},
		{files.Internal(errors.New("bug")), "", ""},
	} {
		rt := Route{Pattern: "POST /x", Scope: auth.ScopeCreate, Dialect: d, Handle: func(http.ResponseWriter, *http.Request, auth.Principal) error { return tc.err }}
		resp := serve(t, rt.Handler(discard), &writer)
		if resp.Headers["X-Should-Retry"] != tc.shouldRetry {
			t.Errorf("%v: x-should-retry %q, want %q", tc.err, resp.Headers["X-Should-Retry"], tc.shouldRetry)
		}
		if resp.Headers["Retry-After"] != tc.retryAfter {
			t.Errorf("%v: retry-after %q, want %q", tc.err, resp.Headers["Retry-After"], tc.retryAfter)
		}
	}
}

// The envelope gets a client-safe *files.Error for any error, and a 5xx is
// logged with its cause.
func TestEnvelopeGetsAClientSafeError(t *testing.T) {
	writer := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeCreate}}
	var e *files.Error
	d := &Dialect{Envelope: func(_ error, err *files.Error, _ int) (int, any) {
		e = err
		return http.StatusInternalServerError, map[string]string{"m": err.Message}
	}}
	var logged strings.Builder
	rt := Route{Pattern: "POST /x", Scope: auth.ScopeCreate, Dialect: d, Handle: func(http.ResponseWriter, *http.Request, auth.Principal) error {
		return errors.New("secret cause")
	}}
	resp := serve(t, rt.Handler(slog.New(slog.NewTextHandler(&logged, nil))), &writer)
	if e == nil || e.Kind != files.KindInternal || e.Message != "internal error" {
		t.Errorf("envelope got %+v, want an internal error with a generic message", e)
	}
	if strings.Contains(resp.Body, "secret cause") {
		t.Errorf("body %q carries the cause", resp.Body)
	}
	if !strings.Contains(logged.String(), "secret cause") {
		t.Errorf("log %q lacks the cause", logged.String())
	}
}

// recordingOnce is an Idempotency-Key store in front of a route: it records
// the scope it was asked for, and how a repeat replays, and runs the request.
type recordingOnce struct{ scopes, modes []string }

func (o *recordingOnce) Run(w http.ResponseWriter, r *http.Request, scope string, next http.Handler) error {
	return o.record("stored", w, r, scope, next)
}

func (o *recordingOnce) Rerun(w http.ResponseWriter, r *http.Request, scope string, next http.Handler) error {
	return o.record("rerun", w, r, scope, next)
}

func (o *recordingOnce) record(mode string, w http.ResponseWriter, r *http.Request, scope string, next http.Handler) error {
	o.scopes, o.modes = append(o.scopes, scope), append(o.modes, mode)
	next.ServeHTTP(w, r)
	return nil
}

// A route that writes runs through its Once, under the operation's scope; a
// route without one (a read-only POST such as the compat query) runs every
// request afresh, Idempotency-Key or not, so a retry sees fresh results.
func TestOnceGuardsOnlyTheRoutesThatHaveIt(t *testing.T) {
	p := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeRead, auth.ScopeCreate}}
	for _, tc := range []struct {
		name  string
		once  *recordingOnce
		rerun bool
		modes []string
	}{
		{"write", &recordingOnce{}, false, []string{"stored", "stored"}},
		{"create (a repeat runs again)", &recordingOnce{}, true, []string{"rerun", "rerun"}},
		{"read-only POST", nil, false, nil},
	} {
		runs := 0
		rt := Route{Pattern: "POST /query", Scope: auth.ScopeRead, Dialect: capture(new(error), 500), Handle: func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
			runs++
			w.WriteHeader(http.StatusOK)
			return nil
		}}
		if tc.once != nil {
			rt.Once, rt.Rerun = tc.once, tc.rerun
		}
		for range 2 {
			ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/query", Headers: map[string]string{"idempotency-key": "K"}, RequestContext: events.APIGatewayV2HTTPRequestContext{
				HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/query"},
				Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: p.LambdaContext()},
			}}
			if _, err := httpadapter.NewV2(rt.Handler(discard)).ProxyWithContext(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
		}
		if runs != 2 {
			t.Errorf("%s: %d runs, want 2", tc.name, runs)
		}
		if tc.once != nil && (!slices.Equal(tc.once.modes, tc.modes) || tc.once.scopes[0] != "p#POST /query") {
			t.Errorf("%s: Once asked %q for scopes %q, want %q for p#POST /query", tc.name, tc.once.modes, tc.once.scopes, tc.modes)
		}
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
		d := capture(&got, http.StatusTeapot)
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: tc.path, RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: tc.method, Path: tc.path},
		}}
		if tc.p != nil {
			ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: tc.p.LambdaContext()}
		}
		resp, err := httpadapter.NewV2(d.Unmatched(routes, nil, discard)).ProxyWithContext(context.Background(), ev)
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
	p := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeCreate}}
	id := files.NewID(time.Now())
	var scopes []string
	rt := Route{Pattern: "POST /v1/files/{id}/cancel", Scope: auth.ScopeCreate, Dialect: capture(new(error), http.StatusBadRequest),
		Handle: func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
			scopes = append(scopes, Scope(p, r))
			w.WriteHeader(http.StatusNoContent)
			return nil
		}}
	mux := http.NewServeMux()
	mux.Handle(rt.Pattern, rt.Handler(discard))
	for _, spelling := range []string{id.String(), id.UUID(), strings.ToUpper(id.UUID())} {
		path := "/v1/files/" + spelling + "/cancel"
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: path, RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: path},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: p.LambdaContext()},
		}}
		if _, err := httpadapter.NewV2(mux).ProxyWithContext(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
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

// ledger is an uploadtoken.Ledger fake: the files each token created.
type ledger map[string][]string

func (l ledger) Owns(_ context.Context, token string, file files.FileID) (bool, error) {
	return slices.Contains(l[token], file.String()), nil
}

func (l ledger) Charge(context.Context, *auth.Token, files.FileID, int64) error { return nil }

// Upload tokens: the route re-checks expiry itself (API Gateway may serve a
// cached authorization past it), refuses routes without Tokens, and reaches
// only the files the token created, as if no other existed.
func TestRouteUploadTokens(t *testing.T) {
	const mine, theirs = "fil_06H0EN1ZAP202AP5WPNPHXF894", "fil_06H0EN1ZAP202AP5WPNPHXF898"
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) // the route's clock, not the machine's
	live := &auth.Token{ID: "utk_a", ExpiresAt: now.Add(time.Minute)}
	expired := &auth.Token{ID: "utk_a", ExpiresAt: now}
	tokens := ledger{"utk_a": {mine}}
	for _, tc := range []struct {
		name   string
		token  *auth.Token
		tokens uploadtoken.Ledger
		id     string
		kind   files.Kind
		code   string
	}{
		{"own file", live, tokens, mine, 0, ""},
		{"expired, authorization cached", expired, tokens, mine, files.KindUnauthenticated, "token_expired"},
		{"route without tokens", live, nil, mine, files.KindForbidden, "token_not_allowed"},
		{"another file", live, tokens, theirs, files.KindNotFound, "not_found"},
		{"not an id", live, tokens, "x", files.KindNotFound, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got error
			ran := false
			rt := Route{Pattern: "GET /v1/files/{id}", Scope: auth.ScopeRead, Dialect: capture(&got, http.StatusBadRequest), Tokens: tc.tokens,
				Now: func() time.Time { return now },
				Handle: func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
					ran = true
					w.WriteHeader(http.StatusNoContent)
					return nil
				}}
			mux := http.NewServeMux()
			mux.Handle(rt.Pattern, rt.Handler(discard))
			p := auth.Principal{ProjectID: "p", Token: tc.token}
			ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/v1/files/" + tc.id, RequestContext: events.APIGatewayV2HTTPRequestContext{
				HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/v1/files/" + tc.id},
				Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: p.LambdaContext()},
			}}
			if _, err := httpadapter.NewV2(mux).ProxyWithContext(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			var e *files.Error
			switch {
			case tc.code == "" && (!ran || got != nil):
				t.Errorf("refused: %v", got)
			case tc.code != "" && (ran || !errors.As(got, &e) || e.Kind != tc.kind || e.Code != tc.code):
				t.Errorf("ran %v, error %v; want %s", ran, got, tc.code)
			}
		})
	}
}

// A token's Idempotency-Keys never name what its project's API key did.
func TestScopeSeparatesTokens(t *testing.T) {
	r := httptest.NewRequest("POST", "/v1/files", nil)
	key := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeCreate}}
	token := auth.Principal{ProjectID: "p", Token: &auth.Token{ID: "utk_a"}}
	if Scope(key, r) == Scope(token, r) {
		t.Errorf("key and token share the scope %q", Scope(key, r))
	}
}

// A handler waiting on a stalled dependency has its context end well before
// the invocation's deadline (the function's timeout, when Lambda stops it),
// so the dependency's timeout still gets a 503 with Retry-After instead of a
// function killed mid-request (API Gateway's 500 without advice).
func TestHandlersStopInTimeToAnswer(t *testing.T) {
	writer := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeCreate}}
	var handlerDeadline time.Time
	rt := Route{Pattern: "POST /x", Scope: auth.ScopeCreate, Dialect: &Dialect{Envelope: func(_ error, e *files.Error, status int) (int, any) {
		return status, map[string]string{"m": e.Message}
	}}, Handle: func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		handlerDeadline, _ = r.Context().Deadline()
		<-r.Context().Done() // the dependency never answers
		return files.Unavailable("storage", r.Context().Err())
	}}
	invocation := time.Now().Add(2 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), invocation)
	defer cancel()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/x", RequestContext: events.APIGatewayV2HTTPRequestContext{
		HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/x"},
		Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: writer.LambdaContext()},
	}}
	resp, err := httpadapter.NewV2(rt.Handler(discard)).ProxyWithContext(ctx, ev)
	answered := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	if left := invocation.Sub(handlerDeadline); left < 500*time.Millisecond {
		t.Errorf("the handler's deadline is %s before the invocation's, want at least 500ms to answer in", left)
	}
	if left := invocation.Sub(answered); left < 400*time.Millisecond {
		t.Errorf("answered %s before the invocation's deadline, want a margin", left)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Headers["Retry-After"] == "" {
		t.Errorf("%d, Retry-After %q: want 503 with Retry-After", resp.StatusCode, resp.Headers["Retry-After"])
	}
}

// Each error kind has one status, whichever dialect answers.
func TestStatus(t *testing.T) {
	for kind, want := range map[files.Kind]int{
		files.KindInvalid: 400, files.KindUnauthenticated: 401, files.KindForbidden: 403, files.KindNotFound: 404,
		files.KindMethodNotAllowed: 405, files.KindConflict: 409, files.KindInFlight: 409, files.KindTooLarge: 413,
		files.KindUnsupportedMediaType: 415, files.KindUnprocessable: 422, files.KindUnavailable: 503, files.KindInternal: 500,
	} {
		if got := Status(kind); got != want {
			t.Errorf("kind %d: %d, want %d", kind, got, want)
		}
	}
}
