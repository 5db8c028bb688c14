package filegate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// The native API's endpoints as typed calls. A 4xx or 5xx answer is an
// *APIError.

// Multipart is a multipart session's plan, as a File shows it.
type Multipart struct {
	PartSizeBytes int64   `json:"partSizeBytes"`
	PartCount     int     `json:"partCount"`
	PartChecksum  *string `json:"partChecksum"`
}

// APIError is an answer other than 2xx, with the native error envelope.
type APIError struct {
	Status  int
	Type    string
	Code    string
	Message string
	Param   string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("%s (%d %s)", e.Message, e.Status, e.Code)
}

// call is Do where an answer other than 2xx is an *APIError.
func (c *Client) call(ctx context.Context, method, path string, body, out any) (int, error) {
	return c.callWith(ctx, method, path, nil, body, out)
}

// callWith is call with extra request headers.
func (c *Client) callWith(ctx context.Context, method, path string, header http.Header, body, out any) (int, error) {
	res, err := c.do(ctx, method, path, header, body, nil)
	if err != nil {
		return 0, err
	}
	if res.Status/100 != 2 {
		var env Error
		_ = json.Unmarshal(res.Body, &env)
		return res.Status, &APIError{Status: res.Status, Type: env.Error.Type, Code: env.Error.Code, Message: env.Error.Message, Param: env.Error.Param}
	}
	if out != nil && len(res.Body) > 0 {
		if err := json.Unmarshal(bytes.TrimSpace(res.Body), out); err != nil {
			return res.Status, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return res.Status, nil
}

// Get reads a file.
func (c *Client) Get(ctx context.Context, id string) (File, error) {
	var f File
	_, err := c.call(ctx, http.MethodGet, "/v1/files/"+url.PathEscape(id), nil, &f)
	return f, err
}

// Page is one page of the newest-first listing.
type Page struct {
	Data       []File `json:"data"`
	TotalCount int    `json:"totalCount"`
}

// List reads a page of the project's files (limit 1–25).
func (c *Client) List(ctx context.Context, limit, offset int) (Page, error) {
	var p Page
	_, err := c.call(ctx, http.MethodGet, fmt.Sprintf("/v1/files?limit=%d&offset=%d", limit, offset), nil, &p)
	return p, err
}

// DownloadURL is a presigned GET of a COMPLETED file.
func (c *Client) DownloadURL(ctx context.Context, id string) (string, time.Time, error) {
	var u struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expiresAt"`
	}
	_, err := c.call(ctx, http.MethodGet, "/v1/files/"+url.PathEscape(id)+"/url", nil, &u)
	return u.URL, u.ExpiresAt, err
}

// Cancel ends a PENDING file's upload session.
func (c *Client) Cancel(ctx context.Context, id string) (File, error) {
	var f File
	_, err := c.call(ctx, http.MethodPost, "/v1/files/"+url.PathEscape(id)+"/cancel", map[string]any{}, &f)
	return f, err
}

// Delete deletes a file and its bytes.
func (c *Client) Delete(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/v1/files/"+url.PathEscape(id), nil, nil)
	return err
}

// Create opens an upload session (see CreateRequest).
func (c *Client) Create(ctx context.Context, req CreateRequest) (File, error) {
	var f File
	_, err := c.call(ctx, http.MethodPost, "/v1/files", req, &f)
	return f, err
}

// CreateKeyed is Create under an Idempotency-Key. Repeated with the same
// key and request within 24 hours, it answers with the file the first one
// created, as that file is now: PENDING with a fresh upload URL while its
// session is open, else settled (or ended) with none.
func (c *Client) CreateKeyed(ctx context.Context, req CreateRequest, idempotencyKey string) (File, error) {
	var f File
	_, err := c.callWith(ctx, http.MethodPost, "/v1/files", http.Header{"Idempotency-Key": {idempotencyKey}}, req, &f)
	return f, err
}

// CreateRequest is POST /v1/files's body.
type CreateRequest struct {
	Filename  string `json:"filename"`
	MimeType  string `json:"mimeType"`
	SizeBytes int64  `json:"sizeBytes"`
	Purpose   string `json:"purpose,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
	// Multipart asks for a multipart session.
	Multipart *MultipartRequest `json:"multipart,omitempty"`
}

// MultipartRequest is the plan a multipart create asks for.
type MultipartRequest struct {
	PartSizeBytes int64  `json:"partSizeBytes"`
	PartChecksum  string `json:"partChecksum,omitempty"` // "SHA256" or ""
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
	st, err := c.call(ctx, http.MethodPost, "/v1/files/"+url.PathEscape(id)+"/complete", body, &f)
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
	_, err := c.call(ctx, http.MethodPost, "/v1/files/"+url.PathEscape(id)+"/parts", map[string]any{"parts": parts}, &out)
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
	_, err := c.call(ctx, http.MethodGet, "/v1/files/"+url.PathEscape(id)+"/parts", nil, &out)
	return out.Data, err
}

// UploadURL signs a fresh PUT for a single-PUT session.
func (c *Client) UploadURL(ctx context.Context, id string) (File, error) {
	var f File
	_, err := c.call(ctx, http.MethodPost, "/v1/files/"+url.PathEscape(id)+"/upload-url", map[string]any{}, &f)
	return f, err
}
