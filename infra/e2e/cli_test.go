package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

var (
	cliOnce sync.Once
	cliBin  string
	cliErr  error
)

// filegateCLI is the filegate command, built once per run.
func filegateCLI(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "filegate-cli")
		if err != nil {
			cliErr = err
			return
		}
		cliBin = filepath.Join(dir, "filegate")
		if out, err := exec.Command("go", "build", "-o", cliBin, "../../cmd/filegate").CombinedOutput(); err != nil {
			cliErr = fmt.Errorf("%w: %s", err, out)
		}
	})
	if cliErr != nil {
		t.Fatalf("building cmd/filegate: %v", cliErr)
	}
	return cliBin
}

// cliCommand is the CLI acting as c.
func (c *tenant) cliCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(filegateCLI(c.T), args...)
	cmd.Env = append(os.Environ(), "FILEGATE_API_URL="+stack.APIURL, "FILEGATE_API_KEY="+c.Key)
	return cmd
}

// randomFile writes size pseudo-random bytes (incompressible, seeded) and
// returns its path and SHA-256.
func randomFile(t *testing.T, name string, size int) (string, string) {
	t.Helper()
	b := make([]byte, size)
	r := rand.NewChaCha8([32]byte{byte(size)})
	_, _ = r.Read(b)
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return path, hex.EncodeToString(sum[:])
}

type uploadLine struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	SHA256       string `json:"sha256"`
	BytesSent    int64  `json:"bytesSent"`
	Resumed      bool   `json:"resumed"`
	SkippedParts int    `json:"skippedParts"`
}

// TestCLIResumesAKilledUpload: a 64 MiB file in 5 MiB parts, 4 at a time;
// the CLI is SIGKILLed part-way, and run again it resumes: it sends only
// the parts storage does not hold (bytes sent = size - stored parts), the
// upload completes, and the download's SHA-256 is the file's.
//
// Not parallel: it moves 64 MiB twice at full speed on a 2-core machine, and
// the suite's timing-bound tests (retention ending in seconds) run apart.
func TestCLIResumesAKilledUpload(t *testing.T) {
	c := newTenant(t)
	const size, part = 64 << 20, 5 << 20
	path, sum := randomFile(t, "big.bin", size)
	state := t.TempDir()
	args := []string{"upload", "--json", "--part-size-mib", "5", "--parallel", "4", "--state-dir", state}
	// Paced (16 MiB/s) so the kill lands part-way.
	first := c.cliCommand(append(args, "--limit-rate", "16777216", path)...)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	id := waitForStoredParts(t, c, state, 3)
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	time.Sleep(500 * time.Millisecond) // a part whose bytes were all sent may still land
	stored, err := c.Client.StoredParts(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	var storedBytes int64
	for _, p := range stored {
		storedBytes += p.SizeBytes
	}
	if len(stored) == 0 || storedBytes >= size {
		t.Fatalf("the kill did not land part-way: %d parts (%d bytes) stored", len(stored), storedBytes)
	}
	out, err := c.cliCommand(append(args, path)...).Output()
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	var r uploadLine
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("second run printed %q: %v", out, err)
	}
	if r.ID != id || !r.Resumed || r.SkippedParts != len(stored) || r.Status != "COMPLETED" || r.SHA256 != sum {
		t.Fatalf("second run: %+v; want file %s resumed past %d parts, COMPLETED, sha256 %s", r, id, len(stored), sum)
	}
	if r.BytesSent != size-storedBytes {
		t.Errorf("the resumed run sent %d bytes, want %d (the %d bytes of stored parts not again)", r.BytesSent, size-storedBytes, storedBytes)
	}
	if f, _ := c.Client.Get(t.Context(), id); f.ClaimedSHA256 != sum || f.Multipart == nil || f.Multipart.PartCount != (size+part-1)/part {
		t.Errorf("the completed file: %+v", f)
	}
	dst := filepath.Join(t.TempDir(), "back.bin")
	out, err = c.cliCommand("download", "--json", "-o", dst, id).Output()
	if err != nil {
		t.Fatalf("download: %v\n%s", err, out)
	}
	var d struct{ VerifiedAgainst string }
	if json.Unmarshal(out, &d) != nil || d.VerifiedAgainst != "claimedSha256" {
		t.Errorf("download printed %q: want the bytes verified against the claimed sha256", out)
	}
	got, _ := os.ReadFile(dst)
	if back := sha256.Sum256(got); hex.EncodeToString(back[:]) != sum {
		t.Error("the downloaded file's SHA-256 is not the uploaded one's")
	}
}

// waitForStoredParts waits for the CLI's resume state to name its file and
// for storage to hold n of its parts; it returns the file id.
func waitForStoredParts(t *testing.T, c *tenant, stateDir string, n int) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		matches, _ := filepath.Glob(filepath.Join(stateDir, "*.json"))
		if len(matches) == 1 {
			var s struct{ FileID string }
			raw, _ := os.ReadFile(matches[0])
			if json.Unmarshal(raw, &s) == nil && s.FileID != "" {
				if parts, err := c.Client.StoredParts(t.Context(), s.FileID); err == nil && len(parts) >= n {
					return s.FileID
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("storage never held %d parts of the CLI's upload", n)
	return ""
}

// TestCLIProgressOnATerminal: on a pseudo-terminal the CLI draws live
// progress bars, which end at 100 %.
func TestCLIProgressOnATerminal(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	path, _ := randomFile(t, "bar.bin", 12<<20)
	cmd := c.cliCommand("upload", "--part-size-mib", "5", "--state-dir", t.TempDir(), path)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatalf("pty: %v", err)
	}
	defer tty.Close()
	var screen bytes.Buffer
	_, _ = io.Copy(&screen, tty) // until the CLI exits (EIO)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("upload on a terminal: %v\n%s", err, screen.String())
	}
	out := screen.String()
	if !strings.Contains(out, "\x1b[") || !strings.Contains(out, "100 %") || !strings.Contains(out, "12.0 MiB / 12.0 MiB") {
		t.Errorf("no live progress bar ending at 100 %% on the terminal:\n%q", out)
	}
	if !strings.Contains(out, "uploaded "+path) {
		t.Errorf("no final line:\n%s", out)
	}
}

// TestCLIPlainProgressOffATerminal: piped, the CLI prints plain lines (a
// line per tenth, no escape sequences) and a final line per file; with
// several files (a directory) each gets its own.
func TestCLIPlainProgressOffATerminal(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	path, _ := randomFile(t, "plain.bin", 11<<20)
	small := filepath.Join(filepath.Dir(path), "note.txt")
	if err := os.WriteFile(small, []byte("a small note\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := c.cliCommand("upload", "--part-size-mib", "5", "--state-dir", t.TempDir(), filepath.Dir(path))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("upload: %v\n%s", err, stderr.String())
	}
	progress := stderr.String()
	if strings.Contains(progress, "\x1b[") {
		t.Errorf("escape sequences off a terminal:\n%q", progress)
	}
	for _, want := range []string{"plain.bin: 0% (", "plain.bin: 50% (", "plain.bin: 100% (11.0 MiB of 11.0 MiB)", "note.txt: 100% (13 B of 13 B)"} {
		if !strings.Contains(progress, want) {
			t.Errorf("progress lacks %q:\n%s", want, progress)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	var done int
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "uploaded ") && strings.Contains(sc.Text(), "(COMPLETED, sha256 ") {
			done++
		}
	}
	if done != 2 {
		t.Errorf("want a final line per file, got:\n%s", out)
	}
}

// TestCLIExitCodes: usage, a missing file (refused by the API), and success.
func TestCLIExitCodes(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"frobnicate"}, 2},
		{[]string{"info"}, 2},
		{[]string{"info", "fil_06H0EN1ZAP202AP5WPNPHXF894"}, 3},
		{[]string{"ls", "--json"}, 0},
	} {
		err := c.cliCommand(tc.args...).Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code {
			t.Errorf("filegate %v: exit %d, want %d", tc.args, code, tc.code)
		}
	}
}
