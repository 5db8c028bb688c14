// Package uploadpage plays the host application of the drop-in upload page
// (web/upload) on the local stack: it serves the page from an origin of its
// own, as a web app would (and, for `make dev`, the API's OpenAPI documents), and mints the page's upload tokens with an API
// key it keeps server-side (POST /upload/token, which the page's tokenUrl
// names). `make dev` and the browser test both run it.
package uploadpage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"

	"github.com/filegate/filegate/filegate"
)

// Host is the page's host application.
type Host struct {
	Dir string          // web/upload
	API filegate.Client // the Filegate API, with the host's API key
	// Mint is the body of every mint (limits, lifetime), with renew added.
	Mint map[string]any
	// OpenAPIDir, if set, is served at /openapi/ (the API's documents).
	OpenAPIDir string
}

// Handler serves the page under /upload/ and its token endpoint.
func (h *Host) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /upload/", http.StripPrefix("/upload/", http.FileServer(http.Dir(filepath.Clean(h.Dir)))))
	mux.HandleFunc("POST /upload/token", h.token)
	if h.OpenAPIDir != "" {
		mux.Handle("GET /openapi/", http.StripPrefix("/openapi/", http.FileServer(http.Dir(filepath.Clean(h.OpenAPIDir)))))
	}
	return mux
}

func (h *Host) token(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Renew string `json:"renew"`
	}
	_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 8192)).Decode(&in)
	token, err := h.Token(r.Context(), in.Renew)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]string{"token": token})
}

// Token mints a token (renewing renew, if set).
func (h *Host) Token(ctx context.Context, renew string) (string, error) {
	body := map[string]any{}
	for k, v := range h.Mint {
		body[k] = v
	}
	if renew != "" {
		body["renew"] = renew
	}
	var out struct {
		Token string `json:"token"`
	}
	res, err := h.API.Do(ctx, "POST", "/v1/upload-tokens", body, &out)
	if err != nil {
		return "", err
	}
	if res.Status != http.StatusOK {
		return "", fmt.Errorf("minting an upload token: %d %s", res.Status, res.Body)
	}
	return out.Token, nil
}

// PageURL is the page at origin, configured for the API and token, with
// renewals from the host's endpoint; the token rides in the fragment, which
// browsers never send to a server.
func PageURL(origin, api, token string, autoStart bool) string {
	q := url.Values{"tokenUrl": {"/upload/token"}}
	if !autoStart {
		q.Set("autostart", "0")
	}
	frag := url.Values{"api": {api}, "token": {token}}
	return origin + "/upload/?" + q.Encode() + "#" + frag.Encode()
}
