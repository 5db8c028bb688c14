package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/localstack/samtemplate"
	"github.com/filegate/filegate/infra/sdkcalls"
)

// Price is one us-east-1 list price, per unit, and when it was read.
type Price struct {
	What string  `json:"what"`
	USD  float64 `json:"usd_per_unit"`
	Unit string  `json:"unit"`
	Date string  `json:"date"`
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

// costMeter counts every billable call: invocations, DynamoDB units, S3 requests by class, SDK and API calls.
type costMeter struct {
	mu     sync.Mutex
	invs   map[string]int
	billed map[string]float64        // ms, each invocation rounded up to 1 ms as Lambda bills
	s3     map[string]int            // by operation class
	keys   map[string]map[string]int // items written, by function, by pk|sk
	api    atomic.Int64
	ddb    Meter
	sdk    sdkcalls.Counter
}

func (m *costMeter) reset() {
	m.mu.Lock()
	m.invs, m.billed, m.s3, m.keys = map[string]int{}, map[string]float64{}, map[string]int{}, map[string]map[string]int{}
	m.mu.Unlock()
	m.api.Store(0)
	m.ddb.Reset()
	m.sdk.Reset()
}

func (m *costMeter) invoked(id string, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.invs == nil {
		m.invs, m.billed = map[string]int{}, map[string]float64{}
	}
	m.invs[id]++
	m.billed[id] += math.Ceil(float64(took) / float64(time.Millisecond))
}

// storage counts each request at the S3 proxy by price class.
func (m *costMeter) storage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		if m.s3 == nil {
			m.s3 = map[string]int{}
		}
		m.s3[s3Class(r)]++
		m.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func s3Class(r *http.Request) string {
	q := r.URL.Query()
	hasKey := strings.Contains(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodDelete || r.Method == http.MethodPost && q.Has("delete"):
		return "DELETE"
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
		return "COPY"
	case r.Method == http.MethodPut, r.Method == http.MethodPost:
		return r.Method
	case r.Method == http.MethodGet && (!hasKey || q.Has("uploadId") || q.Has("uploads")):
		return "LIST"
	}
	return r.Method // GET, HEAD
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

// CostRun is one run of uploads, counted and priced.
type CostRun struct {
	Rate          string             `json:"rate"`
	Uploads       int                `json:"uploads"`
	Clients       int                `json:"clients"`
	Seconds       float64            `json:"seconds"`
	PerSecond     float64            `json:"uploads_per_second"`
	APIRequests   int64              `json:"api_requests"`
	Invocations   map[string]int     `json:"invocations"`
	BilledMs      map[string]float64 `json:"billed_ms"`
	GBs           float64            `json:"gb_seconds"`
	DynamoDB      Snapshot           `json:"dynamodb"`
	S3            map[string]int     `json:"s3_requests"`
	OtherSDKCalls map[string]int     `json:"other_sdk_calls"`
	// SharedWrites: request-path writes per upload to items written > sharedAfter times, by pk prefix.
	SharedWrites map[string]float64 `json:"shared_item_writes_per_upload"`
	Rows         []CostRow          `json:"rows"`
	PerUpload    float64            `json:"usd_per_upload"`
	Ratio        float64            `json:"vs_minimal"`
}

// CostRow is one billable component: quantity per upload and its price.
type CostRow struct {
	Component string  `json:"component"`
	PerUpload float64 `json:"quantity_per_upload"`
	Unit      string  `json:"unit"`
	USD       float64 `json:"usd_per_1000_uploads"`
	Minimal   float64 `json:"minimal_quantity_per_upload"`
}

// CostResult is section `cost`.
type CostResult struct {
	FileBytes   int64     `json:"file_bytes"`
	Runs        []CostRun `json:"runs"`
	Minimal     float64   `json:"minimal_usd_per_upload"`
	Scan        CostRow   `json:"scan_guardduty"`
	ScanObj     CostRow   `json:"scan_guardduty_objects"`
	Prices      []Price   `json:"prices"`
	Met         bool      `json:"met"`
	memory      map[string]int
	requestPath map[string]bool // the functions behind API routes and the authorizer
}

// runCost prices n 1 MiB uploads + downloads, one at a time and from clients at once (README.md §12).
func (h *harness) runCost(ctx context.Context, root string, n, clients int) (*CostResult, error) {
	mem, err := memorySizes(filepath.Join(root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	tpl, err := samtemplate.ReadTemplate(filepath.Join(root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	res := &CostResult{FileBytes: 1 << 20, memory: mem, requestPath: map[string]bool{}}
	for id, f := range tpl.Functions {
		res.requestPath[id] = len(f.Routes) > 0 || id == tpl.AuthorizerID
	}
	for _, k := range slices.Sorted(maps.Keys(Prices)) {
		res.Prices = append(res.Prices, Prices[k])
	}
	res.Minimal = minimalCost()
	for _, run := range []struct {
		rate    string
		clients int
	}{{"1 upload/s (emulated: one at a time, stream batches of one record)", 1}, {fmt.Sprintf("as fast as %d clients go", clients), clients}} {
		r, err := h.costRun(ctx, res, run.rate, n, run.clients)
		if err != nil {
			return res, err
		}
		res.Runs = append(res.Runs, *r)
		h.logf("cost: %s: %.1f uploads/s, $%.7f per upload, %.2f× minimal", run.rate, r.PerSecond, r.PerUpload, r.Ratio)
	}
	res.Met = true
	for _, r := range res.Runs {
		res.Met = res.Met && r.Ratio <= 1.5
	}
	mib := float64(res.FileBytes) / (1 << 30)
	res.Scan = CostRow{"GuardDuty scan: data", mib, "GB", mib * Prices["scanGB"].USD * 1000, 0}
	res.ScanObj = CostRow{"GuardDuty scan: objects", 1, "object", Prices["scanObj"].USD * 1000, 0}
	return res, nil
}

func (h *harness) costRun(ctx context.Context, res *CostResult, rate string, n, clients int) (*CostRun, error) {
	api, _, _, err := h.tenant(ctx)
	if err != nil {
		return nil, err
	}
	slow := clients == 1
	step := func() error {
		if !slow {
			return nil
		}
		if _, err := h.stack.Counters.Poll(ctx); err != nil {
			return err
		}
		_, err := h.stack.Events.Poll(ctx)
		return err
	}
	body := bytes.Repeat([]byte(" "), int(res.FileBytes))
	copy(body, "%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\n")
	if err := step(); err != nil { // what earlier sections left in the streams
		return nil, err
	}
	h.cost.reset()
	began := time.Now()
	if err := parallel(ctx, clients, n, func(i int) error { return h.costUpload(ctx, api, body, int64(i+1), step) }); err != nil {
		return nil, err
	}
	secs := time.Since(began).Seconds()
	// Wait for process-upload (after each PUT's answer), then drain the stream feeds.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		h.cost.mu.Lock()
		done := h.cost.invs["ProcessUploadFunction"] >= n
		h.cost.mu.Unlock()
		if done {
			break
		}
	}
	for range 3 {
		if _, err := h.stack.Counters.Poll(ctx); err != nil {
			return nil, err
		}
		if _, err := h.stack.Events.Poll(ctx); err != nil {
			return nil, err
		}
	}
	m := h.cost
	m.mu.Lock()
	run := &CostRun{Rate: rate, Uploads: n, Clients: clients, Seconds: round2(secs), PerSecond: round2(float64(n) / secs),
		APIRequests: m.api.Load(), Invocations: maps.Clone(m.invs), BilledMs: maps.Clone(m.billed), S3: maps.Clone(m.s3)}
	m.mu.Unlock()
	run.DynamoDB = m.ddb.Snapshot()
	run.SharedWrites = m.shared(res.requestPath, n)
	run.OtherSDKCalls = map[string]int{}
	for op, c := range m.sdk.Snapshot() {
		if !strings.HasPrefix(op, "DynamoDB.") && !strings.HasPrefix(op, "S3.") {
			run.OtherSDKCalls[op] = c
		}
	}
	invs := 0
	for id, ms := range run.BilledMs {
		mb := res.memory[id]
		if mb == 0 {
			return nil, fmt.Errorf("template.yaml gives %s no MemorySize", id)
		}
		run.GBs += ms / 1000 * float64(mb) / 1024
		invs += run.Invocations[id]
	}
	per := func(v float64) float64 { return v / float64(n) }
	put := run.S3["PUT"] + run.S3["POST"] + run.S3["COPY"] + run.S3["LIST"]
	get := run.S3["GET"] + run.S3["HEAD"]
	events := run.OtherSDKCalls["EventBridge.PutEvents"]
	for _, c := range []struct {
		what, price  string
		qty, minimal float64
	}{
		{"API Gateway requests", "api", float64(run.APIRequests), 2},
		{"Lambda invocations", "lambdaReq", float64(invs), 2},
		{"Lambda GB-s", "gbs", run.GBs, 2 * minimalLambdaMs / 1000.0 * 256 / 1024},
		// A failed conditional write costs a WRU on AWS; DynamoDB Local reports none.
		{"DynamoDB writes", "wru", run.DynamoDB.WCU + float64(run.DynamoDB.Failed), 1},
		{"DynamoDB reads", "rru", run.DynamoDB.RCU, 0.5},
		{"S3 PUT/COPY/POST/LIST", "s3Put", float64(put), 1},
		{"S3 GET/HEAD", "s3Get", float64(get), 1},
		{"EventBridge events", "event", float64(events), 0},
	} {
		pr := Prices[c.price]
		row := CostRow{c.what, per(c.qty), pr.Unit, per(c.qty) * pr.USD * 1000, c.minimal}
		run.Rows = append(run.Rows, row)
		run.PerUpload += row.USD / 1000
	}
	run.Ratio = round2(ratio(run.PerUpload, res.Minimal))
	return run, nil
}

// costUpload is one user's upload and download of body, through the API.
func (h *harness) costUpload(ctx context.Context, api *filegate.Client, body []byte, i int64, step func() error) error {
	var f filegate.File
	var url string
	for n, do := range []func() error{
		func() (err error) {
			f, err = api.Create(ctx, filegate.CreateRequest{Filename: fmt.Sprintf("cost-%d.pdf", i), MimeType: "application/pdf", SizeBytes: int64(len(body))})
			return err
		},
		func() error { return h.put(ctx, f.UploadURL, f.UploadHeaders, body) },
		func() error { _, _, err := api.Complete(ctx, f.ID, ""); return err },
		func() (err error) { url, _, err = api.DownloadURL(ctx, f.ID); return err },
		func() error { return h.get(ctx, url) },
	} {
		if err := do(); err != nil {
			return fmt.Errorf("upload %d, step %d: %w", i, n+1, err)
		}
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (h *harness) put(ctx context.Context, url string, header map[string]string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return h.send(req)
}

func (h *harness) get(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	return h.send(req)
}

func (h *harness) send(req *http.Request) error {
	resp, err := h.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return nil
}

// minimalCost: 2 API requests, 2 invocations, 1 PutItem, 0.5 RRU (GetItem), 1 PUT, 1 GET.
func minimalCost() float64 {
	return 2*Prices["api"].USD + 2*Prices["lambdaReq"].USD + 2*minimalLambdaMs/1000.0*256/1024*Prices["gbs"].USD +
		Prices["wru"].USD + 0.5*Prices["rru"].USD + Prices["s3Put"].USD + Prices["s3Get"].USD
}

// memorySizes is each function's MemorySize in MB (its own, or Globals').
func memorySizes(path string) (map[string]int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Globals struct {
			Function struct {
				MemorySize int `yaml:"MemorySize"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				MemorySize any `yaml:"MemorySize"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for id, r := range doc.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		out[id] = doc.Globals.Function.MemorySize
		if mb, ok := r.Properties.MemorySize.(int); ok {
			out[id] = mb
		}
	}
	return out, nil
}

func costTable(p func(string, ...any), c *CostResult) {
	p("## Cost per upload: create → PUT %s → complete → download URL → GET, priced at us-east-1 list prices\n\n", sizeLabel(c.FileBytes))
	p("| component | unit | minimal design / upload |")
	for _, r := range c.Runs {
		p(" %s: per upload | $ per 1,000 |", r.Rate)
	}
	p("\n|---|---|---:|%s\n", strings.Repeat("---:|---:|", len(c.Runs)))
	for i := range c.Runs[0].Rows {
		row := c.Runs[0].Rows[i]
		p("| %s | %s | %s |", row.Component, row.Unit, trimNum(row.Minimal))
		for _, r := range c.Runs {
			p(" %s | %.5f |", trimNum(r.Rows[i].PerUpload), r.Rows[i].USD)
		}
		p("\n")
	}
	p("| **total** | | $%.7f |", c.Minimal)
	for _, r := range c.Runs {
		p(" **%.2f× minimal** | **%.5f** |", r.Ratio, r.PerUpload*1000)
	}
	p("\n| %s (own row, not in the ratio) | GB + object | | %s + 1 | %.5f |\n\n", "GuardDuty malware scan", trimNum(c.Scan.PerUpload), c.Scan.USD+c.ScanObj.USD)
	for _, r := range c.Runs {
		p("%s: %d uploads from %d clients in %.1f s (%.1f/s); invocations %s; DynamoDB %s; S3 %s; other SDK calls %s.\n\n",
			r.Rate, r.Uploads, r.Clients, r.Seconds, r.PerSecond, calls(r.Invocations), calls(r.DynamoDB.Calls), calls(r.S3), calls(r.OtherSDKCalls))
	}
	p("Capacity reported by every successful call: %s; failed conditional writes (1 WRU each): %d, %d.\n\n",
		yes(c.Runs[0].DynamoDB.Reported), c.Runs[0].DynamoDB.Failed, c.Runs[len(c.Runs)-1].DynamoDB.Failed)
	p("| price | $ per unit | unit | read |\n|---|---:|---|---|\n")
	for _, pr := range c.Prices {
		p("| %s | %.10g | %s | %s |\n", pr.What, pr.USD, pr.Unit, pr.Date)
	}
	p("\n")
}

func trimNum(f float64) string {
	s := fmt.Sprintf("%.4f", f)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

// sharedAfter: an upload writes its own items at most this often; more is several uploads' item.
const sharedAfter = 3

// writesOf records the item keys function id writes.
func (m *costMeter) writesOf(id string) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("BenchWrites", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			var keys []map[string]types.AttributeValue
			switch v := in.Parameters.(type) {
			case *dynamodb.PutItemInput:
				keys = append(keys, v.Item)
			case *dynamodb.UpdateItemInput:
				keys = append(keys, v.Key)
			case *dynamodb.DeleteItemInput:
				keys = append(keys, v.Key)
			case *dynamodb.TransactWriteItemsInput:
				for _, t := range v.TransactItems {
					switch {
					case t.Put != nil:
						keys = append(keys, t.Put.Item)
					case t.Update != nil:
						keys = append(keys, t.Update.Key)
					case t.Delete != nil:
						keys = append(keys, t.Delete.Key)
					}
				}
			case *dynamodb.BatchWriteItemInput:
				for _, reqs := range v.RequestItems {
					for _, r := range reqs {
						if r.PutRequest != nil {
							keys = append(keys, r.PutRequest.Item)
						} else if r.DeleteRequest != nil {
							keys = append(keys, r.DeleteRequest.Key)
						}
					}
				}
			}
			if len(keys) > 0 {
				m.mu.Lock()
				if m.keys == nil {
					m.keys = map[string]map[string]int{}
				}
				if m.keys[id] == nil {
					m.keys[id] = map[string]int{}
				}
				for _, k := range keys {
					pk, _ := k["pk"].(*types.AttributeValueMemberS)
					sk, _ := k["sk"].(*types.AttributeValueMemberS)
					if pk != nil {
						m.keys[id][pk.Value+"|"+aws.ToString(skValue(sk))]++
					}
				}
				m.mu.Unlock()
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	}
}

func skValue(sk *types.AttributeValueMemberS) *string {
	if sk == nil {
		return nil
	}
	return &sk.Value
}

// shared: request-path writes per upload to items written > sharedAfter times, by kind.
func (m *costMeter) shared(requestPath map[string]bool, n int) map[string]float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	all := map[string]int{}
	for id, keys := range m.keys {
		if requestPath[id] {
			for k, c := range keys {
				all[k] += c
			}
		}
	}
	kinds := map[string]float64{}
	for k, c := range all {
		if c > sharedAfter {
			kinds[strings.SplitN(k, "#", 2)[0]] += float64(c) / float64(n)
		}
	}
	return kinds
}
