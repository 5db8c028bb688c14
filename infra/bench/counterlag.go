package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/filegate/filegate/infra/apitest"
)

// runCounterLag creates n records from clients (the store's own PutItem), polling the count meanwhile (README.md §7).
func (h *harness) runCounterLag(ctx context.Context, n, clients int) (*Section, error) {
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
	err := waitFor(ctx, 2*time.Minute, 5*time.Millisecond, func() (bool, error) {
		select {
		case err := <-errs:
			if err != nil {
				return false, err
			}
			errs = nil // all created
		default:
		}
		total, err := h.fileCount(ctx, project)
		for now := time.Now(); len(reached) < total; {
			reached = append(reached, now)
		}
		return len(reached) >= n && errs == nil, err
	})
	if err != nil {
		return nil, fmt.Errorf("count %d of %d: %w", len(reached), n, err)
	}
	lags := make([]time.Duration, n)
	for k := range n {
		lags[k] = max(reached[k].Sub(done[k]), 0)
	}
	l, burst := Summarize(lags), ms(done[n-1].Sub(began))
	s := &Section{Name: "counterlag"}
	s.table(fmt.Sprintf("7. Counter lag: %d creates from %d clients (one conditional PutItem each) in %.0f ms; per create, the time until the project count read it", n, clients, burst),
		"p50 | p90 | p99 | max | last create → count complete").row("%.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms", l.P50, l.P90, l.P99, l.Max, ms(max(reached[n-1].Sub(done[n-1]), 0)))
	s.budget(fmt.Sprintf("counter lag after a burst of %d creates (local stack)", n), "reported (p50, max)", true, "p50 %.0f ms, max %.0f ms (burst %.0f ms from %d clients)", l.P50, l.Max, burst, clients)
	return s, nil
}

// fileCount reads the project's counter item through the store (Usage: the
// files it holds; the listing would never report fewer than the rows it shows).
func (h *harness) fileCount(ctx context.Context, project string) (int, error) {
	u, err := h.store.Usage(ctx, project)
	return int(u.Files), err
}
