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

// runLoad: per concurrency, the upload flow then its raw calls, d each (README.md §6).
func (h *harness) runLoad(ctx context.Context, c Config) (*Section, error) {
	s := &Section{Name: "throughput"}
	t := s.table("6. Throughput: create → PUT 1 KiB → complete through the API (flow) vs its raw calls (raw); all clients upload into one project; S3 events on (process-upload validates each object too, racing complete); raw objects are written outside uploads/ so they raise no events",
		"clients | seconds | flow uploads/s | flow p50 | flow p99 | flow errors | raw flows/s | raw p50 | raw p99 | raw errors | flow rate vs raw | flow p99 vs raw")
	for _, n := range c.LoadClients {
		api, org, project, err := h.tenant(ctx)
		if err != nil {
			return nil, err
		}
		flow := runClients(ctx, n, c.LoadDuration, func(ctx context.Context) error {
			f, err := create(ctx, api, "load.txt", "text/plain", int64(len(loadBody)))
			if err != nil {
				return err
			}
			if err := api.Upload(ctx, f, bytes.NewReader(loadBody), int64(len(loadBody))); err != nil {
				return err
			}
			_, err = complete(ctx, api, f.ID)
			return err
		})
		raw := runClients(ctx, n, c.LoadDuration, func(ctx context.Context) error {
			f := pendingFile(org, project)
			f.Filename, f.SizeBytes = "load.txt", int64(len(loadBody))
			if err := h.store.Create(ctx, f); err != nil {
				return err
			}
			key := "bench-raw/" + f.ObjectKey
			if _, err := h.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(key),
				Body: bytes.NewReader(loadBody), ContentLength: aws.Int64(int64(len(loadBody))), ContentType: aws.String(f.MimeType),
				IfNoneMatch: aws.String("*")}); err != nil {
				return err
			}
			return h.rawComplete(ctx, f, key)
		})
		rate := ratio(flow.perSecond, raw.perSecond)
		t.row("%d | %.0f | %.1f | %.1f ms | %.1f ms | %d | %.1f | %.1f ms | %.1f ms | %d | %.2f× | %.2f×", n, c.LoadDuration.Seconds(),
			flow.perSecond, flow.lat.P50, flow.lat.P99, flow.errors, raw.perSecond, raw.lat.P50, raw.lat.P99, raw.errors, rate, ratio(flow.lat.P99, raw.lat.P99))
		for what, st := range map[string]loadStats{"flow": flow, "raw": raw} {
			if st.sample != "" {
				t.note("First %s error at %d clients: `%s`", what, n, strings.ReplaceAll(st.sample, "`", "'"))
			}
		}
		h.logf("load: %d clients: flow %.1f uploads/s, raw %.1f flows/s", n, flow.perSecond, raw.perSecond)
		if n == c.LoadClients[len(c.LoadClients)-1] {
			s.budget(fmt.Sprintf("throughput, full upload flow, %d clients, vs its raw calls", n), "≥ 0.6×", rate >= 0.6,
				"%.2f× (%.1f vs %.1f uploads/s)", rate, flow.perSecond, raw.perSecond)
		}
	}
	return s, nil
}

// loadStats is one bounded run at one concurrency.
type loadStats struct {
	perSecond float64
	lat       Dist // one whole flow
	errors    int
	sample    string
}

// runClients runs op in n loops until d has passed.
func runClients(ctx context.Context, n int, d time.Duration, op func(context.Context) error) loadStats {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second) // a stuck call cannot hold the run
	defer cancel()
	var (
		mu  sync.Mutex
		lat []time.Duration
		st  loadStats
		wg  sync.WaitGroup
	)
	start := time.Now()
	for range n {
		wg.Go(func() {
			for time.Since(start) < d {
				t := time.Now()
				err := op(ctx)
				mu.Lock()
				if err == nil {
					lat = append(lat, time.Since(t))
				} else if st.errors++; st.sample == "" {
					st.sample = err.Error()[:min(len(err.Error()), 300)]
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	st.lat, st.perSecond = Summarize(lat), round2(float64(len(lat))/time.Since(start).Seconds())
	return st
}
