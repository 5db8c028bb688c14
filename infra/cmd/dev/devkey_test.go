package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/auth"
)

// keysInMemory is a KeyStore at the seam devKey uses (the faults suite
// drives make dev against the real table).
type keysInMemory map[string]*auth.Key

func (m keysInMemory) GetKey(_ context.Context, hash string) (*auth.Key, error) {
	if k, ok := m[hash]; ok {
		c := *k
		return &c, nil
	}
	return nil, auth.ErrKeyNotFound
}

func (m keysInMemory) PutKey(_ context.Context, k *auth.Key) error {
	c := *k
	m[k.Hash] = &c
	return nil
}

func (m keysInMemory) RevokeKey(_ context.Context, hash string, at time.Time) error {
	k, ok := m[hash]
	if !ok {
		return auth.ErrKeyNotFound
	}
	k.RevokedAt = &at
	return nil
}

// The dev key is kept while the table holds it valid for the dev project,
// replaced (and the old one revoked) when asked, and replaced with a note
// when the table lost it, revoked it or it belongs elsewhere.
func TestDevKeyIsKeptWhileValid(t *testing.T) {
	ctx := context.Background()
	keys := keysInMemory{}
	path := filepath.Join(t.TempDir(), "dev-api-key")
	save := func(k string) {
		if err := writeFileAtomic(path, []byte(k+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	first, note, err := devKey(ctx, keys, path, false)
	if err != nil || note != "" || !strings.HasPrefix(first, "fgk_") {
		t.Fatalf("no key file: %q, note %q, %v; want a new key, no note", first, note, err)
	}
	save(first)
	if k, note, err := devKey(ctx, keys, path, false); err != nil || k != first || note != "" {
		t.Errorf("a valid key: %q, note %q, %v; want it kept", k, note, err)
	}
	fresh, note, err := devKey(ctx, keys, path, true)
	if err != nil || fresh == first || note == "" {
		t.Errorf("a new key asked for: %q, note %q, %v; want another, with a note", fresh, note, err)
	}
	if k, _ := keys.GetKey(ctx, auth.Hash(first)); k == nil || k.RevokedAt == nil {
		t.Errorf("the replaced key is not revoked: %+v", k)
	}
	for name, k := range map[string]string{"revoked": first, "unknown": "fgk_nottherealone"} {
		save(k)
		if got, note, err := devKey(ctx, keys, path, false); err != nil || got == k || note == "" {
			t.Errorf("%s key: %q, note %q, %v; want a new key, with a note", name, got, note, err)
		}
	}
	other, _ := auth.Mint(ctx, keys, devOrg, "00000000-0000-4000-8000-0000000000ff", devScopes, time.Now())
	save(other)
	if got, note, err := devKey(ctx, keys, path, false); err != nil || got == other || note == "" {
		t.Errorf("another project's key: %q, note %q, %v; want a new key, with a note", got, note, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the atomic writes left %d files behind, want just the key file", len(entries))
	}
}
