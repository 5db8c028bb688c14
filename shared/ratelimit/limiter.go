package ratelimit

import (
	"cmp"
	"context"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Limiter is one function instance's side of the shared buckets. It leases
// tokens from a bucket in batches sized to this instance's own demand (one
// conditional write per batch), spends them locally, and lets the rest
// lapse after LeaseLife; when the bucket holds less than a batch, it refuses
// locally, without a write, until the bucket (as last seen) holds one again.
//
// What that buys and costs (docs/api.md "Rate limits"):
//   - a batch is at most MaxLease(rate) = rate/4 tokens (at least 1): an
//     instance serving d requests a second leases min(d, rate/4) at a time,
//     so the limiter writes less than once per admitted request once d ≥ 2
//     and rate ≥ 8; a bucket's item takes at most one write per token, and
//     about rate/batch a second under load;
//   - a refusal costs no write while the bucket, as last seen, cannot hold
//     a batch; an instance the store refused backs off (MaxBackoff), so
//     instances do not race for each batch;
//   - over any window, a bucket admits at most its capacity + rate × the
//     window, plus the tokens instances held unspent when it began: at most
//     rate/4 each, and never more than rate × LeaseLife in all;
//   - tokens that lapse unspent are lost to everyone: at most a batch per
//     instance per lease, which under a sustained overload leaves the
//     admitted count a few percent under the rate (measured by
//     TestInstancesTogetherHoldTheLimit and infra/globallimit).
//
// Clocks: each instance computes with its own clock; Lambda hosts keep
// theirs within milliseconds, which the limit does not notice.
//
// A store that fails or stalls (Timeout) fails open: the request is
// admitted (without the rate-limit headers: there is no bucket to report)
// and the failure logged, since the request needs the same DynamoDB and
// will meet the fault itself. So do overrides that cannot be read.
type Limiter struct {
	Buckets  Buckets
	Policies Policies
	// Defaults are the deployment's rates (the template's parameters); a
	// category whose rate is 0 everywhere is not limited.
	Defaults Rates
	Now      func() time.Time // nil: time.Now
	Log      *slog.Logger     // nil: slog.Default()

	mu     sync.Mutex
	states map[string]*state
}

const (
	// LeaseLife is how long leased tokens stay spendable: the time a bucket
	// takes to refill entirely, so held tokens never add more than one
	// bucket's worth to a burst.
	LeaseLife = time.Second
	// Timeout bounds each call to the store.
	Timeout = 500 * time.Millisecond
	// MaxBackoff bounds how long past a batch's arrival an instance the
	// store refused may wait: half the time a bucket takes to fill, so
	// waiting instances never let it overflow.
	MaxBackoff = LeaseLife / 2
	// maxStates bounds the buckets an instance remembers; past it, the ones
	// idle for longer than a lease are forgotten.
	maxStates = 10_000
)

// MaxLease is the largest batch an instance leases from a bucket of rate.
func MaxLease(rate int) int { return max(1, rate/4) }

// state is this instance's knowledge of one bucket.
type state struct {
	mu        sync.Mutex
	rate      int
	held      int        // leased, not yet spent
	heldUntil time.Time  // when they lapse
	full      time.Time  // when the bucket is full again, as last seen
	blocked   time.Time  // refuse locally until then
	refusals  int        // the store's refusals since this instance's last lease
	dmu       sync.Mutex // demand's own, taken without mu
	demand    demand
	used      time.Time // last request
}

// Admit decides one request of category c for a project of an
// organization: it passes the project's bucket if the operator set one,
// then the organization's. The decision names the bucket that refused, or
// the one with fewer requests left.
func (l *Limiter) Admit(ctx context.Context, orgID, projectID string, c Category) Decision {
	now := l.now()
	ov, err := l.overrides(ctx, orgID, projectID)
	if err != nil {
		// Not the defaults: they could refuse a tenant whose limit the
		// operator raised. Admitted, as when a bucket is unreachable.
		l.log().WarnContext(ctx, "rate limits: the operator's overrides are unreadable; admitting", "err", err)
		return Decision{Allowed: true}
	}
	var d Decision
	allowed := Decision{Allowed: true}
	if rate := ov.Project.Of(c); rate > 0 {
		if d = l.take(ctx, BucketKey(orgID, projectID, c), rate, now); !d.Allowed {
			return d
		}
		allowed = d
	}
	rate := cmp.Or(ov.Org.Of(c), l.Defaults.Of(c))
	if rate <= 0 {
		return allowed
	}
	d = l.take(ctx, BucketKey(orgID, "", c), rate, now)
	if allowed.Limit == 0 {
		return d
	}
	return tighter(allowed, d)
}

func (l *Limiter) overrides(ctx context.Context, orgID, projectID string) (Overrides, error) {
	if l.Policies == nil {
		return Overrides{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	return l.Policies.Overrides(ctx, orgID, projectID)
}

// take spends one token of bucket key, leasing a batch first if none is held.
func (l *Limiter) take(ctx context.Context, key string, rate int, now time.Time) Decision {
	st := l.state(key, now)
	// Demand is counted before waiting for the state: requests queued
	// behind a lease in flight make the next lease big enough for them all.
	st.dmu.Lock()
	st.demand.add(now)
	st.dmu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	// The time again: a request may have waited here for other requests'
	// leases, and a stale now would misjudge the bucket (a take dated a
	// second back finds it never holds enough).
	now = l.now()
	st.used = now
	if st.rate != rate { // the operator changed it: what was held was leased at the old rate
		st.rate, st.held, st.blocked = rate, 0, time.Time{}
	}
	if st.held > 0 && now.Before(st.heldUntil) {
		st.held--
		return st.decision(now, true)
	}
	st.held = 0
	if now.Before(st.blocked) {
		return st.decision(now, false)
	}
	st.dmu.Lock()
	perSecond := st.demand.perSecond(now)
	st.dmu.Unlock()
	n := min(MaxLease(rate), int(math.Ceil(perSecond*LeaseLife.Seconds())))
	n = max(n, 1)
	tctx, cancel := context.WithTimeout(ctx, Timeout)
	full, ok, err := l.Buckets.Take(tctx, key, rate, n, now, st.full)
	cancel()
	if err != nil {
		l.log().WarnContext(ctx, "rate limits: the bucket is unreachable; admitting", "bucket", key, "err", err)
		return st.decision(now, true)
	}
	st.full = full
	if ok {
		st.held, st.heldUntil, st.refusals = n-1, now.Add(LeaseLife), 0
		return st.decision(now, true)
	}
	// The bucket holds fewer than a batch: wait, without asking again, until
	// it holds one (as last seen; others may take it first). Instances that
	// learnt the same time would all ask at once and all but one lose (a
	// refused write costs a write too), so each waits a random share of a
	// window that doubles with every refusal in a row, up to MaxBackoff.
	st.refusals++
	window := min(MaxBackoff, time.Duration(n)*time.Second/time.Duration(rate)<<min(st.refusals-1, 10))
	st.blocked = holds(full, rate, n).Add(time.Duration(rand.Int64N(int64(window) + 1)))
	return st.decision(now, false)
}

// holds is when a bucket full again at full holds n tokens.
func holds(full time.Time, rate, n int) time.Time {
	return full.Add(-time.Second + time.Duration(n)*time.Second/time.Duration(rate))
}

// available is how many tokens a bucket full again at full holds at now.
func available(full, now time.Time, rate int) int {
	missing := max(0, full.Sub(now).Seconds()) * float64(rate)
	return max(0, int(math.Floor(float64(rate)-missing+1e-9)))
}

// decision is the answer at now: what this instance holds plus what the
// bucket held when last seen (others may have taken some since).
func (st *state) decision(now time.Time, allowed bool) Decision {
	d := Decision{Limit: st.rate, Reset: now, Allowed: allowed}
	if st.full.After(now) {
		d.Reset = st.full
	}
	if allowed {
		d.Remaining = min(st.rate, st.held+available(st.full, now, st.rate))
	} else {
		d.RetryAfter = st.blocked.Sub(now)
	}
	return d
}

func (l *Limiter) state(key string, now time.Time) *state {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.states == nil {
		l.states = map[string]*state{}
	}
	st := l.states[key]
	if st == nil {
		if len(l.states) >= maxStates {
			for k, s := range l.states {
				if s.mu.TryLock() {
					if now.Sub(s.used) > 2*LeaseLife {
						delete(l.states, k)
					}
					s.mu.Unlock()
				}
			}
		}
		st = &state{}
		l.states[key] = st
	}
	return st
}

func (l *Limiter) now() time.Time {
	if l.Now == nil {
		return time.Now()
	}
	return l.Now()
}

func (l *Limiter) log() *slog.Logger {
	if l.Log == nil {
		return slog.Default()
	}
	return l.Log
}

// demand estimates an instance's requests a second to one bucket: this
// second's count plus the share of the previous second's that a sliding
// one-second window still covers.
type demand struct {
	start     time.Time
	cur, prev int
}

func (d *demand) roll(now time.Time) {
	switch elapsed := now.Sub(d.start); {
	case elapsed >= 2*time.Second || elapsed < 0:
		d.start, d.prev, d.cur = now, 0, 0
	case elapsed >= time.Second:
		d.start, d.prev, d.cur = d.start.Add(time.Second), d.cur, 0
	}
}

func (d *demand) add(now time.Time) {
	d.roll(now)
	d.cur++
}

func (d *demand) perSecond(now time.Time) float64 {
	d.roll(now)
	frac := now.Sub(d.start).Seconds()
	return float64(d.prev)*(1-frac) + float64(d.cur)
}
