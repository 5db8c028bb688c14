// Package uploadpage plays the host application of the drop-in upload page
// (web/upload: Uppy's Dashboard with Filegate's plugin, whose bundle
// infra/tools/uppy.sh builds into web/upload/dist) on the local stack: it
// serves the page from an origin of its own, as a web app would (and, for
// `make dev`, the API's OpenAPI
// documents), and mints the page's upload tokens with an API key it keeps
// server-side (POST /upload/token, which the page's tokenUrl names) for
// its own logged-in user only: a one-time login link opens a session
// (an HttpOnly, SameSite=Strict cookie), and token requests need that
// session and must come from the host's own page. `make dev` and the
// browser test both run it; it is the reference a production host copies.
package uploadpage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"github.com/filegate/filegate/filegate"
)

// Host is the page's host application.
type Host struct {
	Dir string          // web/upload
	API filegate.Client // the Filegate API, with the host's API key
	// Mint is the body of every mint (limits, lifetime), with Renew set.
	Mint filegate.UploadTokenRequest
	// OpenAPIDir, if set, is served at /openapi/ (the API's documents).
	OpenAPIDir string
	// Origin is where the host serves (http://127.0.0.1:3001): login links
	// name it, and it alone may ask for tokens. Required.
	Origin string
	// OnLogin, if set, runs after each login (`make dev` writes a fresh
	// login link for the next browser).
	OnLogin func()

	logins logins
}

// Bundle is the page's script, under Dir, which infra/tools/uppy.sh builds.
const Bundle = "dist/filegate-page.js"

// Built says how to build the page of dir (a Host's Dir) when its bundle
// is missing.
func Built(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, Bundle)); err != nil {
		return fmt.Errorf("the upload page is not built (%w): run `make web` (bash infra/tools/uppy.sh), which `make dev` runs", err)
	}
	return nil
}

// Handler serves the page under /upload/, its token endpoint and /login.
func (h *Host) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /upload/", http.StripPrefix("/upload/", http.FileServer(http.Dir(filepath.Clean(h.Dir)))))
	mux.HandleFunc("POST /upload/token", h.token)
	mux.HandleFunc("GET /login", h.login)
	if h.OpenAPIDir != "" {
		mux.Handle("GET /openapi/", http.StripPrefix("/openapi/", http.FileServer(http.Dir(filepath.Clean(h.OpenAPIDir)))))
	}
	return h.sameHost(mux)
}

func (h *Host) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !h.authorize(w, r) {
		return
	}
	var in struct {
		Renew string `json:"renew"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8192)).Decode(&in); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "the body must be {\"renew\": <token>} or {}")
		return
	}
	token, err := h.Token(r.Context(), in.Renew)
	var refused *Refusal
	switch {
	case errors.As(err, &refused):
		writeError(w, http.StatusBadRequest, refused.Error())
		return
	case err != nil:
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"token": token})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Refusal is the API's 4xx answer to a mint: a renewal it will not make
// (the token expired too long ago, or its key is revoked).
type Refusal struct {
	Status int
	Body   string
}

func (e *Refusal) Error() string {
	return fmt.Sprintf("the API refused the upload token: %d %s", e.Status, e.Body)
}

// Token mints a token (renewing renew, if set).
func (h *Host) Token(ctx context.Context, renew string) (string, error) {
	req := h.Mint
	req.Renew = renew
	t, err := h.API.MintUploadToken(ctx, req)
	var apiErr *filegate.APIError
	if errors.As(err, &apiErr) && apiErr.Status >= 400 && apiErr.Status < 500 {
		return "", &Refusal{Status: apiErr.Status, Body: apiErr.Error()}
	}
	if err != nil {
		return "", fmt.Errorf("minting an upload token: %w", err)
	}
	return t.Token, nil
}

// PageURL is the page at origin, configured for the API and token, with
// renewals (and, without token, the first token) from the host's endpoint;
// the token rides in the fragment, which browsers never send to a server.
func PageURL(origin, api, token string, autoStart bool) string {
	q := url.Values{"tokenUrl": {"/upload/token"}}
	if !autoStart {
		q.Set("autostart", "0")
	}
	frag := url.Values{"api": {api}}
	if token != "" {
		frag.Set("token", token)
	}
	return origin + "/upload/?" + q.Encode() + "#" + frag.Encode()
}
