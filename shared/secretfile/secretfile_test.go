package secretfile_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/filegate/filegate/shared/secretfile"
)

// Ensure creates the file once, 0600, in a directory it makes; concurrent
// first starts agree on one secret; a second Ensure keeps it.
func TestEnsure(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".local", "root-secret")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := secretfile.Ensure(path); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the secret file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
	first, _ := os.ReadFile(path)
	if err := secretfile.Ensure(path); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(path)
	if string(first) != string(again) || len(strings.TrimSpace(string(first))) != 64 {
		t.Errorf("the secret %q changed to %q, or is not 64 characters", first, again)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d files beside the secret, want none (temporary files removed)", len(entries)-1)
	}
	vs, err := secretfile.Source{Path: path}.Load(context.Background())
	if err != nil || vs.Previous != nil {
		t.Errorf("load: %v, previous %v; want one version", err, vs.Previous)
	}
}

// Rotate makes a fresh secret current and the old one previous.
func TestRotate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "root-secret")
	if err := secretfile.Ensure(path); err != nil {
		t.Fatal(err)
	}
	src := secretfile.Source{Path: path}
	before, _ := src.Load(ctx)
	if err := secretfile.Rotate(path); err != nil {
		t.Fatal(err)
	}
	after, err := src.Load(ctx)
	if err != nil || after.Previous == nil || after.Previous.Tag() != before.Current.Tag() || after.Current.Tag() == before.Current.Tag() {
		t.Fatalf("after a rotation: %v; want a new current and the old one previous", err)
	}
	if err := secretfile.Rotate(path); err != nil {
		t.Fatal(err)
	}
	twice, _ := src.Load(ctx)
	if _, ok := twice.ByTag(before.Current.Tag()); ok {
		t.Error("two rotations keep the first version")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after rotations, want 0600", st.Mode().Perm())
	}
}

// A file others may read, a short secret or extra lines are refused.
func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		content string
		mode    os.FileMode
	}{
		"readable by others": {strings.Repeat("a", 64) + "\n", 0o644},
		"short":              {"short\n", 0o600},
		"three lines":        {strings.Repeat("a\n", 3), 0o600},
		"empty":              {"", 0o600},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, tc.mode); err != nil {
			t.Fatal(err)
		}
		if _, err := (secretfile.Source{Path: path}).Load(context.Background()); err == nil {
			t.Errorf("%s: loaded, want an error", name)
		}
	}
	if _, err := (secretfile.Source{Path: filepath.Join(dir, "absent")}).Load(context.Background()); err == nil {
		t.Error("an absent file loads")
	}
}
