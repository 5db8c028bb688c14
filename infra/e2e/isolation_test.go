package e2e

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/wiring"
)

// templateRoutes is every HTTP route the template deploys, both dialects.
func templateRoutes() []string {
	var routes []string
	for _, f := range stack.Template.Functions {
		routes = append(routes, f.Routes...)
	}
	sort.Strings(routes)
	return routes
}

// TestEveryRouteIsolatesTenants walks every route in template.yaml with
// project A's key against project B's file, with B's project_id, with a
// revoked key and with no key: A never reads or changes B's file.
func TestEveryRouteIsolatesTenants(t *testing.T) {
	t.Parallel()
	a, b := newTenant(t), newTenant(t)
	bFile := b.uploaded("b.pdf", "application/pdf", pdfBytes)
	b.WaitStatus(bFile.ID, "COMPLETED")
	revoked := newTenant(t)
	keys := dynamostore.NewKeys(dynamo.NewFromIface(stack.DynamoClient()), localstack.TableName)
	if err := keys.RevokeKey(context.Background(), auth.Hash(revoked.Key), time.Now()); err != nil {
		t.Fatal(err)
	}
	// B's webhook endpoint, for the endpoint routes: A's key there may
	// manage webhooks, so only the ownership check stands between them.
	aw, bw := webhooksTenant(t), webhooksTenant(t)
	var bEndpoint endpoint
	if st := bw.Call("POST", "/v1/webhook-endpoints", map[string]any{"url": "http://127.0.0.1:9/hook", "eventTypes": []string{"file.completed"}}, &bEndpoint); st != http.StatusCreated {
		t.Fatalf("B's webhook endpoint: %d", st)
	}
	routes := templateRoutes()
	if len(routes) < 13 {
		t.Fatalf("only %d routes in the template", len(routes))
	}
	for _, route := range routes {
		method, pattern, _ := strings.Cut(route, " ")
		if route == wiring.DefaultRoute {
			method, pattern = "PATCH", "/v1/files/{id}" // a request no other route takes
		}
		withID := func(id string) string {
			p := strings.ReplaceAll(strings.ReplaceAll(pattern, "{id}", id), "{proxy+}", "v1/files/"+id)
			return strings.ReplaceAll(p, "{eventId}", "evt_06DW2B9S7R17D6HV0D6KZ3BGT0")
		}
		path := withID(bFile.ID)
		t.Run(route, func(t *testing.T) {
			for name, key := range map[string]string{"no key": "", "revoked key": revoked.Key, "unknown key": "fgk_nope"} {
				st := call(t, key, method, path, nil, nil)
				switch {
				case stack.Template.PublicRoutes[route]:
					// The preflight route needs no key by design; it must
					// answer with no more than the methods a path allows.
					if st != http.StatusNoContent && st != http.StatusNotFound {
						t.Errorf("%s: %d, want 204 or 404", name, st)
					}
				case st != http.StatusUnauthorized:
					t.Errorf("%s: %d, want 401", name, st)
				}
			}
			if strings.HasPrefix(pattern, "/v1/webhook-endpoints/{id}") {
				if st := aw.Call(method, withID(bEndpoint.ID), nil, nil); st != http.StatusNotFound {
					t.Errorf("A on B's webhook endpoint: %d, want 404", st)
				}
			} else if strings.Contains(route, "{id}") {
				// Either spelling of the id (fil_… or its UUID).
				for _, id := range []string{bFile.ID, files.UUIDString(bFile.ID)} {
					if st := a.Call(method, withID(id), nil, nil); st != http.StatusNotFound {
						t.Errorf("A on B's file as %s: %d, want 404", id, st)
					}
				}
			}
			if strings.HasPrefix(path, "/api/v1/beta/") {
				if st := a.Call(method, path+"?project_id="+b.ProjectID, nil, nil); st != http.StatusForbidden && st != http.StatusNotFound {
					t.Errorf("A with B's project_id: %d, want 403 or 404", st)
				}
			}
		})
	}
	// Nothing A did reached B's file.
	var f filegate.File
	if st := b.Call("GET", "/v1/files/"+bFile.ID, nil, &f); st != http.StatusOK || f.Status != "COMPLETED" {
		t.Fatalf("B's file after A's attempts: %d %s", st, f.Status)
	}
	if string(download(t, b, bFile.ID)) != string(pdfBytes) {
		t.Fatal("B's bytes changed")
	}
}
