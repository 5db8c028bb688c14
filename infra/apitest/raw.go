package apitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/filegate/filegate/filegate"
)

// What tests need beyond the typed client: raw requests (any method, path,
// body or header, to see how the API answers what a client should not
// send), presigned PUTs with chosen headers, the error envelope as JSON, and
// fresh UUIDs for projects and keys.

// ErrorEnvelope is the native error body, to decode an answer into.
type ErrorEnvelope struct {
	Error struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Param   string `json:"param"`
	} `json:"error"`
}

// Response is an API answer, its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends body as JSON (nil: none) to c's API as c's key and decodes a JSON
// answer, whatever its status, into out (nil: not decoded). An answer that
// is not JSON when out is set is an error.
func Do(ctx context.Context, c *filegate.Client, method, path string, body, out any) (Response, error) {
	headers := map[string]string{}
	if c.Key != "" {
		headers["Authorization"] = "Bearer " + c.Key
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return Response{}, err
		}
		headers["Content-Type"] = "application/json"
	}
	var r io.Reader
	if payload != nil {
		r = bytes.NewReader(payload)
	}
	resp, raw, err := Send(ctx, c.HTTP, method, c.Base+path, headers, r, int64(len(payload)))
	if err != nil {
		return Response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	res := Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return res, fmt.Errorf("%s %s: %d %q is not JSON: %w", method, path, res.Status, raw, err)
		}
	}
	return res, nil
}

// Send makes one raw request (a presigned URL, a CORS preflight) with
// exactly the given headers (hc nil: http.DefaultClient); a Content-Length
// among them gives way to size (with a body). The response comes back with
// its body read.
func Send(ctx context.Context, hc *http.Client, method, url string, headers map[string]string, body io.Reader, size int64) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range headers {
		if http.CanonicalHeaderKey(k) != "Content-Length" {
			req.Header.Set(k, v)
		}
	}
	if body != nil {
		req.ContentLength = size
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp, raw, err
}

// PutWith PUTs size bytes of body to a presigned URL with the given headers
// and returns storage's status.
func PutWith(ctx context.Context, hc *http.Client, url string, headers map[string]string, body io.Reader, size int64) (int, error) {
	resp, _, err := Send(ctx, hc, http.MethodPut, url, headers, body, size)
	if err != nil {
		return 0, fmt.Errorf("PUT: %w", err)
	}
	return resp.StatusCode, nil
}

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
