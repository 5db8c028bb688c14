package nativeapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// settles answers every complete with one file.
type settles struct{ f *files.File }

func (s settles) Complete(context.Context, string, files.FileID, string, string) (*files.File, error) {
	return s.f, nil
}
func (settles) Now() time.Time { return time.Now() }

// A REJECTED outcome of complete is this dialect's 422, naming the
// rejection's code and the declared input it contradicts, not worth a retry;
// a COMPLETED one is the file.
func TestCompleteAnswersTheOutcome(t *testing.T) {
	p := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeCreate}}
	for _, tc := range []struct {
		file        *files.File
		status      int
		code, param string
	}{
		{&files.File{Status: files.StatusRejected, Rejection: &files.Rejection{Code: "checksum_mismatch", Message: "no"}}, 422, "checksum_mismatch", "md5"},
		{&files.File{Status: files.StatusCompleted}, 200, "", ""},
		{&files.File{Status: files.StatusScanning, Scan: &files.ScanState{}}, 202, "", ""},
	} {
		rt := Complete(settles{tc.file}, nil, nil)
		mux := http.NewServeMux()
		mux.Handle(rt.Pattern, rt.Handler(slog.New(slog.NewTextHandler(io.Discard, nil))))
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894/complete", RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894/complete"},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: p.LambdaContext()},
		}}
		resp, err := httpadapter.NewV2(mux).ProxyWithContext(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.file.Status, resp.StatusCode, tc.status)
		}
		if tc.status != 422 {
			continue
		}
		var body errorBody
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
			t.Fatalf("body %s: %v", resp.Body, err)
		}
		if body.Error.Type != "unprocessable_content" {
			t.Errorf("type %q, want unprocessable_content", body.Error.Type)
		}
		if body.Error.Code != tc.code {
			t.Errorf("code %q, want %q", body.Error.Code, tc.code)
		}
		if body.Error.Param != tc.param {
			t.Errorf("param %q, want %q", body.Error.Param, tc.param)
		}
		if resp.Headers["X-Should-Retry"] != "false" {
			t.Errorf("x-should-retry %q, want false", resp.Headers["X-Should-Retry"])
		}
	}
}
