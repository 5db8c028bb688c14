package filegate

import (
	"context"
	"io"
	"sync"
	"time"
)

// RateLimiter paces bytes to one total rate, shared by every transfer that
// holds it: one PUT or many parts at once, several files, downloads. Each
// chunk reserves its slot on one timeline and waits for it, so the total
// stays at the rate however many transfers run and however many of them
// are idle. Time nobody used is not saved up: after a pause the next chunk
// starts a fresh timeline, with no burst. A nil *RateLimiter is no limit.
type RateLimiter struct {
	perSecond int64
	mu        sync.Mutex
	next      time.Time // when the timeline is free again
}

// NewRateLimiter limits to bytesPerSecond in all; 0 or less is no limit (nil).
func NewRateLimiter(bytesPerSecond int64) *RateLimiter {
	if bytesPerSecond <= 0 {
		return nil
	}
	return &RateLimiter{perSecond: bytesPerSecond}
}

// chunk is the most bytes one wait covers: small enough that concurrent
// transfers interleave and a low rate still moves steadily (a tenth of a
// second's worth), large enough to keep the waits few.
func (l *RateLimiter) chunk() int {
	return int(max(1, min(64<<10, l.perSecond/10)))
}

// wait blocks until n bytes may go (n at most chunk), or ctx ends.
func (l *RateLimiter) wait(ctx context.Context, n int) error {
	l.mu.Lock()
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	l.next = l.next.Add(time.Duration(int64(n) * int64(time.Second) / l.perSecond))
	until := l.next
	l.mu.Unlock()
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Reader paces what is read from r (r itself when l is nil): a request
// body, a download's response body.
func (l *RateLimiter) Reader(ctx context.Context, r io.Reader) io.Reader {
	if l == nil {
		return r
	}
	return &pacedReader{ctx: ctx, r: r, l: l}
}

type pacedReader struct {
	ctx context.Context
	r   io.Reader
	l   *RateLimiter
}

// Read hands on what it read once its slot has come: it waits for the
// bytes it got, not the bytes it asked for (the last read of a body is short
// or empty).
func (p *pacedReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b[:min(len(b), p.l.chunk())])
	if n > 0 {
		if werr := p.l.wait(p.ctx, n); werr != nil {
			return 0, werr
		}
	}
	return n, err
}
