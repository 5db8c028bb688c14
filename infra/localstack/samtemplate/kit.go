package samtemplate

import (
	"os"
	"path/filepath"
	"testing"
)

// Repo is for tests: the repository's template.yaml (found beside go.mod,
// up from the test's directory), which must declare functions.
func Repo(tb testing.TB) *Template {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory: cannot find template.yaml")
		}
		dir = parent
	}
	tpl, err := ReadTemplate(filepath.Join(dir, "template.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(tpl.Functions) == 0 {
		tb.Fatal("template.yaml has no AWS::Serverless::Function")
	}
	return tpl
}
