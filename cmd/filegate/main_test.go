package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeAPI answers GET /v1/files/fil_1 with a file; it stands in for the API
// at the seam the flags reach (the e2e suite drives the real one).
func fakeAPI(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/files/fil_1" || r.Header.Get("Authorization") != "Bearer k" {
			http.Error(w, `{"error":{"type":"not_found","message":"no"}}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"fil_1","status":"COMPLETED","filename":"a.txt","mimeType":"text/plain","sizeBytes":3}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// runCLI runs the command line and returns its exit code and outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	stdout, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("FILEGATE_API_URL", "")
	t.Setenv("FILEGATE_API_KEY", "")
	code := run(context.Background(), args, stdout, stderr)
	stdout.Close()
	stderr.Close()
	out, _ := os.ReadFile(stdout.Name())
	errOut, _ := os.ReadFile(stderr.Name())
	return code, string(out), string(errOut)
}

// Flags go before or after a command's arguments, as the usage shows them
// (`download ID [-o OUT]`); "--" ends the flags.
func TestFlagsMayFollowArguments(t *testing.T) {
	api := fakeAPI(t)
	for _, args := range [][]string{
		{"info", "--json", "--api-url", api, "--api-key", "k", "fil_1"},
		{"info", "fil_1", "--json", "--api-url", api, "--api-key", "k"},
		{"info", "--api-url", api, "fil_1", "--api-key=k", "--json"},
	} {
		code, out, errOut := runCLI(t, args...)
		var f struct{ ID, Status string }
		if code != exitOK || json.Unmarshal([]byte(out), &f) != nil || f.ID != "fil_1" {
			t.Errorf("filegate %s: exit %d, stdout %q, stderr %q; want the file as JSON", strings.Join(args, " "), code, out, errOut)
		}
	}
	code, _, errOut := runCLI(t, "info", "--api-url", api, "--api-key", "k", "--", "--json")
	if code != exitRefused || !strings.Contains(errOut, "no") {
		t.Errorf(`filegate info -- --json: exit %d (%q); want "--json" taken as the id, and refused`, code, errOut)
	}
}
