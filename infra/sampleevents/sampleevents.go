// Package sampleevents finds each template function's sample event: the
// file events/ commits for it or, for an HTTP API function with one route
// and no file, a request of that route built the way the committed samples
// are written (same tenant, key and ids), so a new endpoint needs no sample
// file. The template test, the events/ test and the e2e entry test read
// samples through it.
package sampleevents

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/infra/lambdaruntime"
	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// The values every sample carries (events/README.md lists them).
const (
	Org        = "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05"
	Project    = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42"
	FileID     = "fil_06H0EN1ZAP202AP5WPNPHXF894"
	Key        = "fgk_dvMO9RhfSUn1SiPmWwKWNIZEhCXskeBOcm1F41cxd3c"
	KeyHash    = "0a9986d607d430668562ce0cb7c240e70cca65f4c63641c56a2af429e32724e2"
	EndpointID = "we_06DV2VQYG23XM86237D1DVGP1G"
	EventID    = "evt_06DW2B9S7R17D6HV0D6KZ3BGT0"
)

// streamSamples are the stream consumers' samples, named for their records.
var streamSamples = map[string]string{
	"CleanupFunction":    "dynamodb-ttl-remove.json",
	"CountersFunction":   "dynamodb-file-changes.json",
	"FileEventsFunction": "dynamodb-file-events.json",
}

// Name is a function's sample in events/: <dir>.json, except the stream
// consumers'.
func Name(logicalID string) string {
	if name, ok := streamSamples[logicalID]; ok {
		return name
	}
	return lambdaruntime.FunctionDir(logicalID) + ".json"
}

// For is f's sample: root/events/Name if committed, else Default of its one
// HTTP API route. A function of another source must commit its sample.
func For(root string, f *samtemplate.TemplateFunction) ([]byte, error) {
	name := Name(f.LogicalID)
	raw, err := os.ReadFile(filepath.Join(root, "events", name))
	if !errors.Is(err, fs.ErrNotExist) {
		return raw, err
	}
	route, ok := OnlyRoute(f)
	if !ok {
		return nil, fmt.Errorf("events/%s: %w (only a function with one HTTP API route has a default sample)", name, err)
	}
	return Default(route)
}

// OnlyRoute is f's route if it is an HTTP API function with exactly one
// "METHOD /path" route ($default and OPTIONS catch-alls are not one).
func OnlyRoute(f *samtemplate.TemplateFunction) (string, bool) {
	if len(f.Routes) != 1 || f.S3Events || f.Stream || len(f.Schedules) > 0 {
		return "", false
	}
	method, path, ok := strings.Cut(f.Routes[0], " ")
	if !ok || method == "OPTIONS" || !strings.HasPrefix(path, "/") || strings.Contains(path, "+}") {
		return "", false
	}
	return f.Routes[0], true
}

// Default is the API Gateway HTTP API (payload 2.0) request of route that
// the committed samples would hold: the sample key's Bearer header and its
// authorizer context, each path parameter a real-looking id (a file's, or
// under /v1/webhook-endpoints/ an endpoint's; {eventId} an event's), and a
// body of {} for the methods that carry one.
func Default(route string) ([]byte, error) {
	method, pattern, _ := strings.Cut(route, " ")
	params := map[string]string{}
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		name, ok := strings.CutPrefix(s, "{")
		if !ok {
			continue
		}
		name = strings.TrimSuffix(name, "}")
		switch {
		case name == "eventId":
			segs[i] = EventID
		case name == "id" && strings.HasPrefix(pattern, "/v1/webhook-endpoints/"):
			segs[i] = EndpointID
		case name == "id":
			segs[i] = FileID
		default:
			return nil, fmt.Errorf("%s: no sample value for the path parameter {%s}: commit events/<dir>.json", route, name)
		}
		params[name] = segs[i]
	}
	path := strings.Join(segs, "/")
	// The sample key's scopes, as the committed samples hold them: the
	// webhook routes' key may also manage webhooks.
	scopes := "files:create files:read"
	if strings.HasPrefix(pattern, "/v1/webhook-endpoints") {
		scopes += " webhooks:manage"
	}
	const host, ip, agent = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", "203.0.113.25", "filegate-example/1.0 (+https://example.com)"
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: route, RawPath: path,
		Headers: map[string]string{
			"accept": "application/json", "authorization": "Bearer " + Key, "content-length": "0", "host": host,
			"user-agent": agent, "x-amzn-trace-id": "Root=1-6968bfb2-7c6d5e4f3a2b1c0d9e8f7a6b",
			"x-forwarded-for": ip, "x-forwarded-port": "443", "x-forwarded-proto": "https",
		},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID: "123456789012", APIID: "a1b2c3d4e5", DomainName: host, DomainPrefix: "a1b2c3d4e5",
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{
				"organizationId": Org, "projectId": Project, "scopes": scopes, "keyHash": KeyHash,
			}},
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: ip, UserAgent: agent},
			RequestID: "XAmrvjaGIAMEbHw=", RouteKey: route, Stage: "$default",
			Time: "15/Jan/2026:10:21:38 +0000", TimeEpoch: 1768472498227,
		},
	}
	if len(params) > 0 {
		ev.PathParameters = params
	}
	switch method {
	case "POST", "PUT", "PATCH":
		ev.Body = "{}"
		ev.Headers["content-type"] = "application/json"
		ev.Headers["content-length"] = "2"
	}
	return json.MarshalIndent(ev, "", "  ")
}
