package idempotency

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// clock is a Keys clock the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// recordOf is the stored record of key in k's memStore.
func recordOf(k *Keys, key string) Record {
	m := k.Store.(*memStore)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.recs["project#POST /v1/files/fil_X/complete\x00"+key]
}

// downAfterBegin is a memStore whose Release and Finish fail, as when the
// database dies while the request runs: the claim stays behind.
type downAfterBegin struct{ *memStore }

func (downAfterBegin) Release(context.Context, *Record) error { return errors.New("down") }
func (downAfterBegin) Finish(context.Context, *Record) error  { return errors.New("down") }

// A key is leased for as long as its request may run (the deadline Lambda
// puts on its context: the function's timeout) plus LeaseMargin, so a
// request that crashed blocks its key no longer than that.
func TestLeaseEndsWithTheRequestsDeadline(t *testing.T) {
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	mem := &memStore{recs: map[string]Record{}}
	k := &Keys{Store: downAfterBegin{mem}, Now: c.now}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	calls := 0
	runIn(ctx, k, "K", `{}`, ReplayStored, statuses(&calls, http.StatusServiceUnavailable))
	k.Store = mem // back up: the crashed request's claim is what is left
	lease := recordOf(k, "K").LeaseUntil
	if want := c.t.Add(10*time.Second + LeaseMargin); lease.After(want) || lease.Before(want.Add(-time.Second)) {
		t.Fatalf("lease until %s, want the deadline plus the margin, %s", lease, want)
	}
	c.t = lease.Add(-time.Millisecond)
	if _, err := run(k, "K", `{}`, statuses(&calls, http.StatusOK)); files.KindOf(err) != files.KindInFlight || calls != 1 {
		t.Fatalf("retry inside the lease: %v after %d runs, want in flight", err, calls)
	}
	c.t = lease
	if rr, err := run(k, "K", `{}`, statuses(&calls, http.StatusOK)); err != nil || calls != 2 || rr.Code != http.StatusOK {
		t.Fatalf("retry once the lease ended: %v, %d runs", err, calls)
	}
}

// A request without a deadline (a handler called outside Lambda) gets one,
// so its lease ends too.
func TestRequestWithoutDeadlineGetsOne(t *testing.T) {
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	k := &Keys{Store: &memStore{recs: map[string]Record{}}, Now: c.now}
	var deadline time.Time
	var ok bool
	run(k, "K", `{}`, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		deadline, ok = r.Context().Deadline()
		w.WriteHeader(http.StatusOK)
	}))
	if !ok || time.Until(deadline) > runWithoutDeadline {
		t.Fatalf("handler deadline %v (set %v), want at most %s away", deadline, ok, runWithoutDeadline)
	}
	if lease := recordOf(k, "K").LeaseUntil; lease.After(c.t.Add(runWithoutDeadline + LeaseMargin)) {
		t.Fatalf("lease until %s, past the deadline plus the margin", lease)
	}
}

// operations records the files.Operation each run of a handler saw.
func operations(ops *[]*files.Operation, code int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*ops = append(*ops, OperationOf(r.Context()))
		w.WriteHeader(code)
	})
}

// Every attempt of one request under one key carries the same Operation,
// dated at the first attempt, so a create derives the same file id each
// time; another request, or no key, does not.
func TestRetriesCarryTheSameOperation(t *testing.T) {
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	k := &Keys{Store: &memStore{recs: map[string]Record{}}, Now: c.now}
	var ops []*files.Operation
	first := c.t
	run(k, "K", `{"a":1}`, operations(&ops, http.StatusServiceUnavailable))
	c.t = c.t.Add(time.Minute)
	run(k, "K", `{"a":1}`, operations(&ops, http.StatusOK))
	c.t = c.t.Add(time.Minute)
	run(k, "L", `{"a":1}`, operations(&ops, http.StatusOK))
	run(k, "", `{"a":1}`, operations(&ops, http.StatusOK))
	if len(ops) != 4 {
		t.Fatalf("%d runs, want 4", len(ops))
	}
	if ops[0] == nil || ops[1] == nil || *ops[0] != *ops[1] || !ops[1].At.Equal(first) || ops[1].Replay {
		t.Errorf("a retry's operation %+v differs from the first attempt's %+v", ops[1], ops[0])
	}
	if ops[2] == nil || ops[2].Seed == ops[0].Seed || !ops[2].At.Equal(c.t) {
		t.Errorf("another key's operation %+v, want its own seed and time", ops[2])
	}
	if ops[3] != nil {
		t.Errorf("a request without a key got operation %+v", ops[3])
	}

	// A failed request with another body under the key is another request:
	// its own seed and time.
	run(k, "M", `{"a":1}`, operations(&ops, http.StatusBadRequest))
	c.t = c.t.Add(time.Minute)
	run(k, "M", `{"a":2}`, operations(&ops, http.StatusOK))
	if a, b := ops[4], ops[5]; a.Seed == b.Seed || !b.At.Equal(c.t) {
		t.Errorf("another body under a released key: %+v after %+v, want a new seed and time", b, a)
	}
}

// A route that replays by running again (a create) runs its handler as a
// lookup of the first attempt's operation; others replay the stored answer.
func TestReplayRunRunsTheHandlerAgain(t *testing.T) {
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	k := &Keys{Store: &memStore{recs: map[string]Record{}}, Now: c.now}
	var ops []*files.Operation
	runIn(context.Background(), k, "K", `{}`, ReplayRun, operations(&ops, http.StatusOK))
	c.t = c.t.Add(time.Hour)
	rr, err := runIn(context.Background(), k, "K", `{}`, ReplayRun, operations(&ops, http.StatusOK))
	if err != nil || len(ops) != 2 || !ops[1].Replay || ops[1].Seed != ops[0].Seed || !ops[1].At.Equal(ops[0].At) || rr.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay by running again: %v, %d runs, operation %+v, replayed %q", err, len(ops), ops[len(ops)-1], rr.Header().Get("Idempotent-Replayed"))
	}
	runIn(context.Background(), k, "K", `{}`, ReplayStored, operations(&ops, http.StatusOK))
	if len(ops) != 2 {
		t.Fatalf("a stored replay ran the handler")
	}
}
