// Package filegate is the Go client of Filegate's native API (/v1/files):
// what a File looks like on the wire (file.go), each endpoint as a typed
// method (files.go), and Uploader, which uploads a local file in parallel
// parts and resumes an interrupted upload. An answer other than 2xx is an
// *APIError. The filegate CLI is built on it; the HTTP client is injectable
// (Client.HTTP), so a caller can wrap its transport.
package filegate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Client calls the API as one project's key.
type Client struct {
	Base string       // the API's base URL, without the trailing /v1
	Key  string       // an API key or upload token; "" sends no Authorization header
	HTTP *http.Client // nil: http.DefaultClient
	// Limiter paces the bytes of every upload (Upload, Uploader) and
	// Download this client makes, all together (nil: no limit).
	Limiter *RateLimiter
}

// APIError is an answer other than 2xx, with the native error envelope's
// fields (those a storage refusal of a presigned URL does not carry are "").
type APIError struct {
	Status  int    `json:"-"`
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param"`
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("%s (%d %s)", e.Message, e.Status, e.Code)
}

// call sends body as JSON (nil: none) to the API, with extra request
// headers, and decodes a 2xx answer into out (nil: not decoded); any other
// answer is an *APIError.
func (c *Client) call(ctx context.Context, method, path string, header http.Header, body, out any) (int, error) {
	h := http.Header{}
	for k, v := range header {
		h[k] = v
	}
	if c.Key != "" {
		h.Set("Authorization", "Bearer "+c.Key)
	}
	var r io.Reader
	var size int64
	if body != nil {
		payload, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		h.Set("Content-Type", "application/json")
		r, size = bytes.NewReader(payload), int64(len(payload))
	}
	status, raw, err := c.send(ctx, method, c.Base+path, h, r, size)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status/100 != 2 {
		var env struct {
			Error APIError `json:"error"`
		}
		_ = json.Unmarshal(raw, &env)
		env.Error.Status = status
		return status, &env.Error
	}
	if out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return status, fmt.Errorf("%s %s: %d %q is not JSON: %w", method, path, status, raw, err)
		}
	}
	return status, nil
}

// send makes one request with exactly the given headers and reads the
// answer; a Content-Length among the headers gives way to size (with a body).
func (c *Client) send(ctx context.Context, method, url string, header http.Header, body io.Reader, size int64) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range header {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	req.Header.Del("Content-Length")
	if body != nil {
		req.ContentLength = size
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// put PUTs size bytes of body to a presigned URL with the headers its
// signer listed; storage refusing them is an *APIError (code storage_refused).
func (c *Client) put(ctx context.Context, url string, headers map[string]string, body io.Reader, size int64) error {
	h := http.Header{}
	for k, v := range headers {
		h.Set(k, v)
	}
	status, raw, err := c.send(ctx, http.MethodPut, url, h, body, size)
	if err != nil {
		return fmt.Errorf("PUT: %w", err)
	}
	if status != http.StatusOK {
		return &APIError{Status: status, Code: "storage_refused", Message: "storage refused the upload: " + string(bytes.TrimSpace(raw))}
	}
	return nil
}

func (c *Client) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}
