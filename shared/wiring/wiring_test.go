package wiring_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/routeguard"
	"github.com/filegate/filegate/shared/wiring"
)

// getenv is an environment of its own: the process's is never read.
func getenv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func base() map[string]string {
	return map[string]string{"TABLE_NAME": "files", "BUCKET_NAME": "uploads", "AWS_REGION": "eu-west-1"}
}

func TestLoadReadsTheTemplatesVariables(t *testing.T) {
	vars := base()
	vars["UPLOAD_URL_TTL_SECONDS"], vars["DOWNLOAD_URL_TTL_SECONDS"], vars["MAX_FILE_SIZE_BYTES"] = "600", "60", "1000"
	vars["PENDING_GRACE_SECONDS"], vars["TERMINAL_RETENTION_SECONDS"] = "3600", "7200"
	vars["RECONCILE_BATCH"], vars["ORPHAN_GRACE_SECONDS"], vars["S3_FORCE_PATH_STYLE"] = "5000", "0", "true"
	vars["PURPOSE_RULES"] = `{"parse": {"maxBytes": 100, "retentionSeconds": 60}, "sheet": {"mimeTypes": ["text/csv"]}}`
	env, err := wiring.Load(getenv(vars))
	if err != nil {
		t.Fatal(err)
	}
	c := env.Config
	for name, got := range map[string]any{
		"TableName": c.TableName, "BucketName": c.BucketName, "S3PathStyle": c.S3PathStyle,
		"UploadURLTTL": c.Files.UploadURLTTL, "DownloadURLTTL": c.Files.DownloadURLTTL, "MaxBytes": c.Files.MaxBytes,
		"PendingGrace": c.Files.PendingGrace, "TerminalKeep": c.Files.TerminalKeep,
		"ReconcileBatch": c.ReconcileBatch, "OrphanGrace": c.OrphanGrace,
		"parse.MaxBytes": c.Files.Purposes["parse"].MaxBytes, "parse.Retention": c.Files.Purposes["parse"].Retention,
		"sheet.MimeTypes": strings.Join(c.Files.Purposes["sheet"].MimeTypes, ","), "sheet.MaxBytes": c.Files.Purposes["sheet"].MaxBytes,
		"AWS region": env.AWS.Region,
	} {
		want := map[string]any{
			"TableName": "files", "BucketName": "uploads", "S3PathStyle": true,
			"UploadURLTTL": 10 * time.Minute, "DownloadURLTTL": time.Minute, "MaxBytes": int64(1000),
			"PendingGrace": time.Hour, "TerminalKeep": 2 * time.Hour,
			"ReconcileBatch": 1000, "OrphanGrace": time.Duration(0),
			"parse.MaxBytes": int64(100), "parse.Retention": time.Minute,
			"sheet.MimeTypes": "text/csv", "sheet.MaxBytes": files.DefaultPurposes()["sheet"].MaxBytes,
			"AWS region": "eu-west-1",
		}[name]
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	env, err := wiring.Load(getenv(base()))
	if err != nil {
		t.Fatal(err)
	}
	if env.Config.ReconcileBatch != 500 {
		t.Errorf("ReconcileBatch %d, want 500", env.Config.ReconcileBatch)
	}
	if env.Config.OrphanGrace != time.Hour {
		t.Errorf("OrphanGrace %v, want 1h", env.Config.OrphanGrace)
	}
	if env.Config.S3PathStyle {
		t.Error("S3PathStyle on by default")
	}
	if len(env.Config.Files.Purposes) != len(files.DefaultPurposes()) {
		t.Errorf("%d purposes, want the %d defaults", len(env.Config.Files.Purposes), len(files.DefaultPurposes()))
	}
}

// A malformed value is an error naming its variable, never a silent default.
func TestLoadRefusesMalformedValues(t *testing.T) {
	for name, value := range map[string]string{
		"TABLE_NAME": "", "BUCKET_NAME": "", "UPLOAD_URL_TTL_SECONDS": "15m", "MAX_FILE_SIZE_BYTES": "-1",
		"S3_FORCE_PATH_STYLE": "yes please", "RECONCILE_BATCH": "1e3", "PURPOSE_RULES": `{"nonsense": {}}`,
	} {
		vars := base()
		vars[name] = value
		_, err := wiring.Load(getenv(vars))
		if err == nil {
			t.Errorf("%s=%q loaded", name, value)
			continue
		}
		if want := strings.TrimSuffix(name, "_NAME"); !strings.Contains(err.Error(), want) && !strings.Contains(err.Error(), "nonsense") {
			t.Errorf("%s=%q: %v does not name it", name, value, err)
		}
	}
}

// Endpoints follow the SDK's settings: the service's own, then the general
// one, unless configured endpoints are to be ignored.
func TestEndpoint(t *testing.T) {
	for _, tc := range []struct {
		vars map[string]string
		want string // "" means nil: the regional AWS endpoint
	}{
		{map[string]string{}, ""},
		{map[string]string{"AWS_ENDPOINT_URL": "http://all"}, "http://all"},
		{map[string]string{"AWS_ENDPOINT_URL": "http://all", "AWS_ENDPOINT_URL_S3": "http://s3"}, "http://s3"},
		{map[string]string{"AWS_ENDPOINT_URL_S3": "http://s3", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, ""},
	} {
		vars := base()
		for k, v := range tc.vars {
			vars[k] = v
		}
		env, err := wiring.Load(getenv(vars))
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if e := env.Endpoint("S3"); e != nil {
			got = *e
		}
		if got != tc.want {
			t.Errorf("%v: endpoint %q, want %q", tc.vars, got, tc.want)
		}
	}
}

// testEnv is an environment whose logs are kept.
func testEnv(t *testing.T, log *strings.Builder) *wiring.Env {
	t.Helper()
	env, err := wiring.Load(getenv(base()))
	if err != nil {
		t.Fatal(err)
	}
	env.Log = slog.New(slog.NewJSONHandler(log, nil))
	return env
}

func invoke(t *testing.T, fn wiring.HTTPFunction, method, path string, p *auth.Principal) events.APIGatewayV2HTTPResponse {
	t.Helper()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: fn.Route, RawPath: path, RequestContext: events.APIGatewayV2HTTPRequestContext{
		RequestID: "req-1", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
	}}
	if p != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: p.LambdaContext()}
	}
	resp, err := fn.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// HTTP puts one route behind the API Gateway adapter: its path parameters
// reach the handler, and each request leaves one access-log line.
func TestHTTPServesItsRoute(t *testing.T) {
	var log strings.Builder
	reader := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeRead}}
	rt := routeguard.Route{Pattern: "GET /v1/files/{id}", Scope: auth.ScopeRead, Dialect: &routeguard.Dialect{Envelope: func(error, *files.Error, int) (int, any) { return 500, nil }},
		Handle: func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
			_, _ = w.Write([]byte(p.ProjectID + " " + routeguard.PathFile(r).String()))
			return nil
		}}
	fn := wiring.HTTP(testEnv(t, &log), rt)
	if fn.Route != rt.Pattern {
		t.Errorf("route %q, want %q", fn.Route, rt.Pattern)
	}
	const id = "fil_06H0EN1ZAP202AP5WPNPHXF894"
	resp := invoke(t, fn, "GET", "/v1/files/"+files.UUIDString(id), &reader)
	if resp.Body != "p "+id {
		t.Errorf("body %q, want the principal's project and the path's id", resp.Body)
	}
	// One access line; the rate limiter, finding no DynamoDB here, admits
	// and says so on lines of its own.
	var line map[string]any
	for _, raw := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		if l["msg"] == "request" {
			if line != nil {
				t.Fatalf("two access lines for one request: %s", log.String())
			}
			line = l
		}
	}
	if line["route"] != rt.Pattern || line["fileId"] != id || line["requestId"] != "req-1" {
		t.Errorf("access log %v", line)
	}
}

// The default route answers in the envelope of the dialect whose prefix
// the path is under.
func TestUnmatchedAnswersInEachDialectsEnvelope(t *testing.T) {
	var log strings.Builder
	envelope := func(tag string) *routeguard.Dialect {
		return &routeguard.Dialect{Envelope: func(_ error, e *files.Error, _ int) (int, any) { return 404, map[string]string{tag: e.Code} }}
	}
	fn := wiring.Unmatched(testEnv(t, &log),
		routeguard.Fallback{Prefix: "/", Dialect: envelope("native"), Routes: []string{"GET /v1/files"}},
		routeguard.Fallback{Prefix: "/api/", Dialect: envelope("compat"), Routes: []string{"GET /api/files"}})
	if fn.Route != wiring.DefaultRoute {
		t.Errorf("route %q, want %q", fn.Route, wiring.DefaultRoute)
	}
	p := &auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeRead}}
	for path, want := range map[string]string{"/v1/folders": `{"native":"not_found"}`, "/api/folders": `{"compat":"not_found"}`} {
		if resp := invoke(t, fn, "GET", path, p); strings.TrimSpace(resp.Body) != want || resp.StatusCode != 404 {
			t.Errorf("%s: %d %s, want 404 %s", path, resp.StatusCode, resp.Body, want)
		}
	}
}

// SDK calls are traced only where Lambda runs the X-Ray daemon (its
// address in the environment); locally, or with an address that cannot be
// used, the clients are built as without tracing and the function starts.
func TestSDKCallsAreTracedOnlyBesideAnXRayDaemon(t *testing.T) {
	for address, traced := range map[string]bool{"": false, "127.0.0.1:2000": true, "tcp:127.0.0.1:2000 udp:127.0.0.1:2000": true, "udp:nowhere": false} {
		vars := base()
		vars["AWS_XRAY_DAEMON_ADDRESS"] = address
		env, err := wiring.Load(getenv(vars))
		if err != nil {
			t.Fatalf("%q: %v", address, err)
		}
		if got := len(env.AWS.APIOptions) > 0; got != traced {
			t.Errorf("AWS_XRAY_DAEMON_ADDRESS=%q: SDK calls traced = %v, want %v", address, got, traced)
		}
	}
}
