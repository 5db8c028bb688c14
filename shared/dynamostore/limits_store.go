package dynamostore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/ratelimit"
)

// The operator's limits, written only by the limits CLI (infra/cmd/limits),
// read by every API function:
//
//	pk=LIMIT#<org> sk=ORG           write, read, search (requests/s)
//	pk=LIMIT#<org> sk=P#<project>   write, read, search, maxFiles, maxBytes
//
// An attribute that is absent is not set (the next level's applies).
const orgLimitsSK = "ORG"

func limitsPK(orgID string) string { return "LIMIT#" + orgID }

// LimitsCacheTTL is how long a function instance keeps an organization's
// and project's limits: an operator's change reaches every warm instance
// within it.
const LimitsCacheTTL = 30 * time.Second

// maxCachedLimits bounds the cache; past it, expired entries are dropped.
const maxCachedLimits = 10_000

// Limits reads and writes the operator's limits, and caches what it read.
type Limits struct {
	table dynamo.Table
	now   func() time.Time

	mu       sync.Mutex
	cache    map[string]cachedLimits
	inflight map[string]*limitsFetch
}

// limitsFetch is one read of an organization's and project's limits that
// every request missing the cache meanwhile waits for: a burst on a cold
// instance makes one read, not one per request.
type limitsFetch struct {
	done chan struct{}
	c    cachedLimits
	err  error
}

// limitsReadTimeout bounds a shared read: it runs on its own context, so
// one waiting request's short deadline does not fail the others.
const limitsReadTimeout = 5 * time.Second

var (
	_ ratelimit.Policies = (*Limits)(nil)
	_ files.QuotaReader  = (*Quotas)(nil)
)

// NewLimits returns the limits on the named table.
func NewLimits(db *dynamo.DB, table string) *Limits {
	return &Limits{table: db.Table(table), now: time.Now}
}

// ProjectLimits are what the operator set for an organization (ProjectID
// empty) or one of its projects; 0 is not set.
type ProjectLimits struct {
	Rates ratelimit.Rates
	Quota files.Quota // projects only
}

type limitsItem struct {
	PK       string `dynamo:"pk,hash"`
	SK       string `dynamo:"sk,range"`
	Write    int    `dynamo:"write,omitempty"`
	Read     int    `dynamo:"read,omitempty"`
	Search   int    `dynamo:"search,omitempty"`
	MaxFiles int64  `dynamo:"maxFiles,omitempty"`
	MaxBytes int64  `dynamo:"maxBytes,omitempty"`
}

func (it limitsItem) limits() ProjectLimits {
	return ProjectLimits{Rates: ratelimit.Rates{Write: it.Write, Read: it.Read, Search: it.Search},
		Quota: files.Quota{MaxFiles: it.MaxFiles, MaxBytes: it.MaxBytes}}
}

type cachedLimits struct {
	org, project ProjectLimits
	at           time.Time
}

// Overrides implements ratelimit.Policies.
func (l *Limits) Overrides(ctx context.Context, orgID, projectID string) (ratelimit.Overrides, error) {
	c, err := l.cached(ctx, orgID, projectID)
	return ratelimit.Overrides{Org: c.org.Rates, Project: c.project.Rates}, err
}

// cached is the organization's and the project's limits, read together (one
// BatchGetItem) at most once per LimitsCacheTTL, by one request for all
// those that miss the cache at once.
func (l *Limits) cached(ctx context.Context, orgID, projectID string) (cachedLimits, error) {
	key := orgID + "/" + projectID
	now := l.now()
	l.mu.Lock()
	c, ok := l.cache[key]
	if ok && now.Sub(c.at) < LimitsCacheTTL {
		l.mu.Unlock()
		return c, nil
	}
	f := l.inflight[key]
	if f == nil {
		f = &limitsFetch{done: make(chan struct{})}
		if l.inflight == nil {
			l.inflight = map[string]*limitsFetch{}
		}
		l.inflight[key] = f
		go l.fetch(context.WithoutCancel(ctx), key, orgID, projectID, f)
	}
	l.mu.Unlock()
	select {
	case <-f.done:
	case <-ctx.Done():
		return c, classify(ctx.Err()) // the stale entry, if any, is better than none
	}
	if f.err != nil {
		return c, f.err
	}
	return f.c, nil
}

// fetch reads the organization's and the project's limits together (one
// BatchGetItem) into the cache, and hands them to whoever waits on f.
// Throttled, DynamoDB returns keys unprocessed, which the batch retries
// within the timeout; DynamoDB Local never does, so no local test shows it.
func (l *Limits) fetch(ctx context.Context, key, orgID, projectID string, f *limitsFetch) {
	ctx, cancel := context.WithTimeout(ctx, limitsReadTimeout)
	defer cancel()
	var items []limitsItem
	err := l.table.Batch("pk", "sk").Get(
		dynamo.Keys{limitsPK(orgID), orgLimitsSK}, dynamo.Keys{limitsPK(orgID), projectSK(projectID)},
	).All(ctx, &items)
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.inflight, key)
	defer close(f.done)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		f.err = classify(err)
		return
	}
	c := cachedLimits{at: l.now()}
	for _, it := range items {
		if it.SK == orgLimitsSK {
			c.org = it.limits()
		} else {
			c.project = it.limits()
		}
	}
	if l.cache == nil || len(l.cache) >= maxCachedLimits {
		l.cache = prune(l.cache, c.at)
	}
	l.cache[key] = c
	f.c = c
}

func prune(cache map[string]cachedLimits, now time.Time) map[string]cachedLimits {
	out := map[string]cachedLimits{}
	for k, c := range cache {
		if now.Sub(c.at) < LimitsCacheTTL && len(out) < maxCachedLimits/2 {
			out[k] = c
		}
	}
	return out
}

func projectSK(projectID string) string { return "P#" + projectID }

// Get reads what the operator set for an organization (projectID "") or a
// project, uncached.
func (l *Limits) Get(ctx context.Context, orgID, projectID string) (ProjectLimits, error) {
	sk := orgLimitsSK
	if projectID != "" {
		sk = projectSK(projectID)
	}
	var it limitsItem
	err := l.table.Get("pk", limitsPK(orgID)).Range("sk", dynamo.Equal, sk).Consistent(true).One(ctx, &it)
	if errors.Is(err, dynamo.ErrNotFound) {
		return ProjectLimits{}, nil
	}
	return it.limits(), classify(err)
}

// Put replaces what the operator set for an organization (projectID "") or
// a project; all zero removes it. Organizations have no quota.
func (l *Limits) Put(ctx context.Context, orgID, projectID string, pl ProjectLimits) error {
	it := limitsItem{PK: limitsPK(orgID), SK: orgLimitsSK, Write: pl.Rates.Write, Read: pl.Rates.Read, Search: pl.Rates.Search}
	if projectID != "" {
		it.SK, it.MaxFiles, it.MaxBytes = projectSK(projectID), pl.Quota.MaxFiles, pl.Quota.MaxBytes
	} else if pl.Quota != (files.Quota{}) {
		return errors.New("quotas are per project")
	}
	if pl == (ProjectLimits{}) {
		return classify(l.table.Delete("pk", it.PK).Range("sk", it.SK).Run(ctx))
	}
	return classify(l.table.Put(it).Run(ctx))
}

// Quotas implements files.QuotaReader: the operator's quota (cached with
// the rates) and the counts the table's stream keeps.
type Quotas struct {
	Limits *Limits
	Store  *Store
}

// Quota is the project's quota.
func (q *Quotas) Quota(ctx context.Context, orgID, projectID string) (files.Quota, error) {
	c, err := q.Limits.cached(ctx, orgID, projectID)
	return c.project.Quota, err
}

// Usage reads the project's counter item (held files and their bytes).
func (q *Quotas) Usage(ctx context.Context, projectID string) (files.Usage, error) {
	return q.Store.Usage(ctx, projectID)
}

// Usage is what the project holds, as its counter item says: files PENDING
// or COMPLETED, and their declared bytes. An eventually consistent read:
// the counts themselves follow the stream.
func (s *Store) Usage(ctx context.Context, projectID string) (files.Usage, error) {
	var c struct {
		Held  int64 `dynamo:"held"`
		Bytes int64 `dynamo:"bytes"`
	}
	err := s.table.Get("pk", projectPK(projectID)).Range("sk", dynamo.Equal, counterSK).One(ctx, &c)
	if errors.Is(err, dynamo.ErrNotFound) {
		return files.Usage{}, nil
	}
	return files.Usage{Files: max(c.Held, 0), Bytes: max(c.Bytes, 0)}, classify(err)
}
