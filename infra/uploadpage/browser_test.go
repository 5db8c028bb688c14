package uploadpage_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/chromedp/chromedp"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/uploadpage"
	"github.com/filegate/filegate/shared/files"
)

var (
	pdfBytes = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"), make([]byte, 64)...)
)

const (
	bigSize  = 64 << 20 // a large file: multipart in the page's 8 MiB parts
	partSize = 8 << 20
	bigParts = bigSize / partSize
)

// uppyPage is the Uppy page of one test, driven in Chromium, against the
// local stack and the page's host.
type uppyPage struct {
	t       *testing.T
	ctx     context.Context // the browser's tab
	st      *localstack.Stack
	ten     *apitest.Tenant
	host    *uploadpage.Host
	origin  string
	storage *storageLog
}

func row(name string) string { return fmt.Sprintf(`#results li[data-name=%q]`, name) }

// open loads the page (the host's first token, the Dashboard ready); with a
// login, the token's limits are in place before it returns.
func (p *uppyPage) open(ctx context.Context, loggedIn bool) error {
	steps := []chromedp.Action[chromedp.Void]{
		// Via about:blank: the page's own URL differs only in its fragment,
		// which a browser navigates to without loading the page again.
		chromedp.Navigate("about:blank"),
		chromedp.Navigate(uploadpage.PageURL(p.origin, p.st.APIURL, "", true)),
		chromedp.WaitReady(picker),
	}
	if loggedIn {
		steps = append(steps, chromedp.WaitReady(`body[data-token=ready]`))
	}
	return chromedp.Do(ctx, steps...)
}

// picker is the Dashboard's file input (the other one picks folders).
const picker = `.uppy-Dashboard-input[name="files[]"]:not([webkitdirectory])`

// add gives the Dashboard's file picker the files.
func add(paths ...string) chromedp.Action[chromedp.Void] {
	return chromedp.SetUploadFiles(picker, paths, chromedp.NodeReady)
}

// upload opens the page, runs hook there (Uppy's events are in reach as
// filegateUppy) and gives the Dashboard the file.
func (p *uppyPage) upload(ctx context.Context, hook, path string) {
	p.t.Helper()
	if err := p.open(ctx, true); err != nil {
		p.t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](hook+"; undefined")); err != nil {
		p.t.Fatalf("the page's hook: %v", err)
	}
	if err := chromedp.Do(ctx, add(path)); err != nil {
		p.t.Fatal(err)
	}
}

// reset removes every file of the page (cancelling the unsettled ones) and
// lets Golden Retriever save that, so the next page starts empty.
func (p *uppyPage) reset(ctx context.Context) {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`filegateUppy.cancelAll(); undefined`)); err != nil {
		p.t.Fatalf("clearing the page: %v", err)
	}
	_ = chromedp.Do(ctx, chromedp.Sleep(800*time.Millisecond)) // Golden Retriever saves every 500 ms
}

// fileID is the Filegate id the page shows for name.
func (p *uppyPage) fileID(ctx context.Context, name string) string {
	p.t.Helper()
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(row(name), "data-file-id"))
	if err != nil || attr.Value == "" {
		p.t.Fatalf("%s: no file id in the page (%v)\npage:\n%s", name, err, pageState(ctx))
	}
	return attr.Value
}

// apiFile is the file as the API has it, with the project's key.
func (p *uppyPage) apiFile(id string) filegate.File {
	p.t.Helper()
	var f filegate.File
	if st := p.ten.Call("GET", "/v1/files/"+id, nil, &f); st != http.StatusOK {
		p.t.Fatalf("GET %s: %d", id, st)
	}
	return f
}

// objectKey is where storage keeps file id.
func (p *uppyPage) objectKey(id string) string {
	stored, ok := files.ParseFileID(id)
	if !ok {
		p.t.Fatalf("%q is no file id", id)
	}
	return files.ObjectKey(p.ten.ProjectID, stored)
}

// storedSHA256 reads the object straight from MinIO (not the API) and
// hashes it.
func (p *uppyPage) storedSHA256(id string) [32]byte {
	p.t.Helper()
	out, err := p.st.S3Client().GetObject(p.t.Context(), &s3.GetObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(p.objectKey(id))})
	if err != nil {
		p.t.Fatalf("reading %s from storage: %v", id, err)
	}
	defer out.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, out.Body); err != nil {
		p.t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

// storedParts is how many parts storage holds of file id (the API's
// ListParts, with the project's key).
func (p *uppyPage) storedParts(id string) int {
	p.t.Helper()
	var listed struct{ Data []any }
	if st := p.ten.Call("GET", "/v1/files/"+id+"/parts", nil, &listed); st != http.StatusOK {
		p.t.Fatalf("list parts of %s: %d", id, st)
	}
	return len(listed.Data)
}

// noObject waits up to 10 s for storage to hold no object and no open
// multipart upload for file id.
func (p *uppyPage) noObject(id string) {
	p.t.Helper()
	key := p.objectKey(id)
	s3c := p.st.S3Client()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, err := s3c.HeadObject(p.t.Context(), &s3.HeadObjectInput{Bucket: aws.String(localstack.BucketName), Key: &key})
		var nf *s3types.NotFound
		ups, lerr := s3c.ListMultipartUploads(p.t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String(localstack.BucketName), Prefix: &key})
		if errors.As(err, &nf) && lerr == nil && len(ups.Uploads) == 0 {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: storage still holds %s (%v) or its multipart upload (%v) 10 s after its cancel", id, key, err, ups)
		}
	}
}

// TestUploadPageInChromium runs the drop-in page (Uppy's Dashboard with
// Filegate's plugin and Golden Retriever) in headless Chromium against the
// local stack. The page is served from an origin of its own, so Chromium
// sends real CORS preflights to the API gateway and, through the checking
// proxy, to storage, under template.yaml's CORS rules. It gets no token
// before its user logs in to the host; then tokens limited to PDFs.
func TestUploadPageInChromium(t *testing.T) {
	browser := chromium(t)
	buildPage(t)
	pageLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + pageLn.Addr().String()
	storage := &storageLog{}
	st, err := localstack.Start(t.Context(), localstack.Options{Root: "../..", AllowedOrigins: []string{origin}, StorageFront: storage.front, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("the local stack did not start: %v (run `make tools`)", err)
	}
	t.Cleanup(st.Stop)
	ten := apitest.NewTenant(t, st)
	host := &uploadpage.Host{Dir: "../../web/upload", API: filegate.Client{Base: st.APIURL, Key: ten.Key},
		Mint: filegate.UploadTokenRequest{MaxFiles: 20, MimeTypes: []string{"application/pdf"}}, Origin: origin}
	srv := &http.Server{Handler: host.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(pageLn) }()
	t.Cleanup(func() { _ = srv.Close() })
	p := &uppyPage{t: t, ctx: startBrowser(t, browser), st: st, ten: ten, host: host, origin: origin, storage: storage}

	// Each step gets its own deadline; all of them are bounded by the test's.
	step := func(name string, d time.Duration, f func(t *testing.T, ctx context.Context)) {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(p.ctx, d)
			defer cancel()
			p.t = t
			f(t, ctx)
		})
		p.t = t
	}
	// Every step needs the login, so it is no subtest of its own.
	loginCtx, cancelLogin := context.WithTimeout(p.ctx, 60*time.Second)
	p.login(t, loginCtx)
	cancelLogin()
	step("Outcomes", 60*time.Second, p.outcomes)
	step("PauseAndResume", 60*time.Second, p.pauseAndResume)
	step("Offline", 60*time.Second, p.offline)
	step("Reload", 60*time.Second, p.reload)
	step("CancelMidUpload", 40*time.Second, p.cancelMidUpload)
}

// writeFiles writes each named body to a file of dir and answers the paths.
func writeFiles(t *testing.T, bodies map[string][]byte) map[string]string {
	dir := t.TempDir()
	paths := map[string]string{}
	for name, body := range bodies {
		paths[name] = filepath.Join(dir, name)
		if err := os.WriteFile(paths[name], body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// login: no token before a login (a file fails with the host's refusal in
// words, and the API never sees it); the one-time login link opens an
// HttpOnly session and lands on the page, which gets its token.
func (p *uppyPage) login(t *testing.T, ctx context.Context) {
	t.Helper()
	paths := writeFiles(t, map[string][]byte{"report.pdf": pdfBytes})
	if err := p.open(ctx, false); err != nil {
		t.Fatalf("the page before a login: %v", err)
	}
	if err := chromedp.Do(ctx, add(paths["report.pdf"]), chromedp.WaitVisible(row("report.pdf")+`[data-status=ERROR]`)); err != nil {
		t.Fatalf("a file before a login: %v\npage:\n%s", err, pageState(ctx))
	}
	if msg, err := chromedp.Run(ctx, chromedp.Text(row("report.pdf")+` [data-role=state]`)); err != nil || !strings.Contains(msg, "log in") {
		t.Errorf("the page before a login shows %q (%v): want the host's refusal", msg, err)
	}
	p.reset(ctx)

	if err := chromedp.Do(ctx, chromedp.Navigate(p.host.LoginURL()), chromedp.WaitReady(`body[data-token=ready]`)); err != nil {
		t.Fatalf("logging in: %v", err)
	}
	if cookies, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`)); err != nil || cookies != "" {
		t.Errorf("the page's script reads the cookies %q (%v): the session must be HttpOnly", cookies, err)
	}
	var page struct{ Data []filegate.File }
	if st := p.ten.Call("GET", "/v1/files", nil, &page); st != http.StatusOK || len(page.Data) != 0 {
		t.Errorf("the project holds %d files (%d) after the refused upload, want none", len(page.Data), st)
	}
}

// outcomes: a file the token forbids is refused in the page before any
// request; a PDF ends COMPLETED and a PNG named .pdf REJECTED with
// validation's reason, as the API has them; no serious or critical
// axe-core violation, empty or with files.
func (p *uppyPage) outcomes(t *testing.T, ctx context.Context) {
	paths := writeFiles(t, map[string][]byte{"report.pdf": pdfBytes, "photo.pdf": pngBytes, "notes.txt": []byte("plain text\n")})
	if err := p.open(ctx, true); err != nil {
		t.Fatal(err)
	}
	if bad := axeViolations(ctx, t); len(bad) > 0 {
		t.Errorf("axe-core, the empty page: %d serious or critical violations:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}

	// No CDN: everything the page loaded came from its own host (the
	// token from its host too).
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`performance.getEntriesByType('resource').map(e => e.name)`))
	if err != nil || !slices.ContainsFunc(loaded, func(u string) bool { return strings.HasSuffix(u, uploadpage.Bundle) }) {
		t.Errorf("the page loaded %v (%v): want its bundle among them", loaded, err)
	}
	for _, u := range loaded {
		if !strings.HasPrefix(u, p.origin+"/") {
			t.Errorf("the page loaded %s, which its own host does not serve", u)
		}
	}

	// A text file, which the token (PDFs only) forbids: refused in the
	// page, no request made.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`performance.clearResourceTimings()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, add(paths["notes.txt"]), chromedp.WaitVisible(row("notes.txt")+`[data-status=REFUSED]`), chromedp.Sleep(300*time.Millisecond)); err != nil {
		t.Fatalf("a forbidden file: %v\npage:\n%s", err, pageState(ctx))
	}
	if msg, _ := chromedp.Run(ctx, chromedp.Text(row("notes.txt"))); !strings.Contains(msg, "application/pdf") {
		t.Errorf("the forbidden file shows %q: want the allowed types", msg)
	}
	requests := chromedp.Evaluate[[]string](`performance.getEntriesByType('resource').map(e => e.name)`)
	sent, err := chromedp.Run(ctx, requests)
	if err != nil || len(sent) > 0 {
		t.Errorf("adding a forbidden file sent %v (%v); want no request", sent, err)
	}

	if err := chromedp.Do(ctx,
		add(paths["report.pdf"], paths["photo.pdf"]),
		chromedp.WaitVisible(row("report.pdf")+`[data-status=COMPLETED]`),
		chromedp.WaitVisible(row("photo.pdf")+`[data-status=REJECTED]`),
	); err != nil {
		t.Fatalf("the page did not reach the expected states: %v\npage:\n%s", err, pageState(ctx))
	}
	// The page's own requests are in the list the check above found empty.
	if sent, err := chromedp.Run(ctx, requests); err != nil || !slices.ContainsFunc(sent, func(u string) bool { return strings.HasPrefix(u, p.st.APIURL+"/v1/files") }) {
		t.Errorf("after two uploads the page's requests are %v (%v): the check for none proves nothing", sent, err)
	}
	reason, err := chromedp.Run(ctx, chromedp.Text(row("photo.pdf")+` [data-role=state]`))
	if err != nil || !strings.Contains(reason, "image/png") {
		t.Errorf("the rejected file shows %q (%v): want the reason (its bytes are image/png)", reason, err)
	}
	for name, want := range map[string]string{"report.pdf": "COMPLETED", "photo.pdf": "REJECTED"} {
		f := p.apiFile(p.fileID(ctx, name))
		if f.Status != want || f.Filename != name {
			t.Errorf("%s in the API: %s %q, want %s", name, f.Status, f.Filename, want)
		}
		if want == "REJECTED" && (f.Rejection == nil || !strings.Contains(reason, f.Rejection.Message)) {
			t.Errorf("%s: the API's rejection %+v is not what the page shows (%q)", name, f.Rejection, reason)
		}
	}
	if bad := axeViolations(ctx, t); len(bad) > 0 {
		t.Errorf("axe-core, files done: %d serious or critical violations:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	screenshot(ctx, t, "dashboard-outcomes.png")
	p.reset(ctx)
}

// waitRow waits for name's row to show status.
func waitRow(ctx context.Context, t *testing.T, name, status string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(row(name)+`[data-status="`+status+`"]`)); err != nil {
		t.Fatalf("%s never showed %s: %v\npage:\n%s", name, status, err, pageState(ctx))
	}
}

// pauseAndResume: a 64 MiB file goes multipart; the page pauses it when its
// first part is stored (on Uppy's part event), it stays paused, resumes
// from the Dashboard's own button and ends COMPLETED; the object storage
// holds has the file's SHA-256.
func (p *uppyPage) pauseAndResume(t *testing.T, ctx context.Context) {
	path, body := bigPDF(t, t.TempDir(), "paused.pdf", bigSize)
	p.upload(ctx, `filegateUppy.once('s3-multipart:part-uploaded', (f) => filegateUppy.pauseResume(f.id))`, path)
	waitRow(ctx, t, "paused.pdf", "PAUSED")
	id := p.fileID(ctx, "paused.pdf")
	if f := p.apiFile(id); f.Status != "PENDING" {
		t.Fatalf("the paused file is %s in the API, want PENDING", f.Status)
	}
	// Parts in flight when it paused were aborted: what storage holds stays.
	_ = chromedp.Do(ctx, chromedp.Sleep(500*time.Millisecond))
	held := p.storedParts(id)
	_ = chromedp.Do(ctx, chromedp.Sleep(time.Second))
	if again := p.storedParts(id); held < 1 || again != held || held >= bigParts {
		t.Fatalf("paused after its first part, storage holds %d parts, then %d; want at least 1 of %d, and no more while paused", held, again, bigParts)
	}
	screenshot(ctx, t, "dashboard-mid-upload.png")
	if bad := axeViolations(ctx, t); len(bad) > 0 {
		t.Errorf("axe-core, an upload paused: %d serious or critical violations:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	mark := p.storage.mark()
	if err := chromedp.Do(ctx, chromedp.Click(`button[aria-label="Resume upload"]`)); err != nil {
		t.Fatalf("resuming from the Dashboard: %v", err)
	}
	waitRow(ctx, t, "paused.pdf", "COMPLETED")
	// Resumed, it sent only what storage lacked, a part whose PUT the pause
	// aborted but storage kept included (the page lists the parts first).
	if sent, ok, _ := p.storage.parts(p.objectKey(id), mark); sent != bigParts-held || ok != sent {
		t.Errorf("after the resume: %d part PUTs, %d stored; want exactly the %d parts storage lacked", sent, ok, bigParts-held)
	}
	if f := p.apiFile(id); f.Status != "COMPLETED" || f.SizeBytes != bigSize {
		t.Errorf("the resumed file in the API: %s, %d bytes", f.Status, f.SizeBytes)
	}
	if got := p.storedSHA256(id); got != sha256.Sum256(body) {
		t.Errorf("storage holds bytes whose SHA-256 is %x, not the file's", got)
	}
	screenshot(ctx, t, "dashboard-done.png")
	if bad := axeViolations(ctx, t); len(bad) > 0 {
		t.Errorf("axe-core, a large file done: %d serious or critical violations:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	p.reset(ctx)
}

// offline: the network is cut (DevTools offline) when the first part is
// stored, for two seconds (the page says the upload waits for the
// network), and restored: the upload goes on by itself. At
// storage, part PUTs that succeeded are exactly the parts, and all part
// PUTs at most the parts plus the requests Uppy runs at once.
func (p *uppyPage) offline(t *testing.T, ctx context.Context) {
	path, body := bigPDF(t, t.TempDir(), "offline.pdf", bigSize)
	// Part events reach the test through a binding (each call in a goroutine
	// of its own); the first takes the page offline.
	cut := make(chan error, 1)
	var first sync.Once
	err := chromedp.Do(ctx, chromedp.ExposeFunc("filegateTestPartStored", func(fctx context.Context, n int) (chromedp.Void, error) {
		first.Do(func() {
			_, err := chromedp.Call(fctx, emulateNetworkConditions, offline)
			cut <- err
		})
		return chromedp.Void{}, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	mark := p.storage.mark()
	p.upload(ctx, `filegateUppy.on('s3-multipart:part-uploaded', (f, part) => filegateTestPartStored(part.PartNumber))`, path)
	select {
	case err := <-cut:
		if err != nil {
			t.Fatalf("going offline: %v", err)
		}
	case <-ctx.Done():
		t.Fatalf("no part was ever stored\npage:\n%s", pageState(ctx))
	}
	_ = chromedp.Do(ctx, chromedp.Sleep(2*time.Second))
	online, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`navigator.onLine`))
	if err != nil || online {
		t.Errorf("the page is online (%v) while DevTools has it offline", err)
	}
	// Its user sees why nothing moves.
	waitRow(ctx, t, "offline.pdf", "OFFLINE")
	if msg, err := chromedp.Run(ctx, chromedp.Text(row("offline.pdf")+` [data-role=state]`)); err != nil || !strings.Contains(msg, "goes on by itself") {
		t.Errorf("offline, the page shows %q (%v): want that the upload waits for the network", msg, err)
	}
	screenshot(ctx, t, "dashboard-offline.png")
	id := p.fileID(ctx, "offline.pdf")
	held := p.storedParts(id)
	if held >= bigParts {
		t.Fatalf("storage held all %d parts before the network came back: the cut proves nothing (make the parts smaller)", held)
	}
	if _, err := chromedp.Call(ctx, emulateNetworkConditions, restored); err != nil {
		t.Fatal(err)
	}
	waitRow(ctx, t, "offline.pdf", "COMPLETED")
	limit, err := chromedp.Run(ctx, chromedp.Evaluate[int](`filegateUppy.getPlugin('Filegate:AwsS3').opts.limit`))
	if err != nil {
		t.Fatal(err)
	}
	attempts, ok, _ := p.storage.parts(p.objectKey(id), mark)
	t.Logf("offline after the first part for 2 s, with %d of %d parts stored; part PUTs at storage: %d attempts, %d stored, at most %d requests at once", held, bigParts, attempts, ok, limit)
	if ok != bigParts || attempts > bigParts+limit {
		t.Errorf("part PUTs at storage: %d stored, %d attempts; want exactly %d stored and at most %d attempts", ok, attempts, bigParts, bigParts+limit)
	}
	if got := p.storedSHA256(id); got != sha256.Sum256(body) {
		t.Errorf("storage holds bytes whose SHA-256 is %x, not the file's", got)
	}
	p.reset(ctx)
}

// reload: a page reload after two parts (the page holds the upload there,
// on Uppy's part event, until Golden Retriever has kept the file) resumes
// by itself from the parts storage holds: ListParts, and only the missing
// parts are sent again.
func (p *uppyPage) reload(t *testing.T, ctx context.Context) {
	path, body := bigPDF(t, t.TempDir(), "reloaded.pdf", bigSize)
	mark := p.storage.mark()
	p.upload(ctx, `{ let n = 0; filegateUppy.on('s3-multipart:part-uploaded', (f) => { if (++n === 2) filegateUppy.pauseResume(f.id) }) }`, path)
	waitRow(ctx, t, "reloaded.pdf", "PAUSED")
	id := p.fileID(ctx, "reloaded.pdf")
	// Golden Retriever keeps the bytes in IndexedDB and the state (with the
	// upload's id) in localStorage, every 500 ms: wait for both.
	kept := `new Promise((resolve) => { const q = indexedDB.open('uppy-blobs'); q.onerror = () => resolve(false);
		q.onsuccess = () => { const r = q.result.transaction('files').objectStore('files').count(); r.onsuccess = () => { q.result.close(); resolve(r.result === 1 && (localStorage.getItem('uppyState:filegate-page') || '').includes('` + id + `')) } } })`
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](kept, chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(200*time.Millisecond))); err != nil {
		t.Fatalf("Golden Retriever never kept the file: %v", err)
	}
	_ = chromedp.Do(ctx, chromedp.Sleep(600*time.Millisecond)) // the paused state's own save
	held := p.storedParts(id)
	if held < 2 || held >= bigParts {
		t.Fatalf("storage holds %d parts before the reload, want from 2 to %d", held, bigParts-1)
	}
	before := p.storage.mark()
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitRow(ctx, t, "reloaded.pdf", "COMPLETED")
	if got := p.fileID(ctx, "reloaded.pdf"); got != id {
		t.Errorf("after the reload the page shows file %s, want %s (the same upload)", got, id)
	}
	sent, afterOK, lists := p.storage.parts(p.objectKey(id), before)
	first, _, _ := p.storage.parts(p.objectKey(id), mark)
	t.Logf("part PUTs before the reload: %d, and %d parts stored; after it: %d sent, %d stored; ListParts at storage after it: %d", first-sent, held, sent, afterOK, lists)
	// After the reload only the parts storage lacked were sent: the page
	// asked which (ListParts; complete lists them at storage too). Before
	// it, a part whose PUT the pause aborted may still have been stored:
	// the client never saw it, ListParts did.
	if sent != bigParts-held || afterOK != bigParts-held || lists < 1 {
		t.Errorf("after the reload: %d part PUTs, %d stored, %d ListParts at storage; want exactly the %d parts storage lacked", sent, afterOK, lists, bigParts-held)
	}
	if got := p.storedSHA256(id); got != sha256.Sum256(body) {
		t.Errorf("storage holds bytes whose SHA-256 is %x, not the file's", got)
	}
	p.reset(ctx)
}

// cancelMidUpload: removing a file from the Dashboard while its parts are on
// the way cancels it: CANCELLED in the page and the API, and storage keeps
// neither an object nor its multipart upload.
func (p *uppyPage) cancelMidUpload(t *testing.T, ctx context.Context) {
	path, _ := bigPDF(t, t.TempDir(), "dropped.pdf", 3*partSize)
	p.upload(ctx, `filegateUppy.once('s3-multipart:part-uploaded', (f) => filegateUppy.removeFile(f.id))`, path)
	waitRow(ctx, t, "dropped.pdf", "CANCELLED")
	id := p.fileID(ctx, "dropped.pdf")
	if f := p.apiFile(id); f.Status != "CANCELLED" {
		t.Errorf("the removed file is %s in the API, want CANCELLED", f.Status)
	}
	p.noObject(id)
}
