package uploadpage_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// installChromium is what `make test` runs when Chromium is missing.
const installChromium = "apt-get install -y chromium"

// chromium finds Debian's Chromium; missing, the test fails saying how to
// get it (`make test` installs it first when it may: infra/tools/chromium.sh).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("Chromium is missing: the upload page's browser test needs Debian's chromium package.\nInstall it with:\n\n  %s\n\n(as root; `make test` does this itself when it runs as root)", installChromium)
	return ""
}

// buildPage builds the page's bundle from the pinned npm packages, as
// `make dev` and `make test` do (infra/tools/uppy.sh: npm ci once, then
// esbuild), so the test runs on its own too.
func buildPage(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "bash", "../tools/uppy.sh").CombinedOutput()
	if err != nil {
		t.Fatalf("building the upload page (infra/tools/uppy.sh) failed: %v\n%s", err, out)
	}
}

// startBrowser starts headless Chromium with a fresh profile, for the life
// of the test.
func startBrowser(t *testing.T, path string) context.Context {
	alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1000, 760), chromedp.UserDataDir(t.TempDir()),
		chromedp.DisableGPU, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true))...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancelBrowser)
	// The first run starts the browser, for the life of bctx; steps then
	// get deadlines of their own.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return bctx
}

// emulateNetworkConditions is DevTools' Network.emulateNetworkConditions,
// which takes the page offline (cdproto lists only its by-rule successor,
// which this Chromium refuses with "Invalid parameters").
var emulateNetworkConditions = cdp.Command[networkConditions, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

type networkConditions struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`            // ms
	DownloadThroughput float64 `json:"downloadThroughput"` // bytes/s; -1: none
	UploadThroughput   float64 `json:"uploadThroughput"`   // bytes/s; -1: none
}

var (
	offline  = networkConditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}
	restored = networkConditions{DownloadThroughput: -1, UploadThroughput: -1}
)

// storageRequest is one request the checking proxy before MinIO answered.
type storageRequest struct {
	Method, Path string
	PartNumber   string // a part PUT's ?partNumber
	ListParts    bool   // GET ?uploadId (S3 ListParts)
	Status       int    // 0: the client went away before an answer
}

// storageLog records every request of the stack's storage (localstack's
// StorageFront seam): the part PUTs a browser sends, the ListParts the API
// makes.
type storageLog struct {
	mu   sync.Mutex
	reqs []storageRequest
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (l *storageLog) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		q := r.URL.Query()
		l.mu.Lock()
		defer l.mu.Unlock()
		l.reqs = append(l.reqs, storageRequest{Method: r.Method, Path: r.URL.Path, PartNumber: q.Get("partNumber"),
			ListParts: r.Method == http.MethodGet && q.Has("uploadId"), Status: rec.status})
	})
}

// mark is the log's length, to count what follows it.
func (l *storageLog) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.reqs)
}

// parts counts, from mark on, the part PUTs to the object key and those
// storage took (2xx), and the ListParts of its upload.
func (l *storageLog) parts(key string, mark int) (attempts, stored, lists int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.reqs[mark:] {
		if !strings.HasSuffix(r.Path, "/"+key) {
			continue
		}
		if r.ListParts {
			lists++
		}
		if r.Method == http.MethodPut && r.PartNumber != "" {
			attempts++
			if r.Status >= 200 && r.Status < 300 {
				stored++
			}
		}
	}
	return attempts, stored, lists
}

// bigPDF writes a file of size bytes that validation takes as a PDF (its
// first 16 KiB, all validation reads, are a PDF header and zeros) and whose
// rest is random, so its digest is its own.
func bigPDF(t *testing.T, dir, name string, size int) (string, []byte) {
	body := make([]byte, size)
	copy(body, pdfBytes)
	_, _ = rand.Read(body[16<<10:])
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, body, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, body
}

// axeViolations runs axe-core (web/uppy's pinned package) on the page and
// lists its serious and critical violations, each with where it is.
func axeViolations(ctx context.Context, t *testing.T) []string {
	src, err := os.ReadFile("../../web/uppy/node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core (built with the page by infra/tools/uppy.sh): %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(src)+";undefined")); err != nil {
		t.Fatalf("injecting axe-core: %v", err)
	}
	// Judge the page at rest: Uppy fades panels and buttons in and out, and
	// an element caught mid-fade is half transparent, so axe would measure
	// a contrast no user sees once it settles (a "Back" button flagged under
	// load). Finite animations and transitions are waited out; endless ones
	// (spinners) are left running.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(done => {
		const settled = () => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity);
		const began = Date.now();
		const poll = () => settled() ? done(true) : Date.now() - began > 5000 ? done(false) : setTimeout(poll, 50);
		poll();
	})`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("waiting for the page's animations to end: %v", err)
	}
	var out []string
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ['violations']}).then(r =>
		r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
			.map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', ')))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe-core: %v", err)
	}
	out = append(out, found...)
	return out
}

// writeArtifact keeps a test artifact (never committed) under
// $FILEGATE_ARTIFACTS, or the system temp dir, and logs where.
func writeArtifact(t *testing.T, name string, data []byte) {
	dir := os.Getenv("FILEGATE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "filegate-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

func screenshot(ctx context.Context, t *testing.T, name string) {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	writeArtifact(t, name, png)
}

// pageState is the page's results, row by row, for failure messages.
func pageState(ctx context.Context) string {
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#results li')].map(l => l.dataset.name + ' [' + l.dataset.status + '] ' + l.textContent).join('\n')`))
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	return s
}
