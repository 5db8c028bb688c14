package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/filegate/filegate/shared/auth"
)

// devScopes are the dev key's.
var devScopes = []string{auth.ScopeCreate, auth.ScopeRead, auth.ScopeWebhooks}

// devKey is the key to serve this run with: the one path holds while the
// table still has it valid for the dev project (a restart keeps its key, so
// clients holding it go on working), else a new one. fresh asks for a new
// one and revokes the old. note says what changed, for the person running
// `make dev` ("" when nothing did).
func devKey(ctx context.Context, keys auth.KeyStore, path string, fresh bool) (key, note string, err error) {
	raw, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", "", err
	}
	old := strings.TrimSpace(string(raw))
	mint := func(why string) (string, string, error) {
		k, err := auth.Mint(ctx, keys, devOrg, devProject, devScopes, time.Now())
		return k, why, err
	}
	if old == "" {
		return mint("")
	}
	stored, err := keys.GetKey(ctx, auth.Hash(old))
	switch {
	case errors.Is(err, auth.ErrKeyNotFound):
		return mint(fmt.Sprintf("the key in %s is not in the table any more (its data was deleted?): minted a new one", path))
	case err != nil:
		return "", "", fmt.Errorf("looking up the dev key: %w", err)
	case stored.RevokedAt != nil || stored.ProjectID != devProject || !containsAll(stored.Scopes, devScopes):
		return mint(fmt.Sprintf("the key in %s is revoked or no longer the dev project's: minted a new one", path))
	case fresh:
		k, err := auth.Rotate(ctx, keys, old, time.Now())
		return k, "a new dev key, as asked; the old one is revoked", err
	}
	return old, "", nil
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// writeFileAtomic replaces path with data (mode perm) so that a reader sees
// the old content or the new, never a truncated or partial file: the bytes
// go to a temporary file in the same directory, synced, then renamed over
// path (a rename within one file system is atomic).
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up after a failure
	if _, err = tmp.Write(data); err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
