package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestReadmeWalkthrough runs the README's curl walk-through verbatim, so the
// documentation cannot drift from the API.
func TestReadmeWalkthrough(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(raw), "<!-- walkthrough")
	if !ok {
		t.Fatal("README.md has no walkthrough marker")
	}
	_, block, _ := strings.Cut(after, "```sh\n")
	block, _, ok = strings.Cut(block, "```")
	if !ok || block == "" {
		t.Fatal("README.md walkthrough has no sh block")
	}
	c := newTenant(t)
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", block)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "API="+stack.APIURL, "KEY="+c.Key)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"status":"COMPLETED"`) || !strings.Contains(string(out), "round trip OK") {
		t.Fatalf("walkthrough failed: %v\n%s", err, out)
	}
}
