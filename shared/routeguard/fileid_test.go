package routeguard

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/filegate/filegate/shared/accesslog"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// A file named by its UUID spelling, in any letter case, is one file: every
// log line of the request carries its stored (fil_) spelling, and the
// handler gets the parsed id, never the path's text.
func TestOneSpellingPerFile(t *testing.T) {
	const id = "fil_06H0EN1ZAP202AP5WPNPHXF894"
	for _, spelling := range []string{id, files.UUIDString(id), strings.ToUpper(files.UUIDString(id))} {
		t.Run(spelling, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, nil))
			rt := Route{Pattern: "GET /v1/files/{id}", Scope: auth.ScopeRead, Dialect: capture(new(error), http.StatusBadRequest),
				Handle: func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
					log.InfoContext(r.Context(), "handled", "fileId", fileIDOf(r))
					w.WriteHeader(http.StatusNoContent)
					return nil
				}}
			mux := http.NewServeMux()
			mux.Handle(rt.Pattern, accesslog.Wrap(log, rt.Pattern, rt.Handler(log)))
			p := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeRead}}
			ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/v1/files/" + spelling, RequestContext: events.APIGatewayV2HTTPRequestContext{
				HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/v1/files/" + spelling},
				Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: p.LambdaContext()},
			}}
			if _, err := httpadapter.NewV2(mux).ProxyWithContext(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			lines := 0
			for line := range bytes.Lines(buf.Bytes()) {
				var entry map[string]any
				if err := json.Unmarshal(line, &entry); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if got, ok := entry["fileId"]; ok {
					lines++
					if got != id {
						t.Errorf("%s line logs fileId %q, want %q", entry["msg"], got, id)
					}
				}
			}
			if lines != 2 {
				t.Errorf("%d log lines name the file, want 2 (the handler's and the access log's):\n%s", lines, buf.String())
			}
		})
	}
}

// fileIDOf is what a handler reads: the id the route parsed.
func fileIDOf(r *http.Request) files.FileID { return PathFile(r) }
