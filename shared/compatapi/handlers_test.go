package compatapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/files/upload"
	"github.com/filegate/filegate/shared/routeguard"
)

// request is one call through the Lambda adapter, as API Gateway delivers it.
type request struct {
	route, path, query, contentType string
	body                            []byte
	principal                       *auth.Principal
}

var owner = auth.Principal{OrganizationID: "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05", ProjectID: projectA, Scopes: []string{auth.ScopeCreate, auth.ScopeRead}}

// routes are the compat routes over use cases with no storage: every case
// here must be answered before storage is touched.
func routes() []routeguard.Route {
	o := files.Options{}
	records := files.NewRecords(nil, o)
	listing, downloads := files.NewListing(nil, o), files.NewDownloads(records, nil, o)
	direct := upload.NewDirect(nil, nil, nil, o)
	return []routeguard.Route{Upload(direct, nil), List(listing, downloads), Query(listing, downloads), Get(records, downloads),
		Delete(files.NewDeletion(records, nil, nil, o)), Content(records, downloads)}
}

// routeOf is the compat route serving pattern.
func routeOf(t *testing.T, pattern string) routeguard.Route {
	t.Helper()
	for _, rt := range routes() {
		if rt.Pattern == pattern {
			return rt
		}
	}
	t.Fatalf("no route %q", pattern)
	return routeguard.Route{}
}

// invoke runs the route's handler as the route's Lambda does.
func invoke(t *testing.T, r request) (int, string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(r.route, routeOf(t, r.route).Handler(slog.New(slog.NewTextHandler(io.Discard, nil))))
	method, _, _ := strings.Cut(r.route, " ")
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: r.route, RawPath: r.path, RawQueryString: r.query,
		Headers: map[string]string{"content-type": r.contentType, "content-length": strconv.Itoa(len(r.body))},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: r.route, Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: r.path},
		},
		Body: base64.StdEncoding.EncodeToString(r.body), IsBase64Encoded: true,
	}
	if r.principal != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: r.principal.LambdaContext()}
	}
	resp, err := httpadapter.NewV2(mux).ProxyWithContext(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusUnprocessableEntity {
		var fields fieldsBody
		if err := json.Unmarshal([]byte(resp.Body), &fields); err == nil && len(fields.Detail) > 0 {
			return resp.StatusCode, resp.Body
		}
	}
	var body errorBody
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Detail == "" {
		t.Errorf("%s %s: body %q is not {\"detail\": ...}", r.route, r.query, resp.Body)
	}
	return resp.StatusCode, body.Detail
}

func TestHandlersRefuse(t *testing.T) {
	readOnly := owner
	readOnly.Scopes = []string{auth.ScopeRead}
	valid, ct := form(t, part{name: "file", filename: "a.csv", body: "a,b\n1,2\n"}, part{name: "purpose", body: "sheet"})
	upload := func(parts ...part) request {
		body, ct := form(t, parts...)
		return request{route: "POST /api/v1/beta/files", path: "/api/v1/beta/files", contentType: ct, body: body, principal: &owner}
	}
	list := func(query string) request {
		return request{route: "GET /api/v1/beta/files", path: "/api/v1/beta/files", query: query, principal: &owner}
	}
	purpose := part{name: "purpose", body: "parse"}
	foreign := encodeToken(projectB, fingerprint(files.OrderCreatedDesc, files.Filter{}), files.Cursor("x"))
	for name, tc := range map[string]struct {
		req    request
		status int
		want   string
	}{
		"no principal":         {request{route: "GET /api/v1/beta/files", path: "/api/v1/beta/files"}, 401, "API key"},
		"other project":        {request{route: "GET /api/v1/beta/files/{id}", path: "/api/v1/beta/files/fil_06H0EN1ZAP202AP5WPNPHXF894", query: "project_id=" + projectB, principal: &owner}, 403, "no access"},
		"other organization":   {request{route: "DELETE /api/v1/beta/files/{id}", path: "/api/v1/beta/files/fil_06H0EN1ZAP202AP5WPNPHXF894", query: "organization_id=" + projectB, principal: &owner}, 403, "no access"},
		"read-only upload":     {request{route: "POST /api/v1/beta/files", path: "/api/v1/beta/files", contentType: ct, body: valid, principal: &readOnly}, 403, "files:create"},
		"not multipart":        {request{route: "POST /api/v1/beta/files", path: "/api/v1/beta/files", contentType: "application/json", body: []byte(`{}`), principal: &owner}, 422, `"loc":["body","file"]`},
		"bad multipart":        {request{route: "POST /api/v1/beta/files", path: "/api/v1/beta/files", contentType: "multipart/form-data; boundary=x", body: []byte("--x\r\nbroken"), principal: &owner}, 400, "malformed"},
		"missing purpose":      {upload(part{name: "file", filename: "a.txt", body: "hi"}), 422, `{"type":"missing","loc":["body","purpose"],"msg":"Field required","input":null}`},
		"unknown purpose":      {upload(part{name: "file", filename: "a.txt", body: "hi"}, part{name: "purpose", body: "nonsense"}), 400, `purpose "nonsense" is not one of this API's`},
		"empty file":           {upload(part{name: "file", filename: "a.txt"}, purpose), 400, "empty"},
		"type not allowed":     {upload(part{name: "file", filename: "a.bin", body: "PK\x03\x04 not really a zip"}, purpose), 400, "does not accept"},
		"bytes contradict":     {upload(part{name: "file", filename: "a.pdf", contentType: "application/pdf", body: "plain text"}, purpose), 422, "looks like"},
		"extension contradict": {upload(part{name: "file", filename: "a.png", body: "%PDF-1.4 not a png"}, part{name: "purpose", body: "user_data"}), 422, "looks like"},
		"long external id":     {upload(part{name: "file", filename: "a.txt", body: "hi"}, part{name: "purpose", body: "user_data"}, part{name: "external_file_id", body: strings.Repeat("x", maxFieldBytes+1)}), 400, "too long"},
		"bad page_size":        {list("page_size=0"), 400, "page_size"},
		"page_size no integer": {list("page_size=abc"), 422, `{"type":"int_parsing","loc":["query","page_size"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}`},
		"order_by with desc":   {list("order_by=created_at%20desc"), 400, "name (ascending), id (ascending) or created_at (newest first)"},
		"bad order_by":         {list("order_by=size"), 400, "order_by"},
		"malformed token":      {list("page_token=%25%25%25"), 400, "malformed"},
		"foreign token":        {list("page_token=" + foreign), 400, "another project"},
		"bad expand":           {list("expand=owner"), 400, "expand"},
		"bad expires":          {request{route: "GET /api/v1/beta/files/{id}/content", path: "/api/v1/beta/files/fil_06H0EN1ZAP202AP5WPNPHXF894/content", query: "expires_at_seconds=soon", principal: &owner}, 422, `"loc":["query","expires_at_seconds"]`},
		"bad query body":       {request{route: "POST /api/v1/beta/files/query", path: "/api/v1/beta/files/query", contentType: "application/json", body: []byte(`{"page_size":0}`), principal: &owner}, 400, "page_size"},
		"mistyped query body":  {request{route: "POST /api/v1/beta/files/query", path: "/api/v1/beta/files/query", contentType: "application/json", body: []byte(`{"page_size":"x"}`), principal: &owner}, 422, `"loc":["body","page_size"]`},
		"query order":          {request{route: "POST /api/v1/beta/files/query", path: "/api/v1/beta/files/query", contentType: "application/json", body: []byte(`{"order_by":"name, id desc"}`), principal: &owner}, 400, "created_at desc = newest first"},
		"query other project":  {request{route: "POST /api/v1/beta/files/query", path: "/api/v1/beta/files/query", contentType: "application/json", body: []byte(`{"filter":{"project_id":"` + projectB + `"}}`), principal: &owner}, 403, "no access"},
	} {
		status, detail := invoke(t, tc.req)
		if status != tc.status || !strings.Contains(detail, tc.want) {
			t.Errorf("%s: %d %q, want %d mentioning %q", name, status, detail, tc.status, tc.want)
		}
	}
}

func TestUploadTooLarge(t *testing.T) {
	body, ct := form(t, part{name: "file", filename: "big.txt", body: strings.Repeat("a", int(files.MaxDirectUploadBytes)+1)}, part{name: "purpose", body: "user_data"})
	status, detail := invoke(t, request{route: "POST /api/v1/beta/files", path: "/api/v1/beta/files", contentType: ct, body: body, principal: &owner})
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(detail, "POST /v1/files") {
		t.Errorf("%d %q, want 413 pointing at POST /v1/files", status, detail)
	}
}

// stubOnce stands in for idempotency.Keys.
type stubOnce struct{}

func (stubOnce) Run(http.ResponseWriter, *http.Request, string, http.Handler) error   { return nil }
func (stubOnce) Rerun(http.ResponseWriter, *http.Request, string, http.Handler) error { return nil }

// Only the upload writes by POST: the query, a read-only POST, takes no
// Once, so a retry of it sees fresh results, never a stored page.
func TestOnlyTheUploadWritesOnce(t *testing.T) {
	if up := Upload(upload.NewDirect(nil, nil, nil, files.Options{}), stubOnce{}); up.Once == nil || up.Rerun {
		t.Errorf("the upload's Once %v, rerun %v: want its stored answer replayed", up.Once, up.Rerun)
	}
	for _, rt := range routes()[1:] {
		if rt.Once != nil {
			t.Errorf("%s runs through a Once", rt.Pattern)
		}
	}
}

// uploads answers every upload with one file.
type uploads struct{ f *files.File }

func (u uploads) Upload(context.Context, files.DirectUpload) (*files.File, error) { return u.f, nil }

// A REJECTED outcome of an upload is this dialect's 422 {"detail": ...}.
func TestUploadAnswersARejectionWith422(t *testing.T) {
	rejected := &files.File{Status: files.StatusRejected, Rejection: &files.Rejection{Code: "type_mismatch", Message: "the content looks like text/plain"}}
	rt := Upload(uploads{rejected}, nil)
	body, ct := form(t, part{name: "file", filename: "a.txt", body: "hi"}, part{name: "purpose", body: "user_data"})
	mux := http.NewServeMux()
	mux.Handle(rt.Pattern, rt.Handler(slog.New(slog.NewTextHandler(io.Discard, nil))))
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/api/v1/beta/files", Headers: map[string]string{"content-type": ct},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/api/v1/beta/files"},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: owner.LambdaContext()},
		}, Body: base64.StdEncoding.EncodeToString(body), IsBase64Encoded: true}
	resp, err := httpadapter.NewV2(mux).ProxyWithContext(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("status %d, want 422", resp.StatusCode)
	}
	var detail errorBody
	if err := json.Unmarshal([]byte(resp.Body), &detail); err != nil || !strings.Contains(detail.Detail, "looks like text/plain") {
		t.Errorf("body %s (%v), want the rejection's message as detail", resp.Body, err)
	}
}
