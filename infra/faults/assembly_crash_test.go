package faults

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
)

// assemblyHold stands between the functions and storage (presigned URLs
// name it too). Armed, it holds the next CompleteMultipartUpload without
// forwarding it, as storage that has not assembled yet, and reports it on
// held; everything else passes, its Host kept for the signatures.
type assemblyHold struct {
	URL   string
	proxy *httputil.ReverseProxy
	mu    sync.Mutex
	armed bool
	held  chan struct{}
}

func newAssemblyHold(t *testing.T, storage string) *assemblyHold {
	t.Helper()
	target, err := url.Parse(storage)
	if err != nil {
		t.Fatal(err)
	}
	h := &assemblyHold{held: make(chan struct{}, 1), proxy: &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
	}}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	h.URL = "http://" + ln.Addr().String()
	return h
}

func (h *assemblyHold) arm() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.armed = true
}

func (h *assemblyHold) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	assembly := r.Method == http.MethodPost && q.Has("uploadId") && !q.Has("partNumber")
	h.mu.Lock()
	hold := assembly && h.armed
	h.armed = h.armed && !hold
	h.mu.Unlock()
	if !hold {
		h.proxy.ServeHTTP(w, r)
		return
	}
	h.held <- struct{}{}
	<-r.Context().Done() // never forwarded: the caller gives up first
}

// freeAddr is a free 127.0.0.1 port's address.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Issue 27.1: once complete has answered 202 (storage still assembling a
// multipart upload), the service owns finishing it. Here the assembly is
// cut off: storage never gets the request, then crashes and restarts, and
// no S3 event ever comes. With no further client call, the scheduled
// reconcile run after the assembly grace (2 s here) assembles the upload
// from the parts the session's upload holds and settles the file.
func TestMultipartCutOffAfter202ConvergesWithoutTheClient(t *testing.T) {
	storage := freeAddr(t)
	hold := newAssemblyHold(t, "http://"+storage)
	const grace = 2 * time.Second
	st := startStack(t, func(o *localstack.Options) {
		o.S3Addr = storage
		o.Env["AWS_ENDPOINT_URL_S3"] = hold.URL
		o.Env["ASSEMBLY_GRACE_SECONDS"] = "2"
	})
	ctx := context.Background()
	c := newClient(t, st)
	body := uniquePDF(1)
	f, err := c.Client.Create(ctx, filegate.CreateRequest{Filename: "m.pdf", MimeType: "application/pdf", SizeBytes: int64(len(body)),
		Multipart: &filegate.MultipartRequest{PartSizeBytes: 5 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	parts, err := c.Client.SignParts(ctx, f.ID, []filegate.PartRequest{{Number: 1}})
	if err != nil || len(parts) != 1 {
		t.Fatalf("sign part: %v %v", parts, err)
	}
	if code, err := apitest.PutWith(ctx, nil, parts[0].URL, parts[0].Headers, bytes.NewReader(body), int64(len(body))); err != nil || code != http.StatusOK {
		t.Fatalf("PUT part: %d %v", code, err)
	}

	hold.arm()
	got, accepted, err := c.Client.Complete(ctx, f.ID, "")
	if err != nil || !accepted || got.Status != "PENDING" {
		t.Fatalf("complete while storage holds the assembly: %+v accepted=%v %v; want 202 PENDING", got, accepted, err)
	}
	select {
	case <-hold.held:
	default:
		t.Fatal("complete answered 202 without asking storage to assemble")
	}
	if err := st.MinIO.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := st.MinIO.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(grace + 500*time.Millisecond)
	if got, err = c.Client.Get(ctx, f.ID); err != nil || got.Status != "PENDING" {
		t.Fatalf("before reconcile: %+v %v; want the file PENDING (no event came)", got, err)
	}
	run, cancel := context.WithTimeout(ctx, st.Template.Functions["ReconcileFunction"].Timeout)
	defer cancel()
	if _, err := st.Reconcile(run, events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events", Detail: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if got, err = c.Client.Get(ctx, f.ID); err != nil || got.Status != "COMPLETED" {
		t.Fatalf("after the scheduled reconcile run: %+v %v; want COMPLETED with no client call", got, err)
	}
	u, _, err := c.Client.DownloadURL(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	back, _ := io.ReadAll(resp.Body)
	if want, gotSum := sha256.Sum256(body), sha256.Sum256(back); resp.StatusCode != http.StatusOK || hex.EncodeToString(want[:]) != hex.EncodeToString(gotSum[:]) {
		t.Errorf("download: %d, %d bytes; want the uploaded %d bytes", resp.StatusCode, len(back), len(body))
	}
}
