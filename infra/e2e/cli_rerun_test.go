package e2e

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/filegate/filegate/filegate"
)

// completeFault stands between the CLI and the API. Armed, it keeps the
// CLI from learning how its complete went: dropAnswer lets the complete
// reach the API and drops the answer (the CLI dies before it learns the
// upload completed); otherwise it refuses the complete with a 503 (the S3
// event completes the upload meanwhile). Everything else passes.
type completeFault struct {
	target     *url.URL
	armed      atomic.Bool
	dropAnswer bool
	proxy      *httputil.ReverseProxy
}

func newCompleteFault(t *testing.T, dropAnswer bool) (*completeFault, string) {
	t.Helper()
	target, err := url.Parse(stack.APIURL)
	if err != nil {
		t.Fatal(err)
	}
	f := &completeFault{target: target, dropAnswer: dropAnswer, proxy: httputil.NewSingleHostReverseProxy(target)}
	f.armed.Store(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: f}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return f, "http://" + ln.Addr().String()
}

func (f *completeFault) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !f.armed.Load() || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/complete") {
		f.proxy.ServeHTTP(w, r)
		return
	}
	if !f.dropAnswer {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"error":{"type":"service_unavailable","message":"injected"}}`)
		return
	}
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host, out.Host, out.RequestURI = f.target.Scheme, f.target.Host, "", ""
	if resp, err := http.DefaultClient.Do(out); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close() // the answer never arrives
	}
}

// Issue 27.3: running `filegate upload` again after the server settled the
// upload, when the first run never learned it had (its complete's answer
// lost, or its complete refused while the S3 event completed the file),
// reports the file the first run made instead of uploading every byte again
// as a second file: the CLI keeps an Idempotency-Key per upload in its
// state, saved before the create, and a keyed create repeated after its
// file settled answers with the file as it is.
//
// Not parallel: it moves 12 MiB through the local stack at full speed.
func TestCLIRerunAfterTheServerCompletedReportsTheFile(t *testing.T) {
	for _, tc := range []struct {
		name       string
		size       int
		dropAnswer bool
	}{
		{"multipart, complete's answer lost", 12 << 20, true},
		{"single PUT, complete refused, the event completed it", 100 << 10, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTenant(t)
			path, sum := randomFile(t, "data.bin", tc.size)
			fault, front := newCompleteFault(t, tc.dropAnswer)
			args := []string{"upload", "--json", "--part-size-mib", "5", "--state-dir", t.TempDir(), path}
			run := func() *uploadLineOrErr {
				cmd := c.cliCommand(args...)
				cmd.Env = append(cmd.Env, "FILEGATE_API_URL="+front)
				out, err := cmd.Output()
				r := &uploadLineOrErr{err: err}
				if err == nil {
					if jerr := json.Unmarshal(out, &r.line); jerr != nil {
						t.Fatalf("the CLI printed %q: %v", out, jerr)
					}
				}
				return r
			}
			if first := run(); first.err == nil {
				t.Fatalf("the first run succeeded (%+v) though it never learned how its complete went", first.line)
			}
			only := onlyFile(t, c)
			c.WaitStatus(only.ID, "COMPLETED")

			fault.armed.Store(false)
			again := run()
			if again.err != nil {
				t.Fatalf("the second run: %v", again.err)
			}
			if r := again.line; r.ID != only.ID || r.Status != "COMPLETED" || r.BytesSent != 0 || r.SHA256 != sum {
				t.Errorf("the second run reported %+v; want the first run's file %s, COMPLETED, sha256 %s, 0 bytes sent", r, only.ID, sum)
			}
			if n := len(listAll(t, c)); n != 1 {
				t.Errorf("the project holds %d files after the second run, want the one", n)
			}
		})
	}
}

type uploadLineOrErr struct {
	line uploadLine
	err  error
}

// onlyFile is the project's one file.
func onlyFile(t *testing.T, c *tenant) filegate.File {
	t.Helper()
	all := listAll(t, c)
	if len(all) != 1 {
		t.Fatalf("the project holds %d files, want 1", len(all))
	}
	return all[0]
}

// listAll is the project's first page of files (at most 25).
func listAll(t *testing.T, c *tenant) []filegate.File {
	t.Helper()
	p, err := c.Client.List(t.Context(), 25, 0)
	if err != nil {
		t.Fatal(err)
	}
	return p.Data
}
