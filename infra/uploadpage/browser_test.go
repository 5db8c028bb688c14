package uploadpage_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/uploadpage"
	"github.com/filegate/filegate/shared/files"
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

var (
	pdfBytes = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"), make([]byte, 64)...)
)

// TestUploadPageInChromium runs the drop-in page in headless Chromium
// against the local stack. The page is served from an origin of its own
// (another port than the API), so Chromium sends real CORS preflights to
// the API gateway and, through the checking proxy, to storage; the stack
// applies template.yaml's CORS rules with AllowedOrigins set to the page's
// origin, so a template that would block a browser fails here. The page
// gets no token before its user logs in to the host (a one-time link, an
// HttpOnly session cookie), then its first token from the host. Four files:
// a PDF (COMPLETED), a PNG named .pdf (REJECTED with its reason), one
// cancelled before its upload and one cancelled halfway through it, over a
// throttled network (both CANCELLED, and the second leaves no object); each
// state is read in the page and through the API with the project's key.
func TestUploadPageInChromium(t *testing.T) {
	browser := chromium(t)
	ctx := t.Context()
	pageLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + pageLn.Addr().String()
	st, err := localstack.Start(ctx, localstack.Options{Root: "../..", AllowedOrigins: []string{origin}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("the local stack did not start: %v (run `make tools`)", err)
	}
	t.Cleanup(st.Stop)
	ten := apitest.NewTenant(t, st)
	host := &uploadpage.Host{Dir: "../../web/upload", API: filegate.Client{Base: st.APIURL, Key: ten.Key}, Mint: map[string]any{"maxFiles": 4}, Origin: origin}
	srv := &http.Server{Handler: host.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(pageLn) }()
	t.Cleanup(func() { _ = srv.Close() })

	dir := t.TempDir()
	// big.pdf takes 16 s at the throttled 128 KiB/s: time to cancel it.
	big := append(append([]byte(nil), pdfBytes...), make([]byte, 2<<20)...)
	names := map[string][]byte{"report.pdf": pdfBytes, "photo.pdf": pngBytes, "later.pdf": pdfBytes, "big.pdf": big}
	var paths []string
	for _, n := range []string{"report.pdf", "photo.pdf", "later.pdf", "big.pdf"} {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, names[n], 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	bigPath, paths := paths[3], paths[:3]

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.WindowSize(900, 520), chromedp.Flag("disable-dev-shm-usage", true))...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithErrorf(t.Logf))
	defer cancelBrowser()
	// The first run starts the browser, for the life of bctx; the page's
	// steps then get a deadline of their own.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	steps, cancelSteps := context.WithTimeout(bctx, 90*time.Second)
	defer cancelSteps()

	// Not logged in, the page gets no token from its host: a file fails
	// with the host's reason, and the API never sees it.
	row := func(name string) string { return fmt.Sprintf(`li[data-name=%q]`, name) }
	if err := chromedp.Do(steps,
		chromedp.Navigate(uploadpage.PageURL(origin, st.APIURL, "", false)),
		chromedp.WaitVisible(`[data-role=dropzone]`),
		chromedp.SetUploadFiles(`input[type=file]`, paths[:1], chromedp.NodeReady),
		chromedp.WaitVisible(row("report.pdf")+`[data-status=ERROR]`),
	); err != nil {
		t.Fatalf("the page before a login: %v", err)
	}
	if msg, err := chromedp.Run(steps, chromedp.Text(row("report.pdf")+` [data-role=state]`)); err != nil || !strings.Contains(msg, "log in") {
		t.Errorf("the page before a login shows %q (%v): want the host's refusal", msg, err)
	}
	// The one-time login link opens a session the page's script cannot
	// read (HttpOnly) and lands on the page, which now gets its first
	// token from the host; every file gets its session first (autostart=0
	// waits for "Upload all").
	if err := chromedp.Do(steps,
		chromedp.Navigate(host.LoginURL()),
		chromedp.WaitVisible(`[data-role=dropzone]`),
	); err != nil {
		t.Fatalf("logging in: %v", err)
	}
	if cookies, err := chromedp.Run(steps, chromedp.Evaluate[string](`document.cookie`)); err != nil || cookies != "" {
		t.Errorf("the page's script reads the cookies %q (%v): the session must be HttpOnly", cookies, err)
	}
	if err := chromedp.Do(steps,
		chromedp.Navigate(uploadpage.PageURL(origin, st.APIURL, "", false)),
		chromedp.WaitVisible(`[data-role=dropzone]`),
		chromedp.SetUploadFiles(`input[type=file]`, paths, chromedp.NodeReady),
		chromedp.WaitVisible(row("report.pdf")+`[data-status=PENDING]`),
		chromedp.WaitVisible(row("photo.pdf")+`[data-status=PENDING]`),
		chromedp.WaitVisible(row("later.pdf")+`[data-status=PENDING]`),
		chromedp.Click(row("later.pdf")+` [data-role=cancel]`),
		chromedp.WaitVisible(row("later.pdf")+`[data-status=CANCELLED]`),
		chromedp.Click(`[data-role=start]`),
		chromedp.WaitVisible(row("report.pdf")+`[data-status=COMPLETED]`),
		chromedp.WaitVisible(row("photo.pdf")+`[data-status=REJECTED]`),
	); err != nil {
		states, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`[...document.querySelectorAll('li')].map(l => l.dataset.name + ': ' + l.textContent).join('\n')`))
		t.Fatalf("the page did not reach the expected states: %v\npage:\n%s", err, states)
	}
	reason, err := chromedp.Run(steps, chromedp.Text(row("photo.pdf")+` [data-role=state]`))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(steps, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reason, "image/png") {
		t.Errorf("the rejected file shows %q: want the reason (its bytes are image/png)", reason)
	}
	writeArtifact(t, "upload-page.png", png)

	// Cancelled while its bytes are on the way: the page aborts the PUT and
	// cancels the session; storage keeps no partial object.
	if _, err := chromedp.Call(steps, emulateNetworkConditions, networkConditions{UploadThroughput: 128 << 10, DownloadThroughput: -1}); err != nil {
		t.Fatalf("throttling the browser's network: %v", err)
	}
	if err := chromedp.Do(steps,
		chromedp.SetUploadFiles(`input[type=file]`, []string{bigPath}, chromedp.NodeReady),
		chromedp.WaitVisible(row("big.pdf")+`[data-status=PENDING]`),
		chromedp.Click(`[data-role=start]`),
		chromedp.WaitVisible(row("big.pdf")+`[data-status=UPLOADING]`),
		chromedp.Poll[chromedp.Void](`document.querySelector('li[data-name="big.pdf"] progress').value > 0.05`, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Click(row("big.pdf")+` [data-role=cancel]`),
		chromedp.WaitVisible(row("big.pdf")+`[data-status=CANCELLED]`),
	); err != nil {
		states, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`[...document.querySelectorAll('li')].map(l => l.dataset.name + ': ' + l.textContent).join('\n')`))
		t.Fatalf("cancelling big.pdf mid-upload: %v\npage:\n%s", err, states)
	}

	// The API agrees with the page, file by file.
	for name, want := range map[string]string{"report.pdf": "COMPLETED", "photo.pdf": "REJECTED", "later.pdf": "CANCELLED", "big.pdf": "CANCELLED"} {
		attr, err := chromedp.Run(steps, chromedp.AttributeValue(row(name), "data-file-id"))
		id := attr.Value
		if err != nil || id == "" {
			t.Fatalf("%s: no file id in the page (%v)", name, err)
		}
		var f filegate.File
		if st := ten.Call("GET", "/v1/files/"+id, nil, &f); st != http.StatusOK || f.Status != want || f.Filename != name {
			t.Errorf("%s (%s) in the API: %d %s %q, want %s", name, id, st, f.Status, f.Filename, want)
		}
		if want == "REJECTED" && (f.Rejection == nil || !strings.Contains(reason, f.Rejection.Message)) {
			t.Errorf("%s: the API's rejection %+v is not what the page shows (%q)", name, f.Rejection, reason)
		}
		if name == "big.pdf" {
			noObject(t, st, ten.ProjectID, id)
		}
	}
}

// emulateNetworkConditions is DevTools' Network.emulateNetworkConditions,
// which throttles the page's requests (cdproto lists only its by-rule
// successor, which this Chromium refuses with "Invalid parameters").
var emulateNetworkConditions = cdp.Command[networkConditions, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

type networkConditions struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`            // ms
	DownloadThroughput float64 `json:"downloadThroughput"` // bytes/s; -1: none
	UploadThroughput   float64 `json:"uploadThroughput"`   // bytes/s; -1: none
}

// noObject waits up to 10 s for storage to hold no object for file id (an
// upload that landed before its cancel is deleted by its S3 event).
func noObject(t *testing.T, st *localstack.Stack, projectID, id string) {
	t.Helper()
	stored, ok := files.CanonicalID(id)
	if !ok {
		t.Fatalf("%q is no file id", id)
	}
	key := files.ObjectKey(projectID, stored)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := st.S3Client().HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(localstack.BucketName), Key: &key})
		var nf *s3types.NotFound
		if errors.As(err, &nf) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: storage still holds %s 10 s after its cancel (%v)", id, key, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
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
