package nativeapi

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/routeguard"
)

// invokeRoute runs rt's handler for one request as its Lambda does, through
// the API Gateway adapter, for principal p.
func invokeRoute(t *testing.T, rt routeguard.Route, method, path, body string, headers map[string]string, p auth.Principal) events.APIGatewayV2HTTPResponse {
	t.Helper()
	return invokeRouteIn(t, context.Background(), rt, method, path, body, headers, p)
}

func invokeRouteIn(t *testing.T, ctx context.Context, rt routeguard.Route, method, path, body string, headers map[string]string, p auth.Principal) events.APIGatewayV2HTTPResponse {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(rt.Pattern, rt.Handler(slog.New(slog.NewTextHandler(io.Discard, nil))))
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: path, Headers: headers, RequestContext: events.APIGatewayV2HTTPRequestContext{
		HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
		Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: p.LambdaContext()},
	}, Body: base64.StdEncoding.EncodeToString([]byte(body)), IsBase64Encoded: true}
	resp, err := httpadapter.NewV2(mux).ProxyWithContext(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
