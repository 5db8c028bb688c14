package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/idempotency"
)

func TestKeys(t *testing.T) {
	tab := mustOpenTable(t)
	keys := dynamostore.NewKeys(tab.db, tab.name)
	ctx := context.Background()
	k := &auth.Key{Hash: auth.Hash("fgk_secret"), OrganizationID: "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05", ProjectID: projectA,
		Scopes: []string{auth.ScopeRead, auth.ScopeCreate}, CreatedAt: t0}
	if err := keys.PutKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	got, err := keys.GetKey(ctx, k.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if got.OrganizationID != k.OrganizationID {
		t.Errorf("organization %q, want %q", got.OrganizationID, k.OrganizationID)
	}
	if got.ProjectID != k.ProjectID {
		t.Errorf("project %q, want %q", got.ProjectID, k.ProjectID)
	}
	if !slices.Equal(got.Scopes, k.Scopes) {
		t.Errorf("scopes %q, want %q", got.Scopes, k.Scopes)
	}
	if !got.CreatedAt.Equal(k.CreatedAt) {
		t.Errorf("created %v, want %v", got.CreatedAt, k.CreatedAt)
	}
	if got.RevokedAt != nil {
		t.Errorf("a new key is revoked at %v", got.RevokedAt)
	}
	if err := keys.PutKey(ctx, &auth.Key{Hash: k.Hash, ProjectID: projectB}); !errors.Is(err, files.ErrConditionFailed) {
		t.Errorf("PutKey over an existing hash: %v, want a refused write", err)
	}
	if err := keys.RevokeKey(ctx, k.Hash, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, err := keys.GetKey(ctx, k.Hash); err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("revoked at %v (%v), want %v", got.RevokedAt, err, t0.Add(time.Hour))
	}
	if _, err := keys.GetKey(ctx, auth.Hash("fgk_unknown")); !errors.Is(err, auth.ErrKeyNotFound) {
		t.Errorf("GetKey of an unknown hash: %v, want auth.ErrKeyNotFound", err)
	}
	if err := keys.RevokeKey(ctx, auth.Hash("fgk_unknown"), t0); !errors.Is(err, auth.ErrKeyNotFound) {
		t.Errorf("RevokeKey of an unknown hash: %v, want auth.ErrKeyNotFound", err)
	}
}

// The idempotency store's conditions: a claim holds its key while its
// lease lives or once finished, and not at all past its 24 h (TTL deletes
// late, so the write condition ends them).
func TestIdempotencyClaims(t *testing.T) {
	tab := mustOpenTable(t)
	store := dynamostore.NewIdempotency(tab.db, tab.name)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	rec := func(hash string, at time.Time) *idempotency.Record {
		return &idempotency.Record{Scope: projectA + "#POST /v1/files", Key: "K", BodyHash: hash, FirstAt: at, LeaseUntil: at.Add(time.Minute), TTL: at.Add(24 * time.Hour).Unix()}
	}
	claim := func(what string, r *idempotency.Record, at time.Time, wantClaimed bool) idempotency.Claim {
		t.Helper()
		c, err := store.Begin(ctx, r, at)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if c.Claimed != wantClaimed {
			t.Fatalf("%s: claimed %v, want %v (holder %+v)", what, c.Claimed, wantClaimed, c.Holder)
		}
		return c
	}
	first := rec("h1", now)
	claim("first request", first, now, true)
	held := claim("duplicate in flight", rec("h1", now), now, false)
	if held.Holder.Done {
		t.Error("the holder in flight reads as done")
	}
	if held.Holder.BodyHash != "h1" {
		t.Errorf("holder body hash %q, want h1", held.Holder.BodyHash)
	}
	claim("after the lease", rec("h1", now.Add(2*time.Minute)), now.Add(2*time.Minute), true)

	first.Done, first.Status, first.Type, first.Body = true, 200, "application/json", []byte(`{"id":"x"}`)
	if err := store.Finish(ctx, first); err != nil {
		t.Fatal(err)
	}
	got := claim("retry of a finished request", rec("h1", now.Add(time.Hour)), now.Add(time.Hour), false).Holder
	if !got.Done {
		t.Error("finished holder reads as in flight")
	}
	if got.Status != 200 {
		t.Errorf("stored status %d, want 200", got.Status)
	}
	if got.Type != "application/json" {
		t.Errorf("stored type %q, want application/json", got.Type)
	}
	if string(got.Body) != `{"id":"x"}` {
		t.Errorf("stored body %q", got.Body)
	}
	past := now.Add(25 * time.Hour)
	fresh := rec("h1", past)
	claim("past the 24 hours", fresh, past, true)
	if err := store.Release(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	claim("another request after a release", rec("h2", past), past, true)
}

// TestIdempotencyStoreKeepsTheFirstAttempt runs the DynamoDB key store
// through a key's life: a claim for the same request keeps the first
// attempt's time (a keyed create's file id carries it), through a release
// after a failure and through a lease that ran out; a live lease or a
// finished answer holds the key; another request, or the key's 24 hours
// being over, starts afresh.
func TestIdempotencyStoreKeepsTheFirstAttempt(t *testing.T) {
	tab := mustOpenTable(t)
	store := dynamostore.NewIdempotency(tab.db, tab.name)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	scope := projectA + "#POST /v1/files"
	claim := func(at time.Time, hash string) (*idempotency.Record, *idempotency.Record) {
		t.Helper()
		rec := &idempotency.Record{Scope: scope, Key: "k", BodyHash: hash, FirstAt: at, LeaseUntil: at.Add(15 * time.Second), TTL: at.Add(24 * time.Hour).Unix()}
		c, err := store.Begin(ctx, rec, at)
		if err != nil {
			t.Fatal(err)
		}
		if c.Claimed != (c.Holder == nil) {
			t.Fatalf("claimed %v with holder %+v", c.Claimed, c.Holder)
		}
		return rec, c.Holder
	}
	rec, prev := claim(t0, "a")
	if prev != nil || !rec.FirstAt.Equal(t0) {
		t.Fatalf("first claim: held by %+v, first attempt %s", prev, rec.FirstAt)
	}
	if _, prev := claim(t0.Add(time.Second), "a"); prev == nil || prev.Done {
		t.Fatalf("a claim inside the lease: %+v, want the live lease", prev)
	}
	if err := store.Release(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec, prev = claim(t0.Add(time.Minute), "a")
	if prev != nil || !rec.FirstAt.Equal(t0) {
		t.Fatalf("claim after a release: held by %+v, first attempt %s, want %s", prev, rec.FirstAt, t0)
	}
	// Never released (the request crashed): claimable once the lease is over.
	rec, prev = claim(rec.LeaseUntil.Add(time.Millisecond), "a")
	if prev != nil || !rec.FirstAt.Equal(t0) {
		t.Fatalf("claim after the lease ran out: held by %+v, first attempt %s, want %s", prev, rec.FirstAt, t0)
	}
	rec.Done, rec.Status, rec.Type, rec.Body = true, 200, "application/json", []byte(`{}`)
	if err := store.Finish(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if _, prev := claim(t0.Add(time.Hour), "a"); prev == nil || !prev.Done || !prev.FirstAt.Equal(t0) || string(prev.Body) != `{}` {
		t.Fatalf("a claim of a finished key: %+v, want its stored answer and first attempt", prev)
	}
	later := time.Unix(rec.TTL, 0).Add(time.Minute) // 24 hours after the claim that succeeded
	if rec, prev := claim(later, "a"); prev != nil || !rec.FirstAt.Equal(later) {
		t.Fatalf("a claim after 24 hours: held by %+v, first attempt %s, want a fresh one", prev, rec.FirstAt)
	}
	other := later.Add(time.Hour)
	rec, _ = claim(other, "a")
	if err := store.Release(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if rec, prev := claim(other.Add(time.Minute), "b"); prev != nil || !rec.FirstAt.Equal(other.Add(time.Minute)) {
		t.Fatalf("another request after a release: held by %+v, first attempt %s, want a fresh one", prev, rec.FirstAt)
	}
}

// A lease is over the moment its end has passed, also when that end falls
// on a round time: DynamoDB compares the stored strings, and RFC 3339 with
// its trailing zeros dropped ("…:31Z", "…:31.09Z") sorts after later times
// ("…:31.001Z", "…:31.091Z").
func TestIdempotencyLeaseEndsOnARoundTime(t *testing.T) {
	tab := mustOpenTable(t)
	store := dynamostore.NewIdempotency(tab.db, tab.name)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Second)
	for i, end := range []time.Time{base, base.Add(90 * time.Millisecond), base.Add(100 * time.Microsecond)} {
		rec := &idempotency.Record{Scope: projectA + "#POST /v1/files", Key: fmt.Sprint("round-", i), BodyHash: "a", FirstAt: end.Add(-time.Minute), LeaseUntil: end, TTL: end.Add(24 * time.Hour).Unix()}
		if c, err := store.Begin(ctx, rec, end.Add(-time.Minute)); err != nil || !c.Claimed {
			t.Fatalf("lease until %s: first claim %+v %v", end.Format(time.RFC3339Nano), c, err)
		}
		after := end.Add(time.Millisecond)
		retry := &idempotency.Record{Scope: rec.Scope, Key: rec.Key, BodyHash: "a", FirstAt: after, LeaseUntil: after.Add(time.Minute), TTL: rec.TTL}
		if c, err := store.Begin(ctx, retry, after); err != nil || !c.Claimed {
			t.Errorf("lease until %s, claimed a millisecond later: %+v %v, want the key free", end.Format(time.RFC3339Nano), c.Holder, err)
		}
	}
}
