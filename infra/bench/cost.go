package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/sdkcalls"
)

// Price is one us-east-1 list price, per unit, and when it was read.
type Price struct {
	What string
	USD  float64
	Unit string
	Date string
}

// Prices are the list prices the cost section charges (us-east-1, first
// tier, on-demand). DynamoDB's are after its 2024-11-01 on-demand cut.
var Prices = map[string]Price{
	"api":       {"API Gateway HTTP API request (≤ 512 KB, first 300 M a month)", 1.00 / 1e6, "request", "2026-12-07"},
	"lambdaReq": {"Lambda request", 0.20 / 1e6, "request", "2026-12-07"},
	"gbs":       {"Lambda duration, arm64 (first 7.5 B GB-s a month)", 0.0000133334, "GB-s", "2026-12-07"},
	"wru":       {"DynamoDB on-demand write request unit (since 2024-11-01)", 0.625 / 1e6, "WRU", "2026-12-07"},
	"rru":       {"DynamoDB on-demand read request unit (since 2024-11-01)", 0.125 / 1e6, "RRU", "2026-12-07"},
	"s3Put":     {"S3 Standard PUT, COPY, POST, LIST request", 0.005 / 1000, "request", "2026-12-07"},
	"s3Get":     {"S3 Standard GET and all other requests (DELETE free)", 0.0004 / 1000, "request", "2026-12-07"},
	"event":     {"EventBridge custom event (64 KB chunk)", 1.00 / 1e6, "event", "2026-12-07"},
	"scanGB":    {"GuardDuty Malware Protection for S3, data scanned", 0.09, "GB", "2026-12-07"},
	"scanObj":   {"GuardDuty Malware Protection for S3, object evaluated", 0.215 / 1000, "object", "2026-12-07"},
}

// minimalLambdaMs is the minimal design's billed duration per invocation: an assumption.
const minimalLambdaMs = 10

// costParts are the billable components: the price charged, the minimal
// design's quantity per upload, and the quantity a run counted.
var costParts = []struct {
	what, price string
	minimal     float64
	qty         func(c *costCount) float64
}{
	{"API Gateway requests", "api", 2, func(c *costCount) float64 { return float64(c.api) }},
	{"Lambda invocations", "lambdaReq", 2, func(c *costCount) float64 { return float64(total(c.invs)) }},
	{"Lambda GB-s", "gbs", 2 * minimalLambdaMs / 1000.0 * 256 / 1024, func(c *costCount) float64 { return c.gbs }},
	// A failed conditional write costs a WRU on AWS; DynamoDB Local reports none.
	{"DynamoDB writes", "wru", 1, func(c *costCount) float64 { return c.ddb.WCU + float64(c.ddb.Failed) }},
	{"DynamoDB reads", "rru", 0.5, func(c *costCount) float64 { return c.ddb.RCU }},
	{"S3 PUT/COPY/POST/LIST", "s3Put", 1, func(c *costCount) float64 { return float64(c.s3["PUT"] + c.s3["POST"] + c.s3["COPY"] + c.s3["LIST"]) }},
	{"S3 GET/HEAD", "s3Get", 1, func(c *costCount) float64 { return float64(c.s3["GET"] + c.s3["HEAD"]) }},
	{"EventBridge events", "event", 0, func(c *costCount) float64 { return float64(c.other["EventBridge.PutEvents"]) }},
}

// costMeter counts every billable call (invocations, DynamoDB units, S3
// requests by class, SDK and API calls) and, by function, the items written
// and the pk kinds read (the rate limiter's RATE# and LIMIT# among them).
type costMeter struct {
	mu     sync.Mutex
	invs   map[string]int
	billed map[string]float64        // ms, each invocation rounded up to 1 ms as Lambda bills
	s3     map[string]int            // by operation class
	keys   map[string]map[string]int // items written, by function, by pk|sk
	reads  map[string]int            // read calls by the pk kind of their first key
	api    atomic.Int64
	ddb    Meter
	sdk    sdkcalls.Counter
}

func (m *costMeter) reset() {
	m.mu.Lock()
	m.invs, m.billed, m.s3, m.keys, m.reads = map[string]int{}, map[string]float64{}, map[string]int{}, map[string]map[string]int{}, map[string]int{}
	m.mu.Unlock()
	m.api.Store(0)
	m.ddb.Reset()
	m.sdk.Reset()
}

func (m *costMeter) invoked(id string, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.invs != nil {
		m.invs[id]++
		m.billed[id] += math.Ceil(float64(took) / float64(time.Millisecond))
	}
}

// storage counts each request at the S3 proxy by price class.
func (m *costMeter) storage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, hasKey := r.URL.Query(), strings.Contains(strings.Trim(r.URL.Path, "/"), "/")
		class := r.Method // GET, HEAD, PUT, POST
		switch {
		case r.Method == http.MethodDelete || r.Method == http.MethodPost && q.Has("delete"):
			class = "DELETE"
		case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
			class = "COPY"
		case r.Method == http.MethodGet && (!hasKey || q.Has("uploadId") || q.Has("uploads")):
			class = "LIST"
		}
		m.mu.Lock()
		if m.s3 != nil {
			m.s3[class]++
		}
		m.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (m *costMeter) countAPI(next http.RoundTripper, host string) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host == host {
			m.api.Add(1)
		}
		return next.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// itemsOf records the item keys function id writes and the kinds it reads.
func (m *costMeter) itemsOf(id string) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("BenchItems", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			var written, read []map[string]types.AttributeValue
			switch v := in.Parameters.(type) {
			case *dynamodb.PutItemInput:
				written = append(written, v.Item)
			case *dynamodb.UpdateItemInput:
				written = append(written, v.Key)
			case *dynamodb.DeleteItemInput:
				written = append(written, v.Key)
			case *dynamodb.TransactWriteItemsInput:
				for _, t := range v.TransactItems {
					switch {
					case t.Put != nil:
						written = append(written, t.Put.Item)
					case t.Update != nil:
						written = append(written, t.Update.Key)
					case t.Delete != nil:
						written = append(written, t.Delete.Key)
					}
				}
			case *dynamodb.BatchWriteItemInput:
				for _, reqs := range v.RequestItems {
					for _, r := range reqs {
						if r.PutRequest != nil {
							written = append(written, r.PutRequest.Item)
						} else if r.DeleteRequest != nil {
							written = append(written, r.DeleteRequest.Key)
						}
					}
				}
			case *dynamodb.GetItemInput:
				read = append(read, v.Key)
			case *dynamodb.BatchGetItemInput:
				for _, ka := range v.RequestItems {
					read = append(read, ka.Keys[:min(len(ka.Keys), 1)]...)
				}
			}
			m.mu.Lock()
			if m.keys != nil { // reset
				if m.keys[id] == nil {
					m.keys[id] = map[string]int{}
				}
				for _, k := range written {
					m.keys[id][attr(k, "pk")+"|"+attr(k, "sk")]++
				}
				for _, k := range read {
					m.reads[strings.SplitN(attr(k, "pk"), "#", 2)[0]]++
				}
			}
			m.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	}
}

func attr(item map[string]types.AttributeValue, name string) string {
	if s, ok := item[name].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// kinds sums the writes of the functions pick selects, by the pk kind of
// the items written more than more times.
func (m *costMeter) kinds(pick func(id string) bool, more int) map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	all := map[string]int{}
	for id, keys := range m.keys {
		for k, c := range keys {
			if pick(id) {
				all[k] += c
			}
		}
	}
	out := map[string]int{}
	for k, c := range all {
		if c > more {
			out[strings.SplitN(k, "#", 2)[0]] += c
		}
	}
	return out
}

// sharedAfter: an upload writes its own items at most this often; more is several uploads' item.
const sharedAfter = 3

// costCount is one run of uploads, counted.
type costCount struct {
	rate             string
	clients          int
	secs, gbs        float64
	api              int64
	invs, s3, other  map[string]int
	shared           map[string]int // request-path writes to shared items, by kind
	ddb              Snapshot
	perUpload, ratio float64
}

// runCost prices n 1 MiB uploads + downloads, one at a time and from clients at once (README.md §12).
func (h *harness) runCost(ctx context.Context, c Config) (*Section, error) {
	const size = 1 << 20
	n := c.CostUploads
	minimal := 0.0
	for _, p := range costParts {
		minimal += p.minimal * Prices[p.price].USD
	}
	var runs []*costCount
	for _, run := range []struct {
		rate    string
		clients int
	}{{"1 upload/s (emulated: one at a time, each upload's stream records one batch)", 1}, {fmt.Sprintf("as fast as %d clients go", c.CostClients), c.CostClients}} {
		r, err := h.costRun(ctx, run.rate, n, run.clients, size)
		if err != nil {
			return nil, err
		}
		for _, p := range costParts {
			r.perUpload += p.qty(r) / float64(n) * Prices[p.price].USD
		}
		r.ratio = ratio(r.perUpload, minimal)
		runs = append(runs, r)
		h.logf("cost: %s: %.1f uploads/s, $%.7f per upload, %.2f× minimal", run.rate, float64(n)/r.secs, r.perUpload, r.ratio)
	}
	s := &Section{Name: "cost"}
	t := s.table(fmt.Sprintf("Cost per upload: create → PUT %s → complete → download URL → GET, priced at us-east-1 list prices", sizeLabel(size)),
		"component | unit | minimal design / upload | "+join(runs, "%s: per upload | $ per 1,000", " | ", func(r *costCount) any { return r.rate }))
	for _, p := range costParts {
		t.row("%s | %s | %s | %s", p.what, Prices[p.price].Unit, trimNum(p.minimal), join(runs, "%s | %.5f", " | ", func(r *costCount) any {
			q := p.qty(r) / float64(n)
			return []any{trimNum(q), q * Prices[p.price].USD * 1000}
		}))
	}
	t.row("**total** | | $%.7f | %s", minimal, join(runs, "**%.2f× minimal** | **%.5f**", " | ", func(r *costCount) any { return []any{r.ratio, r.perUpload * 1000} }))
	gb := float64(size) / (1 << 30)
	t.row("GuardDuty malware scan (own row, not in the ratio) | GB + object | | %s + 1 | %.5f", trimNum(gb), (gb*Prices["scanGB"].USD+Prices["scanObj"].USD)*1000)
	met, sharedOK := true, true
	var costs, shared []string
	for _, r := range runs {
		t.note("%s: %d uploads from %d clients in %.1f s (%.1f/s); invocations %s; DynamoDB %s; S3 %s; other SDK calls %s.",
			r.rate, n, r.clients, r.secs, float64(n)/r.secs, calls(r.invs), calls(r.ddb.Calls), calls(r.s3), calls(r.other))
		met = met && r.ratio <= 1.5
		costs = append(costs, fmt.Sprintf("%.2f× at %.1f uploads/s ($%.4f per 1,000)", r.ratio, float64(n)/r.secs, r.perUpload*1000))
		var kinds []string
		for _, k := range slices.Sorted(maps.Keys(r.shared)) {
			kinds = append(kinds, fmt.Sprintf("%s %.2f", k, float64(r.shared[k])/float64(n)))
			sharedOK = sharedOK && k == "RATE" // the rate limiter's buckets are shared by design, within their own budget
		}
		shared = append(shared, fmt.Sprintf("at %.1f uploads/s: %s", float64(n)/r.secs, strings.Join(kinds, ", ")))
	}
	wt := s.table("DynamoDB write units per upload, by item written (its sort key's kind: F file record, COUNT and POS the counters', BUCKET the rate limiter's) and where they go (the table, or a GSI's entry)",
		"item | to | "+join(runs, "%s", " | ", func(r *costCount) any { return r.rate }))
	where := map[string]bool{}
	for _, r := range runs {
		for k := range r.ddb.Writes {
			where[k] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(where)) {
		item, to, _ := strings.Cut(k, " ")
		wt.row("%s | %s | %s", item, to, join(runs, "%.2f", " | ", func(r *costCount) any { return r.ddb.Writes[k] / float64(n) }))
	}
	t.note("Minimal design: 2 API requests, 2 invocations of %d ms at 256 MB, 1 WRU, 0.5 RRU, 1 PUT, 1 GET. Units are DynamoDB Local's ConsumedCapacity (reported by every call that succeeded: %s), plus 1 WRU per failed conditional write (%s).",
		minimalLambdaMs, yes(runs[0].ddb.Reported), join(runs, "%d", ", ", func(r *costCount) any { return r.ddb.Failed }))
	pt := s.table("Prices (us-east-1 list prices)", "price | $ per unit | unit | read")
	for _, k := range slices.Sorted(maps.Keys(Prices)) {
		pt.row("%s | %.10g | %s | %s", Prices[k].What, Prices[k].USD, Prices[k].Unit, Prices[k].Date)
	}
	s.budget("request-path writes to items several uploads share, per upload", "0 (the rate limiter's buckets aside)", sharedOK, "%s", strings.Join(shared, "; "))
	s.budget("cost per 1 MiB upload + download vs a minimal design (excl. storage, transfer, scanning)", "≤ 1.5×", met, "%s", strings.Join(costs, "; "))
	return s, nil
}

// costRun counts n uploads of size bytes from clients; one client polls the stream feeds after every upload.
func (h *harness) costRun(ctx context.Context, rate string, n, clients int, size int64) (*costCount, error) {
	api, _, _, err := h.tenant(ctx)
	if err != nil {
		return nil, err
	}
	drain := func(slow bool) error {
		if !slow {
			return nil
		}
		if _, err := h.stack.Counters.Poll(ctx); err != nil {
			return err
		}
		_, err := h.stack.Events.Poll(ctx)
		return err
	}
	body := bytes.Repeat([]byte(" "), int(size))
	copy(body, "%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\n")
	if err := drain(true); err != nil { // what earlier sections left in the streams
		return nil, err
	}
	h.cost.reset()
	began := time.Now()
	err = parallel(ctx, clients, n, func(i int) error {
		var f filegate.File
		var url string
		for k, do := range []func() error{
			func() (err error) {
				f, err = api.Create(ctx, filegate.CreateRequest{Filename: fmt.Sprintf("cost-%d.pdf", i), MimeType: "application/pdf", SizeBytes: size})
				return err
			},
			func() error { return api.Upload(ctx, f, bytes.NewReader(body), size) },
			func() error { _, _, err := api.Complete(ctx, f.ID, ""); return err },
			func() (err error) { url, _, err = api.DownloadURL(ctx, f.ID); return err },
			func() error { return h.get(ctx, url) },
		} {
			if err := do(); err != nil {
				return fmt.Errorf("upload %d, step %d: %w", i, k+1, err)
			}
		}
		// One at a time, an upload's records are one batch: the template's
		// stream functions gather records for up to a second after the
		// first, and an upload's all come within that.
		return drain(clients == 1)
	})
	if err != nil {
		return nil, err
	}
	r := &costCount{rate: rate, clients: clients, secs: round2(time.Since(began).Seconds())}
	// Wait for process-upload (after each PUT's answer), then drain the stream feeds.
	_ = waitFor(ctx, 30*time.Second, 100*time.Millisecond, func() (bool, error) {
		h.cost.mu.Lock()
		defer h.cost.mu.Unlock()
		return h.cost.invs["ProcessUploadFunction"] >= n, nil
	})
	for range 3 {
		if err := drain(true); err != nil {
			return nil, err
		}
	}
	m := h.cost
	m.mu.Lock()
	r.api, r.invs, r.s3 = m.api.Load(), maps.Clone(m.invs), maps.Clone(m.s3)
	for id, ms := range m.billed {
		r.gbs += ms / 1000 * float64(h.stack.Template.Functions[id].MemorySize) / 1024
	}
	m.mu.Unlock()
	tpl := h.stack.Template
	r.shared = m.kinds(func(id string) bool { return len(tpl.Functions[id].Routes) > 0 || id == tpl.AuthorizerID }, sharedAfter)
	r.ddb, r.other = m.ddb.Snapshot(), map[string]int{}
	for op, k := range m.sdk.Snapshot() {
		if !strings.HasPrefix(op, "DynamoDB.") && !strings.HasPrefix(op, "S3.") {
			r.other[op] = k
		}
	}
	return r, nil
}

// get reads url to the end; anything but a 2xx is an error.
func (h *harness) get(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("GET %s: %d", req.URL.Path, resp.StatusCode)
	}
	return nil
}

// waitFor polls done every interval until it holds, fails, or timeout passes.
func waitFor(ctx context.Context, timeout, every time.Duration, done func() (bool, error)) error {
	for deadline := time.Now().Add(timeout); ; {
		ok, err := done()
		if ok || err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not done after %s", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
}
