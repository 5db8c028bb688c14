package filegate

import (
	"context"
	"net/http"
	"time"
)

// UploadTokenRequest is POST /v1/upload-tokens's body: the limits of a
// short-lived token a browser uploads with (zero values: the API's
// defaults), or Renew, a token of this project to continue with the same
// id, budget and files.
type UploadTokenRequest struct {
	ExpiresInSeconds int      `json:"expiresInSeconds,omitempty"`
	MaxFiles         int      `json:"maxFiles,omitempty"`
	MaxBytes         int64    `json:"maxBytes,omitempty"`
	MimeTypes        []string `json:"mimeTypes,omitempty"`
	Purpose          string   `json:"purpose,omitempty"`
	Renew            string   `json:"renew,omitempty"`
}

// UploadToken is a minted upload token and what it allows; a Client with
// it as Key creates and uploads files within those limits, and nothing else.
type UploadToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	MaxFiles  int       `json:"maxFiles"`
	MaxBytes  int64     `json:"maxBytes"`
	MimeTypes []string  `json:"mimeTypes"`
	Purpose   *string   `json:"purpose"`
}

// MintUploadToken mints an upload token (API keys with files:create only).
func (c *Client) MintUploadToken(ctx context.Context, req UploadTokenRequest) (UploadToken, error) {
	var t UploadToken
	_, err := c.call(ctx, http.MethodPost, "/v1/upload-tokens", nil, req, &t)
	return t, err
}
