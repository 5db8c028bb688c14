package idempotency

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// memStore is the Store contract in memory, as the DynamoDB adapter keeps
// it: a record blocks its key while it is finished or its lease is live,
// and not at all once its 24 h are over; a claim for the same request keeps
// the first attempt's time.
type memStore struct {
	mu   sync.Mutex
	recs map[string]Record
	// released counts Release calls made with a live context.
	released int
}

func (m *memStore) Begin(_ context.Context, rec *Record, now time.Time) (Claim, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	prev, ok := m.recs[rec.Scope+"\x00"+rec.Key]
	live := ok && now.Unix() < prev.TTL
	if live && (prev.Done || now.Before(prev.LeaseUntil)) {
		return Claim{Holder: &prev}, nil
	}
	if live && prev.BodyHash == rec.BodyHash {
		rec.FirstAt = prev.FirstAt
	}
	m.recs[rec.Scope+"\x00"+rec.Key] = *rec
	return Claim{Claimed: true}, nil
}

func (m *memStore) Finish(_ context.Context, rec *Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs[rec.Scope+"\x00"+rec.Key] = *rec
	return nil
}

func (m *memStore) Release(ctx context.Context, rec *Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ctx.Err() != nil {
		return ctx.Err() // as the real store would: the update never runs
	}
	m.released++
	if prev := m.recs[rec.Scope+"\x00"+rec.Key]; !prev.Done && prev.LeaseUntil.Equal(rec.LeaseUntil) {
		prev.LeaseUntil = time.Time{}
		m.recs[rec.Scope+"\x00"+rec.Key] = prev
	}
	return nil
}

// run serves one POST with key and body through k; it returns the recorder
// and the error Serve gave back.
func run(k *Keys, key, body string, next http.Handler) (*httptest.ResponseRecorder, error) {
	return runIn(context.Background(), k, key, body, ReplayStored, next)
}

func runIn(ctx context.Context, k *Keys, key, body string, how Replay, next http.Handler) (*httptest.ResponseRecorder, error) {
	rr := httptest.NewRecorder()
	r := httptest.NewRequestWithContext(ctx, "POST", "/v1/files/fil_X/complete", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if key != "" {
		r.Header.Set(Header, key)
	}
	return rr, k.Serve(rr, r, "project#POST /v1/files/fil_X/complete", how, next)
}

func newKeys() *Keys {
	return &Keys{Store: &memStore{recs: map[string]Record{}}, Now: time.Now}
}

// statuses answers with each status in turn, counting calls.
func statuses(calls *int, codes ...int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(codes[min(*calls, len(codes)-1)])
		*calls++
	})
}

func TestServeStoresOnlySuccesses(t *testing.T) {
	for _, failed := range []int{http.StatusConflict, http.StatusUnprocessableEntity, http.StatusBadRequest, http.StatusServiceUnavailable, http.StatusInternalServerError} {
		k, calls := newKeys(), 0
		h := statuses(&calls, failed, http.StatusOK)
		first, _ := run(k, "K", `{}`, h)
		second, _ := run(k, "K", `{}`, h)
		third, _ := run(k, "K", `{}`, h)
		if first.Code != failed || second.Code != http.StatusOK || calls != 2 || third.Code != http.StatusOK || third.Header().Get("Idempotent-Replayed") != "true" {
			t.Errorf("after a %d: codes %d %d %d, %d runs, third replayed %q; want the failure re-attempted, then the success replayed",
				failed, first.Code, second.Code, third.Code, calls, third.Header().Get("Idempotent-Replayed"))
		}
	}
}

func TestServeConflicts(t *testing.T) {
	k, calls := newKeys(), 0
	run(k, "K", `{"md5":"a"}`, statuses(&calls, http.StatusOK))
	_, err := run(k, "K", `{"md5":"b"}`, statuses(&calls, http.StatusOK))
	if e := asError(t, err); e.Kind != files.KindConflict || e.Code != "idempotency_key_reused" || files.RetryOf(e) != files.RetryNever {
		t.Errorf("same key, another body: %+v; want a permanent idempotency_key_reused conflict", e)
	}

	// A duplicate while the first still runs may succeed later: transient.
	inside, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(inside)
		<-release
		w.WriteHeader(http.StatusOK)
	})
	done := make(chan struct{})
	go func() { run(k, "slow", `{}`, slow); close(done) }()
	<-inside
	_, err = run(k, "slow", `{}`, statuses(&calls, http.StatusOK))
	close(release)
	<-done
	// It is told to come back when the key's lease ends: the request's
	// deadline (here none, so runWithoutDeadline) plus LeaseMargin.
	if e := asError(t, err); e.Kind != files.KindInFlight || e.Code != "idempotency_conflict" || files.RetryOf(e) != files.RetryLater ||
		e.RetryAfter < runWithoutDeadline || e.RetryAfter > runWithoutDeadline+LeaseMargin {
		t.Errorf("duplicate in flight: %+v; want a transient idempotency_conflict, retry after the lease", e)
	}
}

func TestServeRefusesLongKeys(t *testing.T) {
	k, calls := newKeys(), 0
	if _, err := run(k, strings.Repeat("k", 255), `{}`, statuses(&calls, http.StatusOK)); err != nil || calls != 1 {
		t.Fatalf("255 characters: %v, %d runs", err, calls)
	}
	_, err := run(k, strings.Repeat("k", 256), `{}`, statuses(&calls, http.StatusOK))
	if e := asError(t, err); e.Kind != files.KindInvalid || e.Param != Header || e.Code != "idempotency_key_too_long" || calls != 1 {
		t.Errorf("256 characters: %+v after %d runs", e, calls)
	}
}

func asError(t *testing.T, err error) *files.Error {
	t.Helper()
	var e *files.Error
	if !errors.As(err, &e) {
		t.Fatalf("%v (%T) is not a *files.Error", err, err)
	}
	return e
}

// A failed request frees its key in the store, also when the client has
// gone meanwhile (the release runs detached from the request's context), and
// so does a success too large to store: no key stays held by a request that
// left nothing to replay.
func TestServeReleasesWhatItDoesNotStore(t *testing.T) {
	for name, h := range map[string]func(cancel func()) http.Handler{
		"5xx, client gone": func(cancel func()) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				cancel()
				w.WriteHeader(http.StatusServiceUnavailable)
			})
		},
		"500": func(func()) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
		},
		"too large to store": func(func()) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(make([]byte, maxStored+1)) })
		},
	} {
		st := &memStore{recs: map[string]Record{}}
		k := &Keys{Store: st, Now: time.Now}
		ctx, cancel := context.WithCancel(context.Background())
		r := httptest.NewRequest("POST", "/v1/files", strings.NewReader(`{}`)).WithContext(ctx)
		r.Header.Set(Header, "K")
		if err := k.Serve(httptest.NewRecorder(), r, "p#POST /v1/files", ReplayStored, h(cancel)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cancel()
		if st.released != 1 {
			t.Errorf("%s: %d releases with a live context, want 1", name, st.released)
		}
		if rec := st.recs["p#POST /v1/files\x00K"]; rec.Done || rec.LeaseUntil.After(time.Now()) {
			t.Errorf("%s: the key is still held (done %v, lease until %v)", name, rec.Done, rec.LeaseUntil)
		}
	}
}
