package rootsecret

import (
	"context"
	"sync"
	"time"
)

// Cache loads the root secret lazily, on first use, and keeps it for TTL:
// a warm function reads its store about once a TTL, not per request. TTL
// is also how long a rotation takes to reach every warm function (the
// versions it replaced still verify; see Lookup).
type Cache struct {
	src Source
	ttl time.Duration
	now func() time.Time

	mu       sync.Mutex // held across a load: concurrent first uses share one
	vs       Versions
	loaded   bool
	loadedAt time.Time
	failedAt time.Time
}

// RetryAfter is how soon a failed refresh is tried again while the versions
// last loaded keep serving, and how often a tag no loaded version has may
// make the cache reload.
const RetryAfter = 10 * time.Second

// NewCache caches src for ttl.
func NewCache(src Source, ttl time.Duration, now func() time.Time) *Cache {
	return &Cache{src: src, ttl: ttl, now: now}
}

// Versions are the versions in use, loaded at most ttl ago. If a refresh
// fails, the versions last loaded keep serving (retried after RetryAfter):
// an outage of the store does not stop token checks, but delays a rotation.
func (c *Cache) Versions(ctx context.Context) (Versions, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.loaded && (now.Sub(c.loadedAt) < c.ttl || now.Sub(c.failedAt) < RetryAfter) {
		return c.vs, nil
	}
	return c.load(ctx, now)
}

func (c *Cache) load(ctx context.Context, now time.Time) (Versions, error) {
	vs, err := c.src.Load(ctx)
	if err != nil {
		if c.loaded {
			c.failedAt = now
			return c.vs, nil
		}
		return vs, err
	}
	c.vs, c.loaded, c.loadedAt, c.failedAt = vs, true, now, time.Time{}
	return vs, nil
}

// Lookup is the version named tag, if it is in use. A tag the cached
// versions lack reloads them first if they are older than RetryAfter: a
// value signed just after a rotation that another function saw first
// verifies here too, while made-up tags cannot drive loads.
func (c *Cache) Lookup(ctx context.Context, tag string) (Version, bool, error) {
	vs, err := c.Versions(ctx)
	if err != nil {
		return Version{}, false, err
	}
	if v, ok := vs.ByTag(tag); ok {
		return v, true, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); now.Sub(c.loadedAt) >= RetryAfter && now.Sub(c.failedAt) >= RetryAfter {
		if _, err := c.load(ctx, now); err != nil {
			return Version{}, false, err
		}
	}
	v, ok := c.vs.ByTag(tag)
	return v, ok, nil
}
