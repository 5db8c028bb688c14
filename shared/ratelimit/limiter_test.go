package ratelimit_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/ratelimit"
)

// memBuckets is Buckets in memory, with the store's semantics (GCRA): the
// shared state several Limiters (instances) lease from.
type memBuckets struct {
	mu     sync.Mutex
	full   map[string]time.Time
	writes int // conditional writes, granted or refused
	fail   error
}

func (m *memBuckets) Take(_ context.Context, key string, rate, n int, now, _ time.Time) (time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return time.Time{}, false, m.fail
	}
	if m.full == nil {
		m.full = map[string]time.Time{}
	}
	m.writes++
	from := m.full[key]
	if from.Before(now) {
		from = now
	}
	next := from.Add(time.Duration(n) * time.Second / time.Duration(rate))
	if next.After(now.Add(time.Second)) {
		return m.full[key], false, nil
	}
	m.full[key] = next
	return next, true, nil
}

// fixedPolicies are an organization's overrides, and project p's.
type fixedPolicies struct{ o ratelimit.Overrides }

func (f fixedPolicies) Overrides(_ context.Context, _, project string) (ratelimit.Overrides, error) {
	o := f.o
	if project != "p" {
		o.Project = ratelimit.Rates{}
	}
	return o, nil
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var epoch = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// Four instances with no memory in common, each offered 15 requests a
// second against a limit of 20/s for 10 s (3x the limit): together they
// admit the bucket's 20 plus 20 a second, within 10%, and the limiter
// writes less than once per admitted request.
func TestInstancesTogetherHoldTheLimit(t *testing.T) {
	const rate, instances, perInstance, seconds = 20, 4, 15, 10
	store := &memBuckets{}
	c := &clock{t: epoch}
	var ls []*ratelimit.Limiter
	for range instances {
		ls = append(ls, &ratelimit.Limiter{Buckets: store, Defaults: ratelimit.Rates{Read: rate}, Now: c.now})
	}
	admitted, refused := 0, 0
	step := time.Second / (perInstance * instances)
	for i := range seconds * perInstance * instances {
		c.t = epoch.Add(time.Duration(i) * step)
		d := ls[i%instances].Admit(context.Background(), "org", "proj", ratelimit.Read)
		if d.Limit != rate {
			t.Fatalf("Limit %d, want %d", d.Limit, rate)
		}
		if d.Allowed {
			admitted++
		} else {
			refused++
			if d.RetryAfter <= 0 || d.Remaining != 0 {
				t.Fatalf("a refusal with RetryAfter %s, Remaining %d", d.RetryAfter, d.Remaining)
			}
		}
	}
	want := rate + rate*seconds
	if lo, hi := want*9/10, want*11/10; admitted < lo || admitted > hi {
		t.Errorf("admitted %d of %d, want %d ±10%%", admitted, admitted+refused, want)
	}
	if per := float64(store.writes) / float64(admitted); per >= 1 {
		t.Errorf("%d writes for %d admitted requests: %.2f each, want < 1", store.writes, admitted, per)
	}
	t.Logf("admitted %d (want %d), %d writes (%.2f per admitted)", admitted, want, store.writes, float64(store.writes)/float64(admitted))
}

// One instance busy enough leases in batches (rate/8 at most), so its
// bucket's item takes a write per batch, not per request.
func TestABusyInstanceLeasesBatches(t *testing.T) {
	store := &memBuckets{}
	c := &clock{t: epoch}
	l := &ratelimit.Limiter{Buckets: store, Defaults: ratelimit.Rates{Write: 80}, Now: c.now}
	for i := range 200 { // 40/s for 5 s: half the limit
		c.t = epoch.Add(time.Duration(i) * 25 * time.Millisecond)
		if d := l.Admit(context.Background(), "org", "p", ratelimit.Write); !d.Allowed {
			t.Fatalf("request %d refused at half the limit: %+v", i, d)
		}
	}
	if store.writes > 200/ratelimit.MaxLease(80)+5 {
		t.Errorf("%d writes for 200 requests; batches of up to %d should take about %d", store.writes, ratelimit.MaxLease(80), 200/ratelimit.MaxLease(80))
	}
}

// The headers' values: Remaining falls as the bucket empties, Reset is
// when it is full again, and the refusal says when to come back.
func TestDecisionsDescribeTheBucket(t *testing.T) {
	store := &memBuckets{}
	c := &clock{t: epoch}
	l := &ratelimit.Limiter{Buckets: store, Defaults: ratelimit.Rates{Search: 5}, Now: c.now}
	prev := 6
	for i := range 5 {
		d := l.Admit(context.Background(), "org", "p", ratelimit.Search)
		if !d.Allowed || d.Remaining >= prev || d.Remaining != 4-i {
			t.Fatalf("request %d: %+v (previous remaining %d)", i, d, prev)
		}
		if want := epoch.Add(time.Duration(i+1) * time.Second / 5); !d.Reset.Equal(want) {
			t.Errorf("request %d: Reset %s, want %s", i, d.Reset, want)
		}
		prev = d.Remaining
	}
	d := l.Admit(context.Background(), "org", "p", ratelimit.Search)
	if d.Allowed || d.Remaining != 0 || d.RetryAfter <= 0 || d.RetryAfter > 200*time.Millisecond+time.Second/5 {
		t.Fatalf("sixth request: %+v; want a refusal for about one token's interval", d)
	}
	writes := store.writes
	c.t = epoch.Add(50 * time.Millisecond)
	if d := l.Admit(context.Background(), "org", "p", ratelimit.Search); d.Allowed || store.writes != writes {
		t.Errorf("while blocked: %+v, %d writes (was %d): refusals must cost nothing", d, store.writes, writes)
	}
	c.t = epoch.Add(2 * time.Second)
	if d := l.Admit(context.Background(), "org", "p", ratelimit.Search); !d.Allowed || d.Remaining != 4 {
		t.Errorf("once refilled: %+v", d)
	}
}

// Each category and organization has a bucket of its own.
func TestBucketsAreNotShared(t *testing.T) {
	store := &memBuckets{}
	c := &clock{t: epoch}
	l := &ratelimit.Limiter{Buckets: store, Defaults: ratelimit.Rates{Write: 1, Read: 1, Search: 1}, Now: c.now}
	for _, org := range []string{"a", "b"} {
		for _, cat := range ratelimit.Categories {
			if d := l.Admit(context.Background(), org, "p", cat); !d.Allowed {
				t.Errorf("%s %s: the first request refused", org, cat)
			}
		}
	}
	if d := l.Admit(context.Background(), "a", "p", ratelimit.Write); d.Allowed {
		t.Errorf("a second write at 1/s allowed")
	}
}

// The operator's overrides: an organization's rate replaces the default;
// a project's adds a bucket its requests pass too, and the tighter one
// shows in the headers.
func TestOverrides(t *testing.T) {
	store := &memBuckets{}
	c := &clock{t: epoch}
	l := &ratelimit.Limiter{Buckets: store, Defaults: ratelimit.Rates{Write: 25},
		Policies: fixedPolicies{ratelimit.Overrides{Org: ratelimit.Rates{Write: 100}, Project: ratelimit.Rates{Write: 2}}}, Now: c.now}
	d := l.Admit(context.Background(), "org", "p", ratelimit.Write)
	if !d.Allowed || d.Limit != 2 || d.Remaining != 1 {
		t.Errorf("first: %+v; want the project's bucket (2) in the headers", d)
	}
	l.Admit(context.Background(), "org", "p", ratelimit.Write)
	if d := l.Admit(context.Background(), "org", "p", ratelimit.Write); d.Allowed || d.Limit != 2 {
		t.Errorf("third at a project limit of 2: %+v", d)
	}
	// The organization's bucket (100/s, not the default 25) took two.
	if d := l.Admit(context.Background(), "org", "other", ratelimit.Write); !d.Allowed || d.Limit != 100 {
		t.Errorf("another project: %+v; want the organization's 100", d)
	}
}

// A store that fails admits (and the next request asks it again).
func TestAnUnreachableStoreAdmits(t *testing.T) {
	store := &memBuckets{fail: errors.New("stalled")}
	c := &clock{t: epoch}
	l := &ratelimit.Limiter{Buckets: store, Defaults: ratelimit.Rates{Read: 1}, Now: c.now}
	for range 3 {
		if d := l.Admit(context.Background(), "org", "p", ratelimit.Read); !d.Allowed || d.Limit != 1 {
			t.Fatalf("%+v; want admitted with the limit in the headers", d)
		}
	}
	store.fail = nil
	l.Admit(context.Background(), "org", "p", ratelimit.Read)
	if d := l.Admit(context.Background(), "org", "p", ratelimit.Read); d.Allowed {
		t.Errorf("the store is back: a second request at 1/s allowed")
	}
}

// A category with no rate anywhere is not limited, and says nothing.
func TestNoRateNoLimit(t *testing.T) {
	l := &ratelimit.Limiter{Buckets: &memBuckets{fail: errors.New("never called")}}
	if d := l.Admit(context.Background(), "org", "p", ratelimit.Write); !d.Allowed || d.Limit != 0 {
		t.Errorf("%+v", d)
	}
}

type failingPolicies struct{}

func (failingPolicies) Overrides(context.Context, string, string) (ratelimit.Overrides, error) {
	return ratelimit.Overrides{}, errors.New("table unreachable")
}

// Overrides that cannot be read admit, as an unreachable bucket does: the
// defaults could refuse a tenant whose limit the operator raised.
func TestUnreadableOverridesAdmit(t *testing.T) {
	c := &clock{t: epoch}
	l := &ratelimit.Limiter{Buckets: &memBuckets{}, Defaults: ratelimit.Rates{Write: 1}, Policies: failingPolicies{}, Now: c.now,
		Log: slog.New(slog.DiscardHandler)}
	for i := range 5 {
		if d := l.Admit(context.Background(), "org", "p", ratelimit.Write); !d.Allowed || d.Limit != 0 {
			t.Fatalf("request %d: %+v, want admitted without a bucket to report", i+1, d)
		}
	}
}
