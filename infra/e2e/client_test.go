package e2e

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
)

// tenant is one project with a key, as a client sees it: the shared test
// kit's, plus this suite's own helpers.
type tenant struct{ *apitest.Tenant }

// newTenant mints a key for a fresh project with the given scopes (both by default).
func newTenant(t *testing.T, scopes ...string) *tenant {
	t.Helper()
	return &tenant{apitest.NewTenant(t, stack, scopes...)}
}

// call sends a request with key ("" sends none) and decodes a JSON answer into out.
func call(t *testing.T, key, method, path string, body any, out any) int {
	t.Helper()
	c := apitest.Tenant{T: t, Client: filegate.Client{Base: stack.APIURL, Key: key}}
	return c.Call(method, path, body, out)
}

// put uploads body to a presigned URL with the given headers; returns the status.
func put(t *testing.T, url string, headers map[string]string, body []byte) int {
	t.Helper()
	return apitest.Put(t, url, headers, body)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
