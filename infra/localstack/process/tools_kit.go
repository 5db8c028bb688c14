package process

import (
	"os"
	"path/filepath"
	"testing"
)

// ToolsDir is where `make tools` installs MinIO, DynamoDB Local and the rest,
// resolved as infra/tools/install.sh resolves it: $FILEGATE_TOOLS, else
// filegate/tools under $XDG_CACHE_HOME or ~/.cache (not os.UserCacheDir,
// which differs from the script on macOS).
func ToolsDir() string {
	if d := os.Getenv("FILEGATE_TOOLS"); d != "" {
		return d
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "filegate", "tools")
}

// RequireTools is for tests: the tools directory (ToolsDir). It fails (never
// skips) when a tool is missing, so a broken setup cannot pass silently.
func RequireTools(t testing.TB, files ...string) string {
	t.Helper()
	dir := ToolsDir()
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("local stack tool missing: %v; run `make tools` (infra/tools/install.sh)", err)
		}
	}
	return dir
}
