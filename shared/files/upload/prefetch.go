package upload

import (
	"context"

	"github.com/filegate/filegate/shared/files"
)

// prefetch makes validation's read of one object (what it is, and its first
// sniffBytes) while complete reads the record. Complete knows the
// object's key from the request alone (files.ObjectKey of the caller's own
// project), so the strongly consistent record read need not come first:
// complete then costs the record read's latency only where it outlasts the
// object read (the complete budget, docs/ARCHITECTURE.md "Budgets"). What it read is used only
// once the record shows a PENDING single-PUT file at that key; a single PUT
// is written once (If-None-Match: *), and the conditional transition still
// decides, so reading the object before the record changes no outcome.
// Reads of any other key or length go to objects.
type prefetch struct {
	objects objectReads
	key     string
	cancel  context.CancelFunc
	done    chan struct{}
	info    files.ObjectInfo
	head    []byte
	err     error
}

var _ objectReads = (*prefetch)(nil)

// startPrefetch starts reading key ("" = none) through objects; stop ends
// it.
func startPrefetch(ctx context.Context, objects objectReads, key string) *prefetch {
	ctx, cancel := context.WithCancel(ctx)
	p := &prefetch{objects: objects, key: key, cancel: cancel, done: make(chan struct{})}
	if key == "" {
		close(p.done) // nothing to read
		return p
	}
	go func() {
		defer close(p.done)
		p.info, p.head, p.err = objects.Peek(ctx, key, sniffBytes)
	}()
	return p
}

// stop cancels the reads if they are still going and waits for them, so no
// request leaves work running behind it (a Lambda would freeze it mid-call).
// Stopping twice is stopping once.
func (p *prefetch) stop() {
	p.cancel()
	<-p.done
}

// of is how to read f's object, as the record read found f: through what
// was prefetched for a PENDING single-PUT file at the key read; for any
// other (an assembled multipart object, a settled file) the prefetch stops
// and reads go to storage directly.
func (p *prefetch) of(f *files.File) objectReads {
	if f.Status == files.StatusPending && f.Multipart == nil && f.ObjectKey == p.key {
		return p
	}
	p.stop()
	return p.objects
}

func (p *prefetch) wait(ctx context.Context) error {
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *prefetch) Peek(ctx context.Context, key string, n int64) (files.ObjectInfo, []byte, error) {
	if key != p.key || n != sniffBytes {
		return p.objects.Peek(ctx, key, n)
	}
	if err := p.wait(ctx); err != nil {
		return files.ObjectInfo{}, nil, err
	}
	return p.info, p.head, p.err
}
