package template_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityTableNamesRealTests keeps SECURITY.md honest: every Go test it
// names exists, and every llamacloud case it quotes is in the Node suite.
func TestSecurityTableNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9_]+)`").FindAllStringSubmatch(string(doc), -1)
	if len(names) < 20 {
		t.Fatalf("SECURITY.md names only %d tests", len(names))
	}
	for _, m := range names {
		if err := exec.Command("grep", "-rqF", "--include=*_test.go", "func "+m[1]+"(", ".").Run(); err != nil {
			t.Errorf("SECURITY.md names %s, which no test file defines", m[1])
		}
	}
	var suite []byte
	files, _ := filepath.Glob("infra/conformance/llamacloud/*.test.mjs")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		suite = append(suite, raw...)
	}
	if len(files) == 0 {
		t.Fatal("no llamacloud suite (*.test.mjs) found")
	}
	for _, m := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(string(doc), -1) {
		if strings.Contains(string(suite), "'"+strings.ReplaceAll(m[1], "'", `\'`)+"'") {
			continue
		}
		t.Errorf("SECURITY.md quotes llamacloud case %q, which no *.test.mjs has", m[1])
	}
}
