package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/filegate/filegate/infra/apiclient"
	"github.com/filegate/filegate/shared/auth"
)

// tenant is one project with a key, as a client sees it.
type tenant struct {
	t         *testing.T
	projectID string
	key       string
}

// newTenant mints a key for a fresh project with the given scopes (both by default).
func newTenant(t *testing.T, scopes ...string) *tenant {
	t.Helper()
	if len(scopes) == 0 {
		scopes = []string{auth.ScopeCreate, auth.ScopeRead}
	}
	project := apiclient.NewUUID()
	key, err := stack.MintKey(context.Background(), apiclient.NewUUID(), project, scopes...)
	if err != nil {
		t.Fatalf("mint key: %v", err)
	}
	return &tenant{t: t, projectID: project, key: key}
}

// call sends a request to the API and decodes a JSON response into out (if non-nil).
func (c *tenant) call(method, path string, body any, out any) int {
	c.t.Helper()
	return call(c.t, c.key, method, path, body, out)
}

func call(t *testing.T, key, method, path string, body any, out any) int {
	t.Helper()
	c := apiclient.Client{Base: stack.APIURL, Key: key}
	res, err := c.Do(context.Background(), method, path, body, out)
	if err != nil {
		t.Fatal(err)
	}
	return res.Status
}

// file is the native File as the wire carries it.
type file struct {
	ID            string  `json:"id"`
	Status        string  `json:"status"`
	Filename      string  `json:"filename"`
	MimeType      string  `json:"mimeType"`
	SizeBytes     int64   `json:"sizeBytes"`
	CreatedAt     string  `json:"createdAt"`
	CompletedAt   *string `json:"completedAt"`
	ExpiresAt     *string `json:"expiresAt"`
	Rejection     *struct{ Code, Message string }
	UploadURL     string            `json:"uploadUrl"`
	UploadHeaders map[string]string `json:"uploadHeaders"`
}

type apiError struct {
	Error struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// create starts an upload session and fails the test unless it is 200.
func (c *tenant) create(name, mimeType string, size int, purpose string) file {
	c.t.Helper()
	var f file
	body := map[string]any{"filename": name, "mimeType": mimeType, "sizeBytes": size}
	if purpose != "" {
		body["purpose"] = purpose
	}
	if st := c.call("POST", "/v1/files", body, &f); st != http.StatusOK {
		c.t.Fatalf("create: status %d", st)
	}
	return f
}

// put uploads body to a presigned URL with the given headers; returns the status.
func put(t *testing.T, url string, headers map[string]string, body []byte) int {
	t.Helper()
	st, err := apiclient.Put(context.Background(), nil, url, headers, bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// waitStatus polls GET until the file leaves PENDING or the deadline passes.
func (c *tenant) waitStatus(id string, want string) file {
	c.t.Helper()
	var f file
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if st := c.call("GET", "/v1/files/"+id, nil, &f); st != http.StatusOK {
			c.t.Fatalf("get %s: status %d", id, st)
		}
		if f.Status == want {
			return f
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("file %s is %s, want %s", id, f.Status, want)
	return f
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
