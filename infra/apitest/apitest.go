// Package apitest is the test kit the end-to-end, fault and other suites
// share over the filegate client package: a project's key on a running API,
// whose calls fail the test on transport errors instead of returning them,
// and the raw requests (raw.go) a typed client has no business sending.
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/openapicheck"
	"github.com/filegate/filegate/shared/auth"
)

// Tenant is one project's key on an API.
type Tenant struct {
	T         *testing.T
	ProjectID string
	OrgID     string // the key's organization ("" where a test built the Tenant itself)
	filegate.Client
}

// NewTenant mints a key for a fresh project of a fresh organization on st,
// with the given scopes (both by default).
func NewTenant(t *testing.T, st *localstack.Stack, scopes ...string) *Tenant {
	t.Helper()
	if len(scopes) == 0 {
		scopes = []string{auth.ScopeCreate, auth.ScopeRead}
	}
	org, project := NewUUID(), NewUUID()
	key, err := st.MintKey(context.Background(), org, project, scopes...)
	if err != nil {
		t.Fatalf("mint key: %v", err)
	}
	// Every answer is checked against the OpenAPI documents; the suite's
	// TestMain fails on what did not match (Violations).
	check, err := openapicheck.For(st.APIURL)
	if err != nil {
		t.Fatalf("the OpenAPI documents: %v", err)
	}
	hc := &http.Client{Transport: check.Transport(nil)}
	return &Tenant{T: t, ProjectID: project, OrgID: org, Client: filegate.Client{Base: st.APIURL, Key: key, HTTP: hc}}
}

// WithKey is the tenant calling with another credential (an upload token).
func (c *Tenant) WithKey(key string) *Tenant {
	other := *c
	other.Key = key
	return &other
}

// Do sends body as JSON and decodes a JSON answer into out (both may be nil).
func (c *Tenant) Do(method, path string, body, out any) (int, http.Header) {
	c.T.Helper()
	res, err := Do(context.Background(), &c.Client, method, path, body, out)
	if err != nil {
		c.T.Fatal(err)
	}
	return res.Status, res.Header
}

// Call is Do for its status alone.
func (c *Tenant) Call(method, path string, body, out any) int {
	c.T.Helper()
	status, _ := c.Do(method, path, body, out)
	return status
}

// Create opens an upload session ("" purpose: none) and fails the test
// unless it is a 200.
func (c *Tenant) Create(name, mimeType string, size int, purpose string) filegate.File {
	c.T.Helper()
	var f filegate.File
	body := map[string]any{"filename": name, "mimeType": mimeType, "sizeBytes": size}
	if purpose != "" {
		body["purpose"] = purpose
	}
	if st := c.Call("POST", "/v1/files", body, &f); st != http.StatusOK {
		c.T.Fatalf("create %s: status %d", name, st)
	}
	return f
}

// WaitStatus polls GET until the file is in status want, for up to 20 s.
func (c *Tenant) WaitStatus(id string, want string) filegate.File {
	c.T.Helper()
	var f filegate.File
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if st := c.Call("GET", "/v1/files/"+id, nil, &f); st != http.StatusOK {
			c.T.Fatalf("get %s: status %d", id, st)
		}
		if f.Status == want {
			return f
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.T.Fatalf("file %s is %s, want %s", id, f.Status, want)
	return f
}

// Put uploads body to a presigned URL with the given headers and returns
// the status.
func Put(t *testing.T, url string, headers map[string]string, body []byte) int {
	t.Helper()
	st, err := PutWith(context.Background(), nil, url, headers, bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// SuiteFailures is what a stack suite's TestMain reports once its tests ran:
// DynamoDB requests a function's template policy refused (each is a
// permission the deployed function would lack), and answers a tenant's
// client received that do not match openapi/*.yaml; checked is how many
// answers were compared.
func SuiteFailures(st *localstack.Stack) (failures []string, checked int) {
	if denied := st.PolicyDenials(); len(denied) > 0 {
		failures = append(failures, fmt.Sprintf("template.yaml policies refused %d DynamoDB requests the functions made:\n  %s", len(denied), strings.Join(denied, "\n  ")))
	}
	check, err := openapicheck.For(st.APIURL)
	if err != nil || check == nil {
		return append(failures, fmt.Sprintf("the OpenAPI documents: %v", err)), 0
	}
	bad, checked := check.Violations()
	if len(bad) > 0 {
		failures = append(failures, fmt.Sprintf("%d of %d API responses do not match openapi/*.yaml:\n  %s", len(bad), checked, strings.Join(bad, "\n  ")))
	}
	return failures, checked
}

// CompatUploadPart posts one upload to the compat API at base, its file
// part with the given Content-Disposition and Content-Type; it returns the
// status and body.
func CompatUploadPart(t *testing.T, base, key, disposition, contentType, purpose string, body []byte) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", disposition)
	h.Set("Content-Type", contentType)
	fw, _ := w.CreatePart(h)
	fw.Write(body)
	w.WriteField("purpose", purpose)
	w.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/beta/files", &buf)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("upload (%s): %v", disposition, err)
		return 0, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}
