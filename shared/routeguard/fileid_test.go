package routeguard

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/filegate/filegate/shared/accesslog"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// A file named by its UUID spelling, in any letter case, is one file: every
// log line of the request carries its stored (fil_) spelling, the handler
// gets the parsed id, never the path's text, and the store is asked for one
// FileID whichever spelling the path used (the ports take the type, so no
// string can reach them unparsed).
func TestOneSpellingPerFile(t *testing.T) {
	const id = "fil_06H0EN1ZAP202AP5WPNPHXF894"
	store := &recordingStore{}
	for _, spelling := range []string{id, files.UUIDString(id), strings.ToUpper(files.UUIDString(id))} {
		t.Run(spelling, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, nil))
			rt := Route{Pattern: "GET /v1/files/{id}", Scope: auth.ScopeRead, Dialect: capture(new(error), http.StatusBadRequest),
				Handle: func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
					f, err := files.GetLive(r.Context(), store, p.ProjectID, fileIDOf(r), time.Now())
					if err != nil {
						return err
					}
					log.InfoContext(r.Context(), "handled", "fileId", f.ID)
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
	want := files.MustParseFileID(id)
	if len(store.asked) != 3 {
		t.Fatalf("the store was asked %d times, want once per spelling (3)", len(store.asked))
	}
	for i, got := range store.asked {
		if got != want {
			t.Errorf("request %d reached the store as %q, want %q", i, got, want)
		}
	}
}

// recordingStore is a RecordGetter holding one file of project "p", which
// notes each id it is asked for.
type recordingStore struct{ asked []files.FileID }

func (s *recordingStore) Get(_ context.Context, projectID string, id files.FileID) (*files.File, error) {
	s.asked = append(s.asked, id)
	if projectID != "p" || id != files.MustParseFileID("fil_06H0EN1ZAP202AP5WPNPHXF894") {
		return nil, files.ErrNotFound
	}
	return &files.File{ID: id, ProjectID: projectID, Status: files.StatusCompleted}, nil
}

// fileIDOf is what a handler reads: the id the route parsed.
func fileIDOf(r *http.Request) files.FileID { return PathFile(r) }
