package filegate

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// The native API's endpoints as typed calls. A 4xx or 5xx answer is an
// *APIError; ids are escaped into the path.

// Get reads a file.
func (c *Client) Get(ctx context.Context, id string) (File, error) {
	var f File
	_, err := c.call(ctx, http.MethodGet, "/v1/files/"+url.PathEscape(id), nil, nil, &f)
	return f, err
}

// List reads a page of the project's files (limit 1–25).
func (c *Client) List(ctx context.Context, limit, offset int) (Page, error) {
	var p Page
	_, err := c.call(ctx, http.MethodGet, fmt.Sprintf("/v1/files?limit=%d&offset=%d", limit, offset), nil, nil, &p)
	return p, err
}

// DownloadURL is a presigned GET of a COMPLETED file.
func (c *Client) DownloadURL(ctx context.Context, id string) (string, time.Time, error) {
	var u struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expiresAt"`
	}
	_, err := c.call(ctx, http.MethodGet, "/v1/files/"+url.PathEscape(id)+"/url", nil, nil, &u)
	return u.URL, u.ExpiresAt, err
}

// Cancel ends a PENDING file's upload session.
func (c *Client) Cancel(ctx context.Context, id string) (File, error) {
	var f File
	_, err := c.call(ctx, http.MethodPost, "/v1/files/"+url.PathEscape(id)+"/cancel", nil, map[string]any{}, &f)
	return f, err
}

// Delete deletes a file and its bytes.
func (c *Client) Delete(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/v1/files/"+url.PathEscape(id), nil, nil, nil)
	return err
}

// Create opens an upload session (see CreateRequest).
func (c *Client) Create(ctx context.Context, req CreateRequest) (File, error) {
	var f File
	_, err := c.call(ctx, http.MethodPost, "/v1/files", nil, req, &f)
	return f, err
}

// CreateKeyed is Create under an Idempotency-Key. Repeated with the same
// key and request within 24 hours, it answers with the file the first one
// created, as that file is now: PENDING with a fresh upload URL while its
// session is open, else settled (or ended) with none.
func (c *Client) CreateKeyed(ctx context.Context, req CreateRequest, idempotencyKey string) (File, error) {
	var f File
	_, err := c.call(ctx, http.MethodPost, "/v1/files", http.Header{"Idempotency-Key": {idempotencyKey}}, req, &f)
	return f, err
}

// Complete asks the server to validate (and, for a multipart file,
// assemble) the upload; sha256 is a multipart file's whole-file digest ("":
// none). accepted is true for a 202: storage is still assembling, the file
// is PENDING, poll Get.
func (c *Client) Complete(ctx context.Context, id, sha256 string) (f File, accepted bool, err error) {
	body := map[string]any{}
	if sha256 != "" {
		body["sha256"] = sha256
	}
	st, err := c.call(ctx, http.MethodPost, "/v1/files/"+url.PathEscape(id)+"/complete", nil, body, &f)
	return f, st == http.StatusAccepted, err
}

// PartRequest asks for part Number's URL, signing its SHA-256 (hex) when
// the session checks part checksums.
type PartRequest struct {
	Number int    `json:"partNumber"`
	SHA256 string `json:"sha256,omitempty"`
}

// PartURL is a presigned part upload.
type PartURL struct {
	Number    int               `json:"partNumber"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expiresAt"`
}

// SignParts gets presigned URLs for up to 100 parts.
func (c *Client) SignParts(ctx context.Context, id string, parts []PartRequest) ([]PartURL, error) {
	var out struct {
		Data []PartURL `json:"data"`
	}
	_, err := c.call(ctx, http.MethodPost, "/v1/files/"+url.PathEscape(id)+"/parts", nil, map[string]any{"parts": parts}, &out)
	return out.Data, err
}

// StoredPart is a part storage holds.
type StoredPart struct {
	Number    int    `json:"partNumber"`
	SizeBytes int64  `json:"sizeBytes"`
	ETag      string `json:"etag"`
	SHA256    string `json:"sha256"`
}

// StoredParts lists the parts storage holds of a multipart session.
func (c *Client) StoredParts(ctx context.Context, id string) ([]StoredPart, error) {
	var out struct {
		Data []StoredPart `json:"data"`
	}
	_, err := c.call(ctx, http.MethodGet, "/v1/files/"+url.PathEscape(id)+"/parts", nil, nil, &out)
	return out.Data, err
}

// Upload PUTs size bytes of body to a PENDING single-PUT file's upload URL
// (f as Create, CreateKeyed or UploadURL answered), with the headers the
// URL was signed with, paced by the Client's Limiter. Storage refusing them
// (a 403 for a changed header, a 412 for bytes already there, a 400 for a
// wrong SHA-256) is an *APIError with code storage_refused.
func (c *Client) Upload(ctx context.Context, f File, body io.Reader, size int64) error {
	return c.put(ctx, f.UploadURL, f.UploadHeaders, c.Limiter.Reader(ctx, body), size)
}

// UploadURL signs a fresh PUT for a single-PUT session.
func (c *Client) UploadURL(ctx context.Context, id string) (File, error) {
	var f File
	_, err := c.call(ctx, http.MethodPost, "/v1/files/"+url.PathEscape(id)+"/upload-url", nil, map[string]any{}, &f)
	return f, err
}
