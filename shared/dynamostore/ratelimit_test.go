package dynamostore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/ratelimit"
)

// A bucket's takes as GCRA defines them: a new bucket is full; a take
// moves the time it is full again by n/rate; one that does not fit
// returns that time unchanged; a stale hint costs one more write, not a
// wrong answer.
func TestRateBucketTakes(t *testing.T) {
	tab := mustOpenTable(t)
	b := dynamostore.NewRateBuckets(tab.db, tab.name)
	ctx := context.Background()
	now := time.UnixMicro(time.Now().UnixMicro())
	full, ok, err := b.Take(ctx, "org#write", 10, 6, now, time.Time{})
	if err != nil || !ok || !full.Equal(now.Add(600*time.Millisecond)) {
		t.Fatalf("6 of a full 10: %s %v %v; want full again at now+600ms", full, ok, err)
	}
	// 4 left: 5 do not fit, whatever the hint says.
	for _, hint := range []time.Time{{}, full} {
		got, ok, err := b.Take(ctx, "org#write", 10, 5, now, hint)
		if err != nil || ok || !got.Equal(full) {
			t.Errorf("5 of 4 left (hint %s): %s %v %v; want refused, full at %s", hint, got, ok, err, full)
		}
	}
	got, ok, err := b.Take(ctx, "org#write", 10, 4, now, time.Time{}) // a stale hint: it thinks the bucket full
	if err != nil || !ok || !got.Equal(now.Add(time.Second)) {
		t.Errorf("the last 4: %s %v %v; want full again at now+1s", got, ok, err)
	}
	// Half a second later, 5 tokens are back.
	later := now.Add(500 * time.Millisecond)
	if got, ok, err := b.Take(ctx, "org#write", 10, 5, later, got); err != nil || !ok || !got.Equal(now.Add(1500*time.Millisecond)) {
		t.Errorf("5 after 500ms: %s %v %v", got, ok, err)
	}
	// Long after, the bucket is full again (the hint says it is not).
	much := now.Add(time.Hour)
	if got, ok, err := b.Take(ctx, "org#write", 10, 10, much, now.Add(1500*time.Millisecond)); err != nil || !ok || !got.Equal(much.Add(time.Second)) {
		t.Errorf("10 an hour later: %s %v %v", got, ok, err)
	}
	if _, ok, _ := b.Take(ctx, "other#write", 10, 10, now, time.Time{}); !ok {
		t.Errorf("another bucket is not full")
	}
}

// Takes racing from many goroutines (as many instances would) never hand
// out more than the bucket holds plus its refill.
func TestRateBucketRacesNeverOverAdmit(t *testing.T) {
	tab := mustOpenTable(t)
	b := dynamostore.NewRateBuckets(tab.db, tab.name)
	const rate = 50
	if _, _, err := b.Take(context.Background(), "warm#read", rate, 1, time.Now(), time.Time{}); err != nil {
		t.Fatal(err) // DynamoDB Local's first call is slow: not part of the race
	}
	start := time.Now()
	var mu sync.Mutex
	taken := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			var hint time.Time
			for time.Since(start) < 1500*time.Millisecond {
				full, ok, err := b.Take(context.Background(), "race#read", rate, 2, time.Now(), hint)
				if err != nil {
					t.Error(err)
					return
				}
				hint = full
				if ok {
					mu.Lock()
					taken += 2
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	// How many the racers got depends on DynamoDB Local's speed; that
	// they never got more than the bucket gave does not.
	if most := rate + int(rate*elapsed) + 2; taken > most || taken == 0 {
		t.Errorf("%d tokens taken in %.2fs at %d/s; want some, at most %d", taken, elapsed, rate, most)
	}
}

// The operator's limits: an organization's rates, a project's rates and
// quota, read back through the cache the functions use; all zero deletes.
func TestLimitsRoundTrip(t *testing.T) {
	tab := mustOpenTable(t)
	l := dynamostore.NewLimits(tab.db, tab.name)
	ctx := context.Background()
	org := dynamostore.ProjectLimits{Rates: ratelimit.Rates{Write: 5, Search: 7}}
	proj := dynamostore.ProjectLimits{Rates: ratelimit.Rates{Read: 3}, Quota: files.Quota{MaxFiles: 10, MaxBytes: 1 << 20}}
	if err := l.Put(ctx, "o", "", org); err != nil {
		t.Fatal(err)
	}
	if err := l.Put(ctx, "o", "p", proj); err != nil {
		t.Fatal(err)
	}
	if err := l.Put(ctx, "o", "", dynamostore.ProjectLimits{Quota: files.Quota{MaxFiles: 1}}); err == nil {
		t.Errorf("a quota on an organization was stored")
	}
	if got, err := l.Get(ctx, "o", "p"); err != nil || got != proj {
		t.Errorf("Get project: %+v %v", got, err)
	}
	ov, err := l.Overrides(ctx, "o", "p")
	if err != nil || ov.Org != org.Rates || ov.Project != proj.Rates {
		t.Errorf("Overrides: %+v %v", ov, err)
	}
	q := &dynamostore.Quotas{Limits: l, Store: dynamostore.New(tab.db, tab.name)}
	if got, err := q.Quota(ctx, "o", "p"); err != nil || got != proj.Quota {
		t.Errorf("Quota: %+v %v", got, err)
	}
	if ov, err := l.Overrides(ctx, "o", "none"); err != nil || ov.Org != org.Rates || ov.Project != (ratelimit.Rates{}) {
		t.Errorf("a project without limits: %+v %v", ov, err)
	}
	if err := l.Put(ctx, "o", "p", dynamostore.ProjectLimits{}); err != nil {
		t.Fatal(err)
	}
	if got, err := l.Get(ctx, "o", "p"); err != nil || got != (dynamostore.ProjectLimits{}) {
		t.Errorf("after clearing: %+v %v", got, err)
	}
	// The cache keeps what it read for LimitsCacheTTL.
	if ov, _ := l.Overrides(ctx, "o", "p"); ov.Project != proj.Rates {
		t.Errorf("the cached project rates changed at once: %+v", ov)
	}
}

// A project's usage is what its counter item's held and bytes say, as the
// stream consumer adds them.
func TestUsageFollowsTheCounts(t *testing.T) {
	_, s := openStore(t)
	ctx := context.Background()
	if u, err := s.Usage(ctx, "p"); err != nil || u != (files.Usage{}) {
		t.Fatalf("a project never counted: %+v %v", u, err)
	}
	id := files.NewID(time.Now())
	err := s.ApplyCounts(ctx, "p", "shard-1", []files.CountChange{
		{Seq: "1", ID: id, Files: 1, Held: 1, Bytes: 100},
		{Seq: "2", ID: id, Files: 1, Held: 1, Bytes: 50},
		{Seq: "3", ID: id, Held: -1, Bytes: -100},
	})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := s.Usage(ctx, "p"); err != nil || u != (files.Usage{Files: 1, Bytes: 50}) {
		t.Errorf("usage %+v %v; want 1 file of 50 bytes", u, err)
	}
}
