package process

import (
	"os"
	"path/filepath"
	"testing"
)

// RequireTools is for tests: the tools directory. It mirrors infra/tools/install.sh's directory resolution and fails (never
// skips) when a tool is missing, so a broken setup cannot pass silently.
func RequireTools(t testing.TB, files ...string) string {
	t.Helper()
	dir := os.Getenv("FILEGATE_TOOLS")
	if dir == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				t.Fatalf("cannot resolve tools dir: %v; set FILEGATE_TOOLS or run `make tools`", err)
			}
			cache = filepath.Join(home, ".cache")
		}
		dir = filepath.Join(cache, "filegate", "tools")
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("local stack tool missing: %v; run `make tools` (infra/tools/install.sh)", err)
		}
	}
	return dir
}
