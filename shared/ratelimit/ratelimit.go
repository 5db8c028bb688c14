// Package ratelimit is the tenants' rate limits, as Lightfield's "Rate
// limits" page documents them: a token bucket per organization and category
// (Write, Read, Search), and per project where the operator sets one; a
// bucket holds one second's worth of its rate. The buckets live in DynamoDB
// (Buckets), so a limit holds across every Lambda instance; each instance
// leases tokens in batches and spends them locally (Limiter), so the limiter
// costs less than one write per admitted request, and a bucket's item is
// written at most at its own rate. It knows nothing of HTTP: routeguard
// turns a Decision into headers and 429s.
package ratelimit

import (
	"context"
	"time"
)

// Category is a route's kind, each with its own bucket (docs/api.md "Rate
// limits" lists the routes of each).
type Category string

const (
	Write  Category = "write"
	Read   Category = "read"
	Search Category = "search"
)

// Categories are every category, in the order configuration names them.
var Categories = []Category{Write, Read, Search}

// Rates are requests per second by category; a bucket holds one second's
// worth (Lightfield: X-RateLimit-Limit is the bucket's capacity). 0 is not
// set: the next level's rate applies.
type Rates struct {
	Write, Read, Search int
}

// Of is the rate of category c.
func (r Rates) Of(c Category) int {
	switch c {
	case Write:
		return r.Write
	case Read:
		return r.Read
	case Search:
		return r.Search
	}
	return 0
}

// Set sets the rate of category c.
func (r *Rates) Set(c Category, n int) {
	switch c {
	case Write:
		r.Write = n
	case Read:
		r.Read = n
	case Search:
		r.Search = n
	}
}

// Overrides are the operator's rates for one organization and one of its
// projects (stored, not configured: dynamostore.Limits). An organization's
// replace the deployment's defaults; a project's add a bucket of the
// project's own, which its requests pass as well as the organization's.
type Overrides struct {
	Org, Project Rates
}

// Policies reads the operator's overrides; an organization or project
// without any has zero Rates.
type Policies interface {
	Overrides(ctx context.Context, orgID, projectID string) (Overrides, error)
}

// Buckets are the token buckets every instance shares, one item each
// (dynamostore.RateBuckets). A bucket is kept as the time it is full again
// (its "theoretical arrival time" in GCRA's terms): holding rate tokens at
// most, it has rate × (that time − now) fewer than that, and none is
// missing once that time has passed.
type Buckets interface {
	// Take takes n tokens from bucket key (rate tokens a second, holding
	// rate) at now, if it holds n: atomically, it moves the time the bucket
	// is full again to max(it, now) + n/rate, if that is at most now + 1 s.
	// It returns that time after the take (ok), or as found (not ok).
	// hint is the time as the caller last saw it (zero: never), which tells
	// the store which case to try first.
	Take(ctx context.Context, key string, rate, n int, now, hint time.Time) (full time.Time, ok bool, err error)
}

// Decision is what one request learns of its bucket: Lightfield's three
// headers, and whether it may go on.
type Decision struct {
	Limit     int       // X-RateLimit-Limit: requests per second, the bucket's capacity
	Remaining int       // X-RateLimit-Remaining
	Reset     time.Time // X-RateLimit-Reset: when the bucket is full again
	Allowed   bool
	// RetryAfter is, when not allowed, how long until a request may pass.
	RetryAfter time.Duration
}

// tighter is the decision a client should heed of two: a refusal, else the
// one with fewer requests left.
func tighter(a, b Decision) Decision {
	switch {
	case !a.Allowed:
		return a
	case !b.Allowed:
		return b
	case b.Remaining < a.Remaining:
		return b
	}
	return a
}

// BucketKey names a bucket: the organization's for category c, or, with a
// project, the project's own.
func BucketKey(orgID, projectID string, c Category) string {
	if projectID == "" {
		return orgID + "#" + string(c)
	}
	return orgID + "#" + projectID + "#" + string(c)
}
