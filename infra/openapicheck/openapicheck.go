// Package openapicheck holds the API to its OpenAPI documents (openapi/):
// an http.RoundTripper for the test kit's clients that validates every
// response of the API against the document of its dialect
// (github.com/getkin/kin-openapi), and records what does not match, so the
// documents cannot drift from the code. It sits at the transport, under any
// client package, so it composes with whichever client the suites use.
package openapicheck

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Documents are the repository's OpenAPI documents, one per dialect.
var Documents = []string{"openapi/native.yaml", "openapi/compat.yaml"}

// Checker validates the responses of the API at one base URL.
type Checker struct {
	host    string
	routers []routers.Router
	mu      sync.Mutex
	bad     []string
	checked int
}

// Load reads the documents under root, for the API at base.
func Load(root, base string) (*Checker, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	c := &Checker{host: u.Host}
	for _, name := range Documents {
		doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join(root, name))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		doc.Servers = openapi3.Servers{{URL: base}} // the stack's port, not make dev's
		r, err := legacy.NewRouter(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		c.routers = append(c.routers, r)
	}
	return c, nil
}

var (
	sharedMu sync.Mutex
	shared   = map[string]*Checker{} // by base
)

// For is the process's checker of the API at base, loaded once from the
// repository that holds the working directory.
func For(base string) (*Checker, error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if c, ok := shared[base]; ok {
		return c, nil
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	c, err := Load(root, base)
	if err == nil {
		shared[base] = c
	}
	return c, err
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	for err == nil {
		if _, statErr := os.Stat(filepath.Join(dir, "go.mod")); statErr == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
	return "", err
}

// Transport validates every response base returns for the API's host.
func (c *Checker) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		res, err := base.RoundTrip(req)
		if err != nil || req.URL.Host != c.host || req.Method == http.MethodOptions {
			return res, err // presigned storage URLs and CORS preflights are not the API's
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil {
			return res, err
		}
		if problem := c.Check(req, res.StatusCode, res.Header, body); problem != "" {
			c.mu.Lock()
			c.bad = append(c.bad, problem)
			c.mu.Unlock()
		}
		return res, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Check validates one answer of the API to req (a request to the checker's
// base), counting it, and says what does not match ("": it matches).
// Transport records what it says; a caller with an answer from elsewhere
// (a function's binary) judges it itself.
func (c *Checker) Check(req *http.Request, status int, header http.Header, body []byte) string {
	c.mu.Lock()
	c.checked++
	c.mu.Unlock()
	for _, r := range c.routers {
		route, params, err := r.FindRoute(req)
		if err != nil {
			continue
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 status,
			Header:                 header,
			Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		in.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			return fmt.Sprintf("%s %s → %d %.300s: %v", req.Method, req.URL.Path, status, body, err)
		}
		return ""
	}
	return fmt.Sprintf("%s %s → %d: no operation of openapi/*.yaml documents it", req.Method, req.URL.Path, status)
}

// Violations are the responses that did not match, and how many were checked.
func (c *Checker) Violations() (bad []string, checked int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.bad...), c.checked
}
