package nativeapi

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
)

// heldStore is an Idempotency-Key store whose every key is held by the same
// request, still running, whose lease ends left after now.
type heldStore struct{ left time.Duration }

func (s heldStore) Begin(_ context.Context, rec *idempotency.Record, now time.Time) (idempotency.Claim, error) {
	return idempotency.Claim{Holder: &idempotency.Record{Scope: rec.Scope, Key: rec.Key, BodyHash: rec.BodyHash, LeaseUntil: now.Add(s.left), FirstAt: now}}, nil
}
func (heldStore) Finish(context.Context, *idempotency.Record) error  { return nil }
func (heldStore) Release(context.Context, *idempotency.Record) error { return nil }

// A duplicate of a request still in flight is Lightfield's documented 409
// idempotency_conflict, told to come back when the key's lease ends (rounded
// up to whole seconds), not in a second: the Stainless clients wait what
// Retry-After says, twice, and gave up before a 15 s lease ended.
func TestInFlightDuplicateWaitsOutTheLease(t *testing.T) {
	p := auth.Principal{ProjectID: "p", Scopes: []string{auth.ScopeCreate}}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		left       time.Duration
		retryAfter string
	}{
		{14200 * time.Millisecond, "15"},
		{300 * time.Millisecond, "1"},
		{9 * time.Second, "9"},
	} {
		once := &idempotency.Keys{Store: heldStore{tc.left}, Now: func() time.Time { return now }}
		rt := Cancel(files.NewCancellation(nil, nil, nil, files.Options{}), once, nil)
		resp := invokeRoute(t, rt, "POST", "/v1/files/fil_06H0EN1ZAP202AP5WPNPHXF894/cancel", `{}`, map[string]string{"Content-Type": "application/json", "Idempotency-Key": "K"}, p)
		var body errorBody
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
			t.Fatalf("body %s: %v", resp.Body, err)
		}
		if resp.StatusCode != 409 || body.Error.Type != "idempotency_conflict" || body.Error.Message == "" {
			t.Errorf("lease %s left: %d %s, want 409 with type idempotency_conflict", tc.left, resp.StatusCode, resp.Body)
		}
		if got := resp.Headers["Retry-After"]; got != tc.retryAfter {
			t.Errorf("lease %s left: Retry-After %q, want %q", tc.left, got, tc.retryAfter)
		}
		if resp.Headers["X-Should-Retry"] == "false" {
			t.Errorf("lease %s left: x-should-retry false on a duplicate that can succeed", tc.left)
		}
	}
}
