package history

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/historycheck"
)

// run is what the clients share: the history and the files they work on.
type run struct {
	rec     *historycheck.Recorder
	pool    *pool
	created atomic.Int64
	mu      sync.Mutex
	calls   map[historycheck.Kind]int
}

func (r *run) count(k historycheck.Kind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[historycheck.Kind]int{}
	}
	r.calls[k]++
}

func (r *run) counts() map[historycheck.Kind]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// file is one the clients know: its bytes, its upload session, and the
// download URLs handed out for it (a later fetch tries an earlier one).
type file struct {
	id        string
	body      []byte
	uploadURL string
	headers   map[string]string
	mu        sync.Mutex
	urls      []string
}

func (f *file) addURL(u string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.urls = append(f.urls, u)
}

func (f *file) url(rng *rand.Rand) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.urls) == 0 {
		return ""
	}
	return f.urls[rng.IntN(len(f.urls))]
}

// pool holds the liveFiles newest files.
type pool struct {
	mu    sync.Mutex
	files []*file
}

func (p *pool) add(f *file) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.files = append(p.files, f)
	if len(p.files) > liveFiles {
		p.files = p.files[1:]
	}
}

func (p *pool) pick(rng *rand.Rand) *file {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.files) == 0 {
		return nil
	}
	return p.files[rng.IntN(len(p.files))]
}

// kinds weighs the calls a client makes.
var kinds = []struct {
	kind   historycheck.Kind
	weight int
}{
	{historycheck.Create, 10}, {historycheck.Put, 18}, {historycheck.Complete, 14}, {historycheck.Cancel, 7},
	{historycheck.Delete, 6}, {historycheck.Get, 17}, {historycheck.Download, 12}, {historycheck.Fetch, 16},
}

func choose(rng *rand.Rand) historycheck.Kind {
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	n := rng.IntN(total)
	for _, k := range kinds {
		if n -= k.weight; n < 0 {
			return k.kind
		}
	}
	return historycheck.Get
}

// worker is one client: its own connection pool and choices.
type worker struct {
	*run
	id  int
	rng *rand.Rand
	api filegate.Client
}

func newHTTPClient() *http.Client {
	return &http.Client{Timeout: callTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
}

// loop makes calls until ctx ends; a call in flight then finishes (its
// own timeout bounds it).
func (w *worker) loop(ctx context.Context) {
	for ctx.Err() == nil {
		k := choose(w.rng)
		f := w.pool.pick(w.rng)
		if f == nil {
			k = historycheck.Create
		}
		if k == historycheck.Fetch && f.url(w.rng) == "" {
			k = historycheck.Download
		}
		w.count(k)
		if k == historycheck.Create {
			w.create()
			continue
		}
		w.call(f, k)
	}
}

// create opens a session for new, distinct bytes.
func (w *worker) create() {
	n := w.created.Add(1)
	name := fmt.Sprintf("h-%d.pdf", n)
	body := fmt.Appendf(nil, "%%PDF-1.4\n%% history file %d\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n", n)
	call := w.rec.Begin(w.id, historycheck.Input{Kind: historycheck.Create})
	var f filegate.File
	res, err := apitest.Do(context.Background(), &w.api, http.MethodPost, "/v1/files",
		map[string]any{"filename": name, "mimeType": "application/pdf", "sizeBytes": len(body)}, &f)
	out, ok := outcome(res.Status, err)
	if !ok {
		return
	}
	if out.Unknown || res.Status != http.StatusOK || f.ID == "" {
		call.EndCreate("", out) // names no file: no later call can refer to it
		return
	}
	out.Status = f.Status
	nf := &file{id: f.ID, body: body, uploadURL: f.UploadURL, headers: f.UploadHeaders}
	w.pool.add(nf)
	call.EndCreate(f.ID, out)
	if w.rng.IntN(10) < 7 { // as an uploading client would, most of the time
		w.count(historycheck.Put)
		w.call(nf, historycheck.Put)
	}
}

// answer is a file or an error, as the API sends either.
type answer struct {
	Status string `json:"status"`
	URL    string `json:"url"`
	Error  struct {
		Code string `json:"code"`
	} `json:"error"`
}

// routes are the API calls on one file: method and path after /v1/files/{id}.
var routes = map[historycheck.Kind]struct{ method, suffix string }{
	historycheck.Complete: {http.MethodPost, "/complete"},
	historycheck.Cancel:   {http.MethodPost, "/cancel"},
	historycheck.Delete:   {http.MethodDelete, ""},
	historycheck.Get:      {http.MethodGet, ""},
	historycheck.Download: {http.MethodGet, "/url"},
}

// call makes one call of kind k on f and records it.
func (w *worker) call(f *file, k historycheck.Kind) {
	call := w.rec.Begin(w.id, historycheck.Input{File: f.id, Kind: k})
	var (
		status int
		err    error
		a      answer
		intact bool
	)
	ctx := context.Background()
	switch k {
	case historycheck.Put:
		status, err = apitest.PutWith(ctx, w.api.HTTP, f.uploadURL, f.headers, bytes.NewReader(f.body), int64(len(f.body)))
	case historycheck.Fetch:
		status, intact, err = w.fetch(ctx, f.url(w.rng), f.body)
	default:
		r := routes[k]
		var body any
		if r.method == http.MethodPost {
			body = map[string]any{}
		}
		var res apitest.Response
		res, err = apitest.Do(ctx, &w.api, r.method, "/v1/files/"+f.id+r.suffix, body, &a)
		status = res.Status
	}
	out, ok := outcome(status, err)
	if !ok {
		return
	}
	if !out.Unknown {
		switch {
		case status == http.StatusOK && k == historycheck.Download:
			f.addURL(a.URL)
		case status == http.StatusOK && k != historycheck.Put && k != historycheck.Fetch:
			out.Status = a.Status
		case status == http.StatusConflict:
			out.Code = a.Error.Code
		}
		out.Intact = intact
	}
	call.End(out)
}

// fetch GETs a download URL and compares the bytes with body.
func (w *worker) fetch(ctx context.Context, url string, body []byte) (int, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, false, err
	}
	res, err := w.api.HTTP.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	return res.StatusCode, err == nil && bytes.Equal(got, body), err
}

// outcome classifies an answer: a definite one, unknown (no answer, or a
// 5xx: it may have been done), or none (ok false: a 429 refused the call
// before it did anything).
func outcome(status int, err error) (historycheck.Output, bool) {
	switch {
	case err != nil || status >= 500:
		return historycheck.Output{Unknown: true}, true
	case status == http.StatusTooManyRequests:
		return historycheck.Output{}, false
	}
	return historycheck.Output{HTTP: status}, true
}
