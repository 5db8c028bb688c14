package rootsecret_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/rootsecret"
)

var (
	rootA = []byte(strings.Repeat("a", 64))
	rootB = []byte(strings.Repeat("b", 64))
)

func version(t *testing.T, secret []byte) rootsecret.Version {
	t.Helper()
	v, err := rootsecret.NewVersion(secret)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Derivation is stable (a release that changed it would change every
// derived secret: tokens in flight, webhook endpoints' secrets), separates
// purposes and parts unambiguously, and depends on the root.
func TestDerive(t *testing.T) {
	a, b := version(t, rootA), version(t, rootB)
	// HKDF-SHA256 per RFC 5869, computed independently (Python hmac).
	const want = "ff537e3a63fdaca83b8795d257c6538ea323d3ff1d5d25a2482321367474eef3"
	if got := hex.EncodeToString(a.Derive("upload-token", "20261130")); got != want {
		t.Errorf("Derive(upload-token, 20261130) = %s, want %s (the derivation changed)", got, want)
	}
	keys := map[string][]byte{
		"upload-token/20261130":   a.Derive("upload-token", "20261130"),
		"upload-token/20261201":   a.Derive("upload-token", "20261201"),
		"webhook/20261130":        a.Derive("webhook", "20261130"),
		"upload-token2026/1130":   a.Derive("upload-token2026", "1130"),
		"upload-token/2026,1130":  a.Derive("upload-token", "2026", "1130"),
		"upload-token/20261130,":  a.Derive("upload-token", "20261130", ""),
		"B upload-token/20261130": b.Derive("upload-token", "20261130"),
	}
	seen := map[string]string{}
	for name, k := range keys {
		if len(k) != 32 {
			t.Errorf("%s: %d bytes, want 32", name, len(k))
		}
		if bytes.Contains(k, rootA[:8]) {
			t.Errorf("%s holds the root", name)
		}
		if other, ok := seen[string(k)]; ok {
			t.Errorf("%s and %s derive the same key", name, other)
		}
		seen[string(k)] = name
	}
	if !bytes.Equal(a.Derive("x", "y"), version(t, rootA).Derive("x", "y")) {
		t.Error("one root derives two keys for one purpose")
	}
	if a.Tag() == b.Tag() || len(a.Tag()) != 12 || a.Tag() != version(t, rootA).Tag() || strings.Contains(string(rootA), a.Tag()) {
		t.Errorf("tags %q and %q: want 12 hex digits, one per root, stable", a.Tag(), b.Tag())
	}
	if _, err := rootsecret.NewVersion(rootA[:rootsecret.MinLength-1]); err == nil {
		t.Error("a root secret shorter than MinLength is accepted")
	}
}

func TestByTag(t *testing.T) {
	vs, err := rootsecret.Parse(rootB, rootA)
	if err != nil {
		t.Fatal(err)
	}
	a, b := version(t, rootA), version(t, rootB)
	for tag, want := range map[string]bool{a.Tag(): true, b.Tag(): true, "AAAAAAAA": false, "": false} {
		if _, ok := vs.ByTag(tag); ok != want {
			t.Errorf("ByTag(%q) = %v, want %v", tag, ok, want)
		}
	}
	if v, _ := vs.ByTag(a.Tag()); !bytes.Equal(v.Derive("p"), a.Derive("p")) {
		t.Error("ByTag(previous) is not the previous version")
	}
	first, _ := rootsecret.Parse(rootA, nil)
	if first.Previous != nil {
		t.Error("a secret never rotated has a previous version")
	}
	if _, err := rootsecret.Parse(rootA, []byte("short")); err == nil {
		t.Error("a short previous version is accepted")
	}
}

// source is a Source in memory that counts its loads.
type source struct {
	current, previous []byte
	err               error
	loads             int
}

func (s *source) Load(context.Context) (rootsecret.Versions, error) {
	s.loads++
	if s.err != nil {
		return rootsecret.Versions{}, s.err
	}
	return rootsecret.Parse(s.current, s.previous)
}

func (s *source) rotate(next []byte) { s.previous, s.current = s.current, next }

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// The cache loads on first use, then once a TTL; a failed refresh keeps
// the versions it has (retried after RetryAfter); a first load that fails
// is an error.
func TestCache(t *testing.T) {
	ctx := context.Background()
	src, c := &source{current: rootA}, &clock{t: time.Unix(1_800_000_000, 0)}
	cache := rootsecret.NewCache(src, 5*time.Minute, c.now)
	if src.loads != 0 {
		t.Fatal("the cache loads before first use")
	}
	for range 3 {
		if vs, err := cache.Versions(ctx); err != nil || vs.Current.Tag() != version(t, rootA).Tag() {
			t.Fatalf("versions: %v", err)
		}
	}
	if src.loads != 1 {
		t.Errorf("%d loads for 3 uses within the TTL, want 1", src.loads)
	}
	src.rotate(rootB)
	c.t = c.t.Add(5 * time.Minute)
	vs, err := cache.Versions(ctx)
	if err != nil || vs.Current.Tag() != version(t, rootB).Tag() || vs.Previous == nil || src.loads != 2 {
		t.Fatalf("after the TTL: %v, %d loads; want the rotated versions, 2 loads", err, src.loads)
	}
	src.err = errors.New("secrets manager is down")
	c.t = c.t.Add(5 * time.Minute)
	if vs, err := cache.Versions(ctx); err != nil || vs.Current.Tag() != version(t, rootB).Tag() {
		t.Errorf("a failed refresh: %v; want the versions last loaded", err)
	}
	c.t = c.t.Add(rootsecret.RetryAfter / 2)
	_, _ = cache.Versions(ctx)
	if src.loads != 3 {
		t.Errorf("%d loads; a failed refresh is retried only after RetryAfter", src.loads)
	}
	c.t = c.t.Add(rootsecret.RetryAfter)
	_, _ = cache.Versions(ctx)
	if src.loads != 4 {
		t.Errorf("%d loads; want a retry after RetryAfter", src.loads)
	}
	if _, err := rootsecret.NewCache(src, time.Minute, c.now).Versions(ctx); err == nil {
		t.Error("a first load that fails: no error")
	}
}

// A tag the cache does not know reloads it (a rotation another function
// saw first), at most once per RetryAfter, so made-up tags cannot drive
// loads.
func TestLookupReloadsForANewTag(t *testing.T) {
	ctx := context.Background()
	src, c := &source{current: rootA}, &clock{t: time.Unix(1_800_000_000, 0)}
	cache := rootsecret.NewCache(src, time.Hour, c.now)
	if _, ok, err := cache.Lookup(ctx, version(t, rootA).Tag()); !ok || err != nil {
		t.Fatalf("current tag: %v %v", ok, err)
	}
	src.rotate(rootB)
	if _, ok, _ := cache.Lookup(ctx, version(t, rootB).Tag()); ok || src.loads != 1 {
		t.Errorf("a new tag right after a load: found %v, %d loads; want a miss without a load", ok, src.loads)
	}
	c.t = c.t.Add(rootsecret.RetryAfter)
	if v, ok, err := cache.Lookup(ctx, version(t, rootB).Tag()); !ok || err != nil || v.Tag() != version(t, rootB).Tag() {
		t.Errorf("a new tag after RetryAfter: %v %v; want it found by a reload", ok, err)
	}
	for range 5 {
		if _, ok, _ := cache.Lookup(ctx, "made-up"); ok {
			t.Error("a made-up tag is found")
		}
	}
	if src.loads != 2 {
		t.Errorf("%d loads; made-up tags must not drive loads", src.loads)
	}
}
