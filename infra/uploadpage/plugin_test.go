package uploadpage_test

import (
	"os/exec"
	"testing"
)

// TestUppyPlugin runs the unit tests of Filegate's plugin for Uppy
// (web/uppy/filegate-uppy.test.js: token renewal and lineages, the token's
// restrictions, part sizes, what a retry does with a file's session) under
// Node's test runner, with the packages the page is built from.
func TestUppyPlugin(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH: the plugin's tests need Node.js 20+ (e.g. apt-get install nodejs npm)")
	}
	buildPage(t)
	cmd := exec.CommandContext(t.Context(), node, "--test", "filegate-uppy.test.js")
	cmd.Dir = "../../web/uppy"
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node --test web/uppy/filegate-uppy.test.js: %v\n%s", err, out)
	}
}
