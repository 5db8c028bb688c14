// Package apiclient is a small client of Filegate's HTTP API for the
// project's own tests and benchmarks: one place that knows how to call the
// API, PUT to a presigned URL, and mint the UUIDs tenants are made of.
package apiclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Client calls the API as one project's key.
type Client struct {
	Base string
	Key  string       // "" sends no Authorization header
	HTTP *http.Client // nil: http.DefaultClient
}

// Response is an API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends body as JSON (nil: none) and decodes a JSON answer into out (nil:
// not decoded). An answer that is not JSON when out is set is an error.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) (Response, error) {
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return Response{}, err
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, r)
	if err != nil {
		return Response{}, err
	}
	if c.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	res := Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	if err != nil {
		return res, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return res, fmt.Errorf("%s %s: %d %q is not JSON: %w", method, path, res.Status, raw, err)
		}
	}
	return res, nil
}

func (c *Client) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// Put uploads size bytes of body to a presigned URL with the headers the
// upload session listed; Content-Length comes from size.
func Put(ctx context.Context, hc *http.Client, url string, headers map[string]string, body io.Reader, size int64) (int, error) {
	resp, _, err := Send(ctx, hc, http.MethodPut, url, headers, body, size)
	if err != nil {
		return 0, fmt.Errorf("PUT: %w", err)
	}
	return resp.StatusCode, nil
}

// Send makes one raw request (a presigned URL, a CORS preflight) with
// exactly the given headers; a Content-Length among them is ignored in favour
// of size (with a body). The response comes back with its body read.
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

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
