package uploadtoken

import (
	"context"
	"sync"
	"time"
)

// Cached keeps the keys ring has returned for ttl, so a warm authorizer
// reads a period's key about once a ttl, not once per request. ttl is also
// how long a deleted (revoked) key keeps verifying in a warm function.
func Cached(ring KeyRing, ttl time.Duration, now func() time.Time) KeyRing {
	return &cached{ring: ring, ttl: ttl, now: now, keys: map[string]cachedKey{}}
}

type cached struct {
	ring KeyRing
	ttl  time.Duration
	now  func() time.Time
	mu   sync.Mutex
	keys map[string]cachedKey
}

type cachedKey struct {
	key SigningKey
	at  time.Time
}

func (c *cached) Key(ctx context.Context, id string, create func() SigningKey) (SigningKey, error) {
	c.mu.Lock()
	hit, ok := c.keys[id]
	c.mu.Unlock()
	if ok && c.now().Sub(hit.at) < c.ttl {
		return hit.key, nil
	}
	k, err := c.ring.Key(ctx, id, create)
	if err != nil {
		return k, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for old, v := range c.keys { // at most two periods are ever live
		if c.now().Sub(v.at) >= c.ttl {
			delete(c.keys, old)
		}
	}
	c.keys[id] = cachedKey{key: k, at: c.now()}
	return k, nil
}
