package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/filegate/filegate/infra/localstack/samtemplate"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/wiring"
)

// lambdaDocumentedLimit is Lambda's documented limit on a synchronous
// invocation's request payload, written here apart from the code under test.
const lambdaDocumentedLimit = 6_291_456

// payloadGateway is a gateway with one route whose function reports the size
// of the event it was sent, serialized as Lambda receives it.
func payloadGateway(t *testing.T) (*Gateway, *[]int) {
	t.Helper()
	var sizes []int
	fn := func(_ context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		raw, err := json.Marshal(ev)
		if err != nil {
			t.Error(err)
		}
		sizes = append(sizes, len(raw))
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK}, nil
	}
	allow := func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: map[string]any{"projectId": "p"}}, nil
	}
	g := NewGateway(&samtemplate.Template{}, map[string]wiring.HTTPLambda{"POST /upload": fn}, allow, 0, slog.New(slog.DiscardHandler))
	return g, &sizes
}

func post(g *Gateway, body []byte, contentType string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/upload", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer k")
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	return rec
}

// Lambda counts the whole event, not the body: a text body reaches the
// function while the event stays within the limit, and one byte more does not.
func TestGatewayRefusesEventsPastLambdasPayloadLimit(t *testing.T) {
	g, sizes := payloadGateway(t)
	if rec := post(g, []byte("a"), "text/plain"); rec.Code != http.StatusOK {
		t.Fatalf("probe: %d %s", rec.Code, rec.Body)
	}
	around := (*sizes)[0] - 1 // the event without its one-byte body
	fits := lambdaDocumentedLimit - around
	if rec := post(g, bytes.Repeat([]byte("a"), fits), "text/plain"); rec.Code != http.StatusOK {
		t.Fatalf("an event of exactly %d bytes: %d %s", lambdaDocumentedLimit, rec.Code, rec.Body)
	}
	if got := (*sizes)[1]; got != lambdaDocumentedLimit {
		t.Fatalf("the function was sent %d bytes, want exactly %d", got, lambdaDocumentedLimit)
	}
	rec := post(g, bytes.Repeat([]byte("a"), fits+1), "text/plain")
	if rec.Code != http.StatusRequestEntityTooLarge || len(*sizes) != 2 {
		t.Fatalf("an event of %d bytes: %d (function called %d times)", lambdaDocumentedLimit+1, rec.Code, len(*sizes))
	}
	var body struct{ Message string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Message == "" {
		t.Errorf("the gateway's 413 body %q is not {\"message\": ...}", rec.Body)
	}
}

// Binary bodies travel base64-encoded, so Lambda sees 4/3 of their size: a
// multipart body of 4.8 MB (under 6 MiB in bytes) is over the limit encoded.
func TestGatewayCountsBinaryBodiesBase64Encoded(t *testing.T) {
	g, sizes := payloadGateway(t)
	form := func(n int) ([]byte, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", "big.bin")
		_, _ = fw.Write(bytes.Repeat([]byte{0xff}, n))
		_ = w.Close()
		return buf.Bytes(), w.FormDataContentType()
	}
	body, ct := form(4_500_000)
	if rec := post(g, body, ct); rec.Code != http.StatusOK {
		t.Fatalf("4.5 MB of form (6.0 MB encoded): %d %s", rec.Code, rec.Body)
	}
	if (*sizes)[0] <= len(body)*4/3 || (*sizes)[0] > lambdaDocumentedLimit {
		t.Fatalf("event of %d bytes for a %d-byte body", (*sizes)[0], len(body))
	}
	body, ct = form(4_800_000)
	if rec := post(g, body, ct); rec.Code != http.StatusRequestEntityTooLarge || len(*sizes) != 1 {
		t.Fatalf("4.8 MB of form (6.4 MB encoded): %d, function called %d times", rec.Code, len(*sizes))
	}
}

// A response counts the same way: the function's whole envelope, its body
// one escaped JSON string. Lambda fails an invocation whose response is
// past the limit, and API Gateway answers 500 instead of the function.
func TestGatewayRefusesResponsesPastLambdasPayloadLimit(t *testing.T) {
	var body string
	fn := func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: map[string]string{"Content-Type": "application/json"}, Body: body}, nil
	}
	allow := func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true}, nil
	}
	g := NewGateway(&samtemplate.Template{}, map[string]wiring.HTTPLambda{"POST /upload": fn}, allow, 0, slog.New(slog.DiscardHandler))
	envelope := func(b string) int {
		raw, _ := json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: map[string]string{"Content-Type": "application/json"}, Body: b})
		return len(raw)
	}
	// Quotes take two bytes each inside the envelope: a body of 3.2 MB is
	// past the limit, one of half the room is not.
	around := envelope("")
	body = string(bytes.Repeat([]byte(`"`), (lambdaDocumentedLimit-around)/2))
	if rec := post(g, nil, "text/plain"); rec.Code != http.StatusOK || rec.Body.Len() != len(body) {
		t.Fatalf("a response envelope of %d bytes: %d", envelope(body), rec.Code)
	}
	body += `"`
	if rec := post(g, nil, "text/plain"); rec.Code != http.StatusInternalServerError {
		t.Fatalf("a response envelope of %d bytes (body %d): %d, want the gateway's 500", envelope(body), len(body), rec.Code)
	}
}
