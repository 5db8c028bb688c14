package bench

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/infra/localstack"
)

// loadBody is each upload's content: 1 KiB of text.
var loadBody = []byte(strings.Repeat(fox+"\n", 24)[:1024])

// LoadStats is one bounded run at one concurrency.
type LoadStats struct {
	Done        int     `json:"uploads"`
	PerSecond   float64 `json:"uploads_per_second"`
	Latency     Dist    `json:"latency"` // one whole upload flow
	Errors      int     `json:"errors"`
	ErrorSample string  `json:"error_sample,omitempty"`
}

// LoadRow compares the API flow with the raw operations it needs.
type LoadRow struct {
	Clients   int       `json:"clients"`
	Seconds   float64   `json:"seconds"`
	Flow      LoadStats `json:"flow"` // create → PUT → complete through the API
	Raw       LoadStats `json:"raw"`  // PutItem + PUT object + HEAD + range GET + UpdateItem
	RateOfRaw float64   `json:"rate_vs_raw"`
	P99OfRaw  float64   `json:"p99_vs_raw"`
}

// ThroughputResult is section 6.
type ThroughputResult struct {
	Rows []LoadRow `json:"runs"`
	Note string    `json:"note"`
}

// runLoad: per concurrency, the upload flow then its raw calls, d each (README.md §6).
func (h *harness) runLoad(ctx context.Context, clients []int, d time.Duration) (*ThroughputResult, error) {
	res := &ThroughputResult{Note: "all clients upload into one project; S3 events on (process-upload validates each object too, racing complete); raw objects are written outside uploads/ so they raise no events"}
	for _, n := range clients {
		api, org, project, err := h.tenant(ctx)
		if err != nil {
			return nil, err
		}
		flow := func(ctx context.Context) error {
			f, err := create(ctx, api, "load.txt", "text/plain", int64(len(loadBody)))
			if err != nil {
				return err
			}
			if err := api.Upload(ctx, f, bytes.NewReader(loadBody), int64(len(loadBody))); err != nil {
				return err
			}
			_, err = complete(ctx, api, f.ID)
			return err
		}
		raw := func(ctx context.Context) error {
			f := pendingFile(org, project)
			f.Filename, f.SizeBytes = "load.txt", int64(len(loadBody))
			if err := h.putRecord(ctx, f); err != nil {
				return err
			}
			key := "bench-raw/" + f.ObjectKey
			if _, err := h.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(key),
				Body: bytes.NewReader(loadBody), ContentLength: aws.Int64(int64(len(loadBody))), ContentType: aws.String(f.MimeType),
				IfNoneMatch: aws.String("*")}); err != nil {
				return err
			}
			return h.rawComplete(ctx, f, key)
		}
		row := LoadRow{Clients: n, Seconds: d.Seconds()}
		row.Flow = runClients(ctx, n, d, flow)
		h.logf("load: %d clients, API flow: %.1f uploads/s, p99 %.1f ms, %d errors", n, row.Flow.PerSecond, row.Flow.Latency.P99, row.Flow.Errors)
		row.Raw = runClients(ctx, n, d, raw)
		h.logf("load: %d clients, raw ops: %.1f flows/s, p99 %.1f ms, %d errors", n, row.Raw.PerSecond, row.Raw.Latency.P99, row.Raw.Errors)
		row.RateOfRaw = ratio(row.Flow.PerSecond, row.Raw.PerSecond)
		row.P99OfRaw = ratio(row.Flow.Latency.P99, row.Raw.Latency.P99)
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// runClients runs op in n loops until d has passed.
func runClients(ctx context.Context, n int, d time.Duration, op func(context.Context) error) LoadStats {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second) // a stuck call cannot hold the run
	defer cancel()
	deadline := time.Now().Add(d)
	var (
		mu     sync.Mutex
		lat    []time.Duration
		errs   int
		sample string
		wg     sync.WaitGroup
	)
	start := time.Now()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				t := time.Now()
				err := op(ctx)
				el := time.Since(t)
				mu.Lock()
				if err != nil {
					errs++
					if sample == "" {
						sample = err.Error()
					}
				} else {
					lat = append(lat, el)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	st := LoadStats{Done: len(lat), Latency: Summarize(lat), Errors: errs, ErrorSample: truncate(sample, 300)}
	st.PerSecond = round2(float64(len(lat)) / elapsed.Seconds())
	return st
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("… (%d bytes)", len(s))
}
