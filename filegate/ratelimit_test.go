package filegate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"
)

// One RateLimiter shared by transfers running at once holds them to its
// rate in all (the CLI uploads files one after another; a program using
// the package may not): four readers of 512 KiB each at 1 MiB/s take about
// two seconds together, not half a second each.
func TestRateLimiterIsATotalOverConcurrentReaders(t *testing.T) {
	const limit, each, readers = 1 << 20, 512 << 10, 4
	l := NewRateLimiter(limit)
	began := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, readers)
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := io.Copy(io.Discard, l.Reader(context.Background(), bytes.NewReader(make([]byte, each))))
			if err == nil && n != each {
				err = io.ErrShortWrite
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ratio := float64(readers*each) / elapsed.Seconds() / limit
	t.Logf("%d readers of %d bytes in %s: %.2f× the limit", readers, each, elapsed.Round(time.Millisecond), ratio)
	if ratio < 0.6 || ratio > 1.3 {
		t.Errorf("the readers together ran at %.2f× the limit; want 0.6×–1.3×", ratio)
	}
}

// A paced read gives up when its context ends, and no limit is no pacing.
func TestRateLimiterStopsWithItsContextAndNilIsNoLimit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := io.Copy(io.Discard, NewRateLimiter(1<<10).Reader(ctx, bytes.NewReader(make([]byte, 1<<20))))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a 1 MiB read at 1 KiB/s with a 200 ms deadline: %v, want %v", err, context.DeadlineExceeded)
	}
	if l := NewRateLimiter(0); l != nil {
		t.Fatalf("NewRateLimiter(0) = %v, want nil (no limit)", l)
	}
	r := bytes.NewReader(nil)
	if got := (*RateLimiter)(nil).Reader(ctx, r); got != io.Reader(r) {
		t.Errorf("a nil limiter wraps its reader: %T", got)
	}
}
