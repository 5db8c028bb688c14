package localstack

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityTableNamesRealTests keeps SECURITY.md honest: every Go test it
// names exists, and every llamacloud case it quotes is in the Node suite.
func TestSecurityTableNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("../../SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9_]+)`").FindAllStringSubmatch(string(doc), -1)
	if len(names) < 20 {
		t.Fatalf("SECURITY.md names only %d tests", len(names))
	}
	for _, m := range names {
		if err := exec.Command("grep", "-rqF", "--include=*_test.go", "func "+m[1]+"(", "../..").Run(); err != nil {
			t.Errorf("SECURITY.md names %s, which no test file defines", m[1])
		}
	}
	suite, err := os.ReadFile("../conformance/llamacloud/files.test.mjs")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(string(doc), -1) {
		if strings.Contains(string(suite), "'"+strings.ReplaceAll(m[1], "'", `\'`)+"'") {
			continue
		}
		t.Errorf("SECURITY.md quotes llamacloud case %q, which files.test.mjs lacks", m[1])
	}
}
