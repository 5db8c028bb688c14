package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/ratelimit"
	"github.com/filegate/filegate/shared/wiring"
)

// setLimits stores what the operator sets for an organization (project "")
// or a project, as `make limits` does. Functions read it within
// dynamostore.LimitsCacheTTL; a fresh tenant's is read at its first request.
func setLimits(t *testing.T, org, project string, pl dynamostore.ProjectLimits) {
	t.Helper()
	if err := wiring.Limits(env).Put(t.Context(), org, project, pl); err != nil {
		t.Fatal(err)
	}
}

// rateHeaders reads Lightfield's three headers, failing the test if one is
// missing or not a number.
func rateHeaders(t *testing.T, what string, h http.Header) (limit, remaining int, reset time.Time) {
	t.Helper()
	var n [3]int64
	for i, name := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
		v, err := strconv.ParseInt(h.Get(name), 10, 64)
		if err != nil {
			t.Fatalf("%s: %s is %q, want a number", what, name, h.Get(name))
		}
		n[i] = v
	}
	return int(n[0]), int(n[1]), time.Unix(n[2], 0)
}

// Every answer a function writes for a tenant carries Lightfield's three
// headers, in both dialects, errors included: the bucket's capacity (25/s,
// Lightfield's and the template's default), what is left of it, and when it
// is full again (Unix seconds, within a second of now for a bucket that
// refills at 25/s). Each category is a bucket of its own.
func TestRateLimitHeadersOnEveryAnswer(t *testing.T) {
	c := newTenant(t)
	// Lightfield's 25/s, which the template deploys by default (this
	// suite's stack runs with higher defaults).
	lf := wiring.DefaultRateLimit
	setLimits(t, c.OrgID, "", dynamostore.ProjectLimits{Rates: ratelimit.Rates{Write: lf, Read: lf, Search: lf}})
	f := c.Create("a.txt", "text/plain", 5, "")
	missing := "0190f1c2-0000-7000-8000-000000000000"
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/v1/files/" + f.ID, nil, 200},
		{"GET", "/v1/files?limit=5", nil, 200},
		{"GET", "/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894", nil, 404},
		{"POST", "/v1/files", map[string]any{"filename": ""}, 400},
		{"GET", "/v1/files/" + f.ID + "/url", nil, 0}, // 0: whatever it answers
		{"GET", "/api/v1/beta/files", nil, 200},
		{"GET", "/api/v1/beta/files/" + missing, nil, 404},
		{"POST", "/api/v1/beta/files/query", map[string]any{}, 200},
	} {
		what := tc.method + " " + tc.path
		before := time.Now()
		status, h := c.Do(tc.method, tc.path, tc.body, nil)
		if tc.status != 0 && status != tc.status {
			t.Errorf("%s: %d, want %d", what, status, tc.status)
		}
		limit, remaining, reset := rateHeaders(t, what, h)
		if limit != wiring.DefaultRateLimit || remaining < 0 || remaining > limit {
			t.Errorf("%s: limit %d remaining %d, want %d and 0..%[3]d", what, limit, remaining, wiring.DefaultRateLimit)
		}
		if reset.Before(before.Truncate(time.Second)) || reset.After(time.Now().Add(2*time.Second)) {
			t.Errorf("%s: reset %s, want within a second or two of %s", what, reset, before)
		}
	}
	// Writes and reads drain their own buckets: four writes in a row leave
	// the Read bucket nearly full.
	for range 4 {
		c.Do("POST", "/v1/files", map[string]any{"filename": "b.txt", "mimeType": "text/plain", "sizeBytes": 1}, nil)
	}
	_, h := c.Do("GET", "/v1/files/"+f.ID, nil, nil)
	if _, remaining, _ := rateHeaders(t, "read after writes", h); remaining < wiring.DefaultRateLimit-5 {
		t.Errorf("read after four writes: %d remaining, want the Read bucket's own (≥ %d)", remaining, wiring.DefaultRateLimit-5)
	}
}

// A tenant over its limit gets 429 in its dialect's envelope, with
// Retry-After and the bucket's headers (Remaining 0); another tenant, and
// the same tenant's other categories, are untouched. The operator's
// project rate (2/s here) is a bucket of the project's own.
func TestRateLimitRefusesOverTheLimitInEachDialect(t *testing.T) {
	noisy, quiet := newTenant(t), newTenant(t)
	setLimits(t, noisy.OrgID, noisy.ProjectID, dynamostore.ProjectLimits{Rates: ratelimit.Rates{Read: 2}})
	missing := "0190f1c2-0000-7000-8000-000000000000"
	for _, tc := range []struct{ dialect, path string }{
		{"native", "/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894"},
		{"compat", "/api/v1/beta/files/" + missing},
	} {
		time.Sleep(1100 * time.Millisecond) // the bucket full again
		var refused bool
		admitted, start := 0, time.Now()
		for i := 0; i < 10 && !refused; i++ {
			res, err := apitest.Do(t.Context(), &noisy.Client, "GET", tc.path, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != http.StatusTooManyRequests {
				admitted++
				continue
			}
			refused = true
			limit, remaining, reset := rateHeaders(t, tc.dialect+" 429", res.Header)
			if limit != 2 || remaining != 0 || reset.Before(time.Now().Truncate(time.Second)) {
				t.Errorf("%s 429: limit %d remaining %d reset %s, want 2, 0 and a reset to come", tc.dialect, limit, remaining, reset)
			}
			if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 2 {
				t.Errorf("%s 429: Retry-After %q, want 1 or 2 seconds (a 2/s bucket refills in one)", tc.dialect, res.Header.Get("Retry-After"))
			}
			if tc.dialect == "native" {
				var e struct {
					Error struct{ Type, Message, Code string } `json:"error"`
				}
				if err := json.Unmarshal(res.Body, &e); err != nil || e.Error.Type != "too_many_requests" || !strings.Contains(e.Error.Message, "Rate limit exceeded") {
					t.Errorf("native 429 body %s, want Lightfield's too_many_requests envelope", res.Body)
				}
			} else {
				var e struct{ Detail string }
				if err := json.Unmarshal(res.Body, &e); err != nil || !strings.Contains(e.Detail, "Rate limit exceeded") {
					t.Errorf("compat 429 body %s, want {\"detail\": ...}", res.Body)
				}
			}
		}
		// The bucket's 2, plus what it refilled (2/s) while they ran.
		if most := 2 + int(2*time.Since(start).Seconds()); !refused || admitted < 2 || admitted > most {
			t.Errorf("%s: %d admitted before a 429 (refused: %v), want 2 to %d", tc.dialect, admitted, refused, most)
		}
		// While the noisy tenant's Read bucket is empty: its Search bucket
		// and another tenant's Read bucket serve.
		if st := noisy.Call("GET", "/v1/files?limit=1", nil, nil); st != 200 {
			t.Errorf("%s: the noisy tenant's list: %d, want 200 (Search is its own bucket)", tc.dialect, st)
		}
		if st := quiet.Call("GET", tc.path, nil, nil); st != 404 {
			t.Errorf("%s: another tenant's read: %d, want its 404", tc.dialect, st)
		}
	}
}

// Lightfield's clients retry a 429 after what Retry-After says (stainless
// is their retry rule): the call succeeds once the bucket refills, having
// waited at least the advised time.
func TestLightfieldClientRetriesA429AfterRetryAfter(t *testing.T) {
	c := newTenant(t)
	setLimits(t, c.OrgID, c.ProjectID, dynamostore.ProjectLimits{Rates: ratelimit.Rates{Read: 1}})
	f := c.Create("a.txt", "text/plain", 5, "")
	s := &stainless{t: t, key: c.Key}
	if r := s.do("GET", "/v1/files/"+f.ID, nil, nil); r.status != 200 || r.attempts != 1 {
		t.Fatalf("first read: %d after %d attempts", r.status, r.attempts)
	}
	var advised []string
	s.onAttempt = func(_ int, status int, h http.Header) {
		if status == http.StatusTooManyRequests {
			advised = append(advised, h.Get("Retry-After"))
		}
	}
	r := s.do("GET", "/v1/files/"+f.ID, nil, nil)
	if r.status != 200 || r.attempts < 2 || len(advised) == 0 {
		t.Fatalf("second read at 1/s: %d after %d attempts (429s advising %v), want a 429, then 200 on a retry", r.status, r.attempts, advised)
	}
	for i, wait := range r.waited {
		if secs, _ := strconv.Atoi(advised[i]); wait < time.Duration(secs)*time.Second {
			t.Errorf("retry %d waited %s, Retry-After said %ss", i+1, wait, advised[i])
		}
	}
}

// The official LlamaCloud client, with its default retries, retries the
// compat API's 429s after what Retry-After says, and sees the rate-limit
// headers on every answer (ratelimit.test.mjs).
func TestLlamaCloudClientRetriesA429AfterRetryAfter(t *testing.T) {
	node := tool(t, "node")
	npmInstall(t, tool(t, "npm"), llamaCloudSuite)
	c := newTenant(t)
	setLimits(t, c.OrgID, c.ProjectID, dynamostore.ProjectLimits{Rates: ratelimit.Rates{Search: 1}})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "ratelimit.test.mjs")
	cmd.Dir = llamaCloudSuite
	cmd.Env = append(os.Environ(), "FILEGATE_URL="+checkedProxy(t), "FILEGATE_KEY_R="+c.Key, "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test ratelimit.test.mjs (in %s) failed: %v\n%s", llamaCloudSuite, err, out)
	}
	t.Logf("node --test:\n%s", out)
}

// checkFileCount fails unless the project lists exactly n files.
func checkFileCount(t *testing.T, c *tenant, n int) {
	t.Helper()
	var page struct {
		Data []filegate.File `json:"data"`
	}
	if st := c.Call("GET", "/v1/files?limit=25", nil, &page); st != 200 || len(page.Data) != n {
		t.Errorf("the project lists %d files (%d), want %d: a refused create wrote nothing", len(page.Data), st, n)
	}
}

// waitHeld waits until the project's counts (which follow the stream) show
// n files held.
func waitHeld(t *testing.T, c *tenant, n int64) {
	t.Helper()
	q := wiring.Quotas(env)
	deadline := time.Now().Add(20 * time.Second)
	for {
		u, err := q.Usage(t.Context(), c.ProjectID)
		if err == nil && u.Files == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the project's counts show %+v (%v) after 20 s, want %d files held", u, err, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A project's quota (a Filegate extension) refuses the create that would
// pass it, in each dialect's shape (403, code quota_exceeded natively, not
// to be retried), writing nothing; bytes count the declared sizes of
// PENDING and COMPLETED files, and a cancelled session frees its share.
func TestQuotaRefusesInEachDialect(t *testing.T) {
	c := newTenant(t)
	setLimits(t, c.OrgID, c.ProjectID, dynamostore.ProjectLimits{Quota: files.Quota{MaxFiles: 3, MaxBytes: 25}})
	create := func(size int) (int, http.Header, []byte) {
		res, err := apitest.Do(t.Context(), &c.Client, "POST", "/v1/files", map[string]any{"filename": "q.txt", "mimeType": "text/plain", "sizeBytes": size}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Status, res.Header, res.Body
	}
	var first filegate.File
	for i := range 2 {
		if i == 0 {
			first = c.Create("q.txt", "text/plain", 10, "")
		} else if st, _, body := create(10); st != 200 {
			t.Fatalf("create %d: %d %s", i+1, st, body)
		}
	}
	waitHeld(t, c, 2)
	refused := func(what string, st int, h http.Header, body []byte, param string) {
		t.Helper()
		var e struct {
			Error struct{ Type, Code, Param, Message string } `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		if st != 403 || e.Error.Type != "forbidden" || e.Error.Code != "quota_exceeded" || e.Error.Param != param || h.Get("X-Should-Retry") != "false" {
			t.Errorf("%s: %d %s (x-should-retry %q), want 403 forbidden quota_exceeded on %q, not to be retried", what, st, body, h.Get("X-Should-Retry"), param)
		}
	}
	// 20 of 25 bytes held: 10 more do not fit, 5 do.
	st, h, body := create(10)
	refused("10 bytes past 20 of 25", st, h, body, "sizeBytes")
	st, body = compatUpload(t, c.Key, "q.txt", "user_data", []byte("0123456789"))
	var detail struct{ Detail string }
	if _ = json.Unmarshal(body, &detail); st != 403 || !strings.Contains(detail.Detail, "quota") {
		t.Errorf("compat upload past the quota: %d %s, want 403 {\"detail\": ...quota...}", st, body)
	}
	checkFileCount(t, c, 2)
	if st, _, body := create(5); st != 200 {
		t.Fatalf("5 bytes into the 5 left: %d %s", st, body)
	}
	waitHeld(t, c, 3)
	st, h, body = create(1)
	refused("a 4th file of 3", st, h, body, "")
	checkFileCount(t, c, 3)
	// Cancelling a session frees its file and bytes.
	if st := c.Call("POST", "/v1/files/"+first.ID+"/cancel", map[string]any{}, nil); st != 200 {
		t.Fatalf("cancel: %d", st)
	}
	waitHeld(t, c, 2)
	if st, _, body := create(10); st != 200 {
		t.Errorf("after a cancel freed 10 bytes and a file: %d %s, want 200", st, body)
	}
}
