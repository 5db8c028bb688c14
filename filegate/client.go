// Package filegate is the Go client of Filegate's native API (/v1/files):
// what a File looks like on the wire, each endpoint as a method, presigned
// PUTs and GETs, and Uploader, which uploads a file in parallel parts and
// resumes an interrupted upload. The filegate CLI is built on it, and so are
// the project's own tests (infra/apitest) and benchmarks; the HTTP client is
// injectable (Client.HTTP), so a test can wrap its transport.
package filegate

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
	// Limiter paces the bytes of every upload (Uploader) and Download this
	// client makes, all together (nil: no limit).
	Limiter *RateLimiter
}

// File is the native File as the wire carries it, with the upload session's
// URL and headers when it was just created.
type File struct {
	ID                 string            `json:"id"`
	Status             string            `json:"status"`
	Filename           string            `json:"filename"`
	MimeType           string            `json:"mimeType"`
	SizeBytes          int64             `json:"sizeBytes"`
	Purpose            *string           `json:"purpose"`
	CreatedAt          string            `json:"createdAt"`
	CompletedAt        *string           `json:"completedAt"`
	ExpiresAt          *string           `json:"expiresAt"`
	RetentionExpiresAt *string           `json:"retentionExpiresAt"`
	Rejection          *Rejection        `json:"rejection"`
	SHA256             string            `json:"sha256"`
	ClaimedSHA256      string            `json:"claimedSha256"`
	Multipart          *Multipart        `json:"multipart"`
	Scan               *Scan             `json:"scan"`
	UploadURL          string            `json:"uploadUrl"`
	UploadHeaders      map[string]string `json:"uploadHeaders"`
}

// Scan is a file's malware scan, once its bytes passed validation (where
// the deployment scans): "pending" while the file waits for a verdict (it
// reads PENDING), then "clean", "infected" or "unsupported".
type Scan struct {
	Status string `json:"status"`
}

// Rejection is why a REJECTED file failed validation.
type Rejection struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is the native error envelope.
type Error struct {
	Error struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Param   string `json:"param"`
	} `json:"error"`
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
	return c.do(ctx, method, path, nil, body, out)
}

// do is Do with extra request headers.
func (c *Client) do(ctx context.Context, method, path string, header http.Header, body, out any) (Response, error) {
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
	for k, v := range header {
		req.Header[k] = v
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

// CreateFile opens an upload session (POST /v1/files) for body's fields
// (filename, mimeType, sizeBytes, …); anything but a 200 is an error.
func (c *Client) CreateFile(ctx context.Context, body map[string]any) (File, error) {
	var f File
	return f, c.expect(ctx, http.MethodPost, "/v1/files", body, &f)
}

// CompleteFile completes id; anything but a 200 with a COMPLETED file is an error.
func (c *Client) CompleteFile(ctx context.Context, id string) (File, error) {
	var f File
	if err := c.expect(ctx, http.MethodPost, "/v1/files/"+id+"/complete", map[string]any{}, &f); err != nil {
		return f, err
	}
	if f.Status != "COMPLETED" {
		return f, fmt.Errorf("complete %s: status %s", id, f.Status)
	}
	return f, nil
}

// Upload PUTs size bytes of body to f's presigned URL; anything but a 200 is an error.
func (c *Client) Upload(ctx context.Context, f File, body io.Reader, size int64) error {
	st, err := Put(ctx, c.HTTP, f.UploadURL, f.UploadHeaders, body, size)
	if err == nil && st != http.StatusOK {
		err = fmt.Errorf("PUT %s: %d", f.ID, st)
	}
	return err
}

// expect is Do where anything but a 2xx is an error.
func (c *Client) expect(ctx context.Context, method, path string, body, out any) error {
	res, err := c.Do(ctx, method, path, body, out)
	if err == nil && res.Status/100 != 2 {
		err = fmt.Errorf("%s %s: %d %s", method, path, res.Status, bytes.TrimSpace(res.Body))
	}
	return err
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
