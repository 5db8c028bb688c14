package apitest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// devBin is infra/cmd/dev, the command `make dev` runs, built once per test
// binary for the suites that run `make dev` as a newcomer would.
var devBin struct {
	once      sync.Once
	dir, path string
	err       error
}

// DevBinary builds infra/cmd/dev the first time it is called (from a test
// package two levels below the repository, infra/<suite>) and returns its
// path; RemoveDevBinary, from the package's TestMain, deletes it.
func DevBinary() (string, error) {
	devBin.once.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			goBin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		}
		if devBin.dir, devBin.err = os.MkdirTemp("", "filegate-dev-bin-"); devBin.err != nil {
			return
		}
		devBin.path = filepath.Join(devBin.dir, "dev")
		cmd := exec.Command(goBin, "build", "-o", devBin.path, "./infra/cmd/dev")
		cmd.Dir = "../.."
		if out, err := cmd.CombinedOutput(); err != nil {
			devBin.err = fmt.Errorf("go build ./infra/cmd/dev: %v\n%s", err, out)
		}
	})
	return devBin.path, devBin.err
}

// RemoveDevBinary deletes what DevBinary built, if it ran.
func RemoveDevBinary() {
	if devBin.dir != "" {
		_ = os.RemoveAll(devBin.dir)
	}
}
