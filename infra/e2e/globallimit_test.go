package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/infra/lambdaruntime"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/ratelimit"
)

// One organization's limit holds across function instances that share no
// memory: four processes of the get-file binary (each its own Lambda
// execution environment, with its own leases), offered three times the
// organization's Read limit of 20/s for 10 s between them, admit the
// bucket's 20 plus 20/s over the measured time, within 10%.
//
// DynamoDB Local serialises every write and never throttles, so the
// bucket item here never meets the per-partition write limit (1,000 WCU/s)
// nor the contention a conditional write sees on DynamoDB; the limiter keeps
// its item's writes at or under the bucket's rate (ratelimit.Limiter), far
// below that limit, which this test cannot show.
func TestGlobalRateLimitHoldsAcrossInstances(t *testing.T) {
	const (
		instances = 4
		rate      = 20
		offered   = 3 * rate // per second, across the instances
		window    = 10 * time.Second
	)
	ctx := t.Context()
	bins, err := lambdaruntime.BuildFunctions(ctx, t.TempDir(), "get-file")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("../../events", "get-file.json"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEntry(t, "GetFileFunction", bins["get-file"], raw)
	setLimits(t, e.org, "", dynamostore.ProjectLimits{Rates: ratelimit.Rates{Read: rate}})
	payload := e.event() // a file that does not exist: an admitted request is a 404
	runtimes := make([]*lambdaruntime.Runtime, instances)
	for i := range runtimes {
		runtimes[i] = e.start()
		// Warm up: init, and the first read of the organization's limits.
		// These four take tokens too; the bucket is full again before the run.
		if st, _ := invokeHTTP(t, ctx, runtimes[i], payload); st != 404 {
			t.Fatalf("warm-up: %d", st)
		}
	}
	time.Sleep(1100 * time.Millisecond)

	var (
		mu       sync.Mutex
		admitted int
		sent     int
		first    time.Time
		last     time.Time
	)
	start := time.Now()
	var wg sync.WaitGroup
	for _, r := range runtimes {
		wg.Go(func() {
			tick := time.NewTicker(time.Second * instances / offered)
			defer tick.Stop()
			for at := range tick.C {
				if at.Sub(start) >= window {
					return
				}
				st, _ := invokeHTTP(t, ctx, r, payload)
				mu.Lock()
				sent++
				if st != 429 {
					admitted++
					if first.IsZero() || at.Before(first) {
						first = at
					}
					if now := time.Now(); now.After(last) {
						last = now
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// The time the bucket was drawn on: from the first admitted request's
	// start to the last one's answer.
	elapsed := last.Sub(first).Seconds()
	want := rate + rate*elapsed
	t.Logf("%d instances: %d sent, %d admitted over %.2f s; burst + rate × elapsed = %.0f", instances, sent, admitted, elapsed, want)
	if float64(sent) < 2*want {
		t.Fatalf("only %d requests offered (want about 3 × %d/s × %s): the machine is too loaded for this test to mean anything", sent, rate, window)
	}
	if got := float64(admitted); got < 0.9*want || got > 1.1*want {
		t.Errorf("%d admitted, want %.0f ± 10%%", admitted, want)
	}
}

// invokeHTTP invokes an HTTP function once and returns its status and headers.
func invokeHTTP(t *testing.T, ctx context.Context, r *lambdaruntime.Runtime, payload []byte) (int, map[string]string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, fnErr, err := r.Invoke(ctx, payload)
	if err != nil || fnErr != nil {
		t.Errorf("invoke: %v %v", fnErr, err)
		return 0, nil
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Errorf("not an API Gateway v2 response: %v", err)
		return 0, nil
	}
	return resp.StatusCode, resp.Headers
}
