package template_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// No built program is committed (the guide: no binaries in the repository):
// a `go build` run in a package directory leaves one beside the sources, and
// `git add -A` takes it. Every tracked file is checked for an executable's
// magic number (ELF, Mach-O, PE).
func TestNoCommittedExecutables(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files (the test needs the repository's git checkout): %v", err)
	}
	files := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	if len(files) < 100 {
		t.Fatalf("git ls-files listed %d files; want the repository's", len(files))
	}
	magics := [][]byte{{0x7f, 'E', 'L', 'F'}, {0xcf, 0xfa, 0xed, 0xfe}, {0xfe, 0xed, 0xfa, 0xcf}, {0xca, 0xfe, 0xba, 0xbe}, []byte("MZ")}
	for _, f := range files {
		fh, err := os.Open(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		head := make([]byte, 4)
		n, _ := fh.Read(head)
		fh.Close()
		for _, m := range magics {
			if n >= len(m) && bytes.Equal(head[:len(m)], m) {
				t.Errorf("%s is a compiled executable: build outputs stay out of git (.gitignore)", f)
			}
		}
	}
}
