package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/filegate/filegate/infra/apitest"
)

// CounterLagResult: per create in a burst, the time until the project count read it (README.md §7).
type CounterLagResult struct {
	Creates   int     `json:"creates"`
	Clients   int     `json:"clients"`
	BurstMs   float64 `json:"burst_ms"` // first create sent → last answered
	Lag       Dist    `json:"lag"`
	SettledMs float64 `json:"settled_ms"` // last create answered → count complete
}

// runCounterLag creates n records from clients (the store's own PutItem), polling the count meanwhile.
func (h *harness) runCounterLag(ctx context.Context, n, clients int) (*CounterLagResult, error) {
	org, project := apitest.NewUUID(), apitest.NewUUID()
	done := make([]time.Time, 0, n) // when each create was answered, in order
	var mu sync.Mutex
	began := time.Now()
	errs := make(chan error, 1)
	go func() {
		errs <- parallel(ctx, clients, n, func(int) error {
			if err := h.store.Create(ctx, pendingFile(org, project)); err != nil {
				return err
			}
			mu.Lock()
			done = append(done, time.Now())
			mu.Unlock()
			return nil
		})
	}()
	var reached []time.Time // reached[k-1]: when the count first read ≥ k
	deadline := time.Now().Add(2 * time.Minute)
	poll := func() error {
		total, err := h.fileCount(ctx, project)
		if err != nil {
			return err
		}
		for now := time.Now(); len(reached) < total; {
			reached = append(reached, now)
		}
		return nil
	}
	for len(reached) < n {
		select {
		case err := <-errs:
			if err != nil {
				return nil, err
			}
			errs = nil // all created
		default:
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("count %d of %d after 2 minutes", len(reached), n)
		}
		if err := poll(); err != nil {
			return nil, err
		}
		time.Sleep(5 * time.Millisecond)
	}
	if errs != nil {
		if err := <-errs; err != nil {
			return nil, err
		}
	}
	lags := make([]time.Duration, n)
	for k := range n {
		lags[k] = max(reached[k].Sub(done[k]), 0)
	}
	return &CounterLagResult{Creates: n, Clients: clients, BurstMs: ms(done[n-1].Sub(began)),
		Lag: Summarize(lags), SettledMs: ms(max(reached[n-1].Sub(done[n-1]), 0))}, nil
}

// fileCount reads the project's counter item through the store (Usage: the
// files it holds; the listing would never report fewer than the rows it shows).
func (h *harness) fileCount(ctx context.Context, project string) (int, error) {
	u, err := h.store.Usage(ctx, project)
	return int(u.Files), err
}
