package clamd

import (
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// conf parses a generated clamd.conf into its options.
func conf(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, _ := strings.Cut(line, " ")
		if _, dup := out[k]; dup {
			t.Errorf("option %s set twice", k)
		}
		out[k] = v
	}
	return out
}

func TestPrepareWritesAPrivateConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "clamd")
	const limit = 5 << 20
	s, err := Prepare(dir, limit)
	if err != nil {
		t.Fatal(err)
	}
	c := conf(t, s.Config)
	if _, ok := c["User"]; ok {
		t.Errorf("config sets User %q: clamd must run as whoever runs the stack", c["User"])
	}
	for k, want := range map[string]string{
		"Foreground": "yes", "LocalSocket": s.Socket, "AlertExceedsMax": "yes", "AlertEncrypted": "yes",
		"DatabaseDirectory": filepath.Join(s.Dir, "db"), "TemporaryDirectory": filepath.Join(s.Dir, "tmp"),
		"MaxFileSize": strconv.Itoa(limit),
	} {
		if c[k] != want {
			t.Errorf("%s = %q, want %q", k, c[k], want)
		}
	}
	for _, k := range []string{"StreamMaxLength", "MaxScanSize"} {
		if n, err := strconv.ParseInt(c[k], 10, 64); err != nil || n < limit {
			t.Errorf("%s = %q, want at least the scan limit %d", k, c[k], limit)
		}
	}
	if !strings.HasPrefix(s.Socket, s.Dir) {
		t.Errorf("socket %s outside the setup's dir %s", s.Socket, s.Dir)
	}
	if s.Address() != "unix://"+s.Socket {
		t.Errorf("Address = %q", s.Address())
	}
}

func TestPrepareBuildsTheLocalDatabase(t *testing.T) {
	s, err := Prepare(t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	hdb, err := os.ReadFile(filepath.Join(s.DatabaseDir(), "filegate.hdb"))
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(EICAR())
	if want := hex.EncodeToString(sum[:]) + ":68:Eicar-Test-Signature\n"; string(hdb) != want {
		t.Errorf("filegate.hdb = %q, want %q", hdb, want)
	}
	ndb, err := os.ReadFile(filepath.Join(s.DatabaseDir(), "filegate.ndb"))
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{string(EICAR()), Marker} {
		if !strings.Contains(string(ndb), ":0:*:"+hex.EncodeToString([]byte(body))+"\n") {
			t.Errorf("filegate.ndb lacks a body signature for %q:\n%s", body, ndb)
		}
	}
	if len(EICAR()) != 68 || !strings.HasSuffix(string(EICAR()), "H+H*") {
		t.Errorf("EICAR() = %q is not the 68-byte test file", EICAR())
	}
}

func TestPrepareRefusesLimitsClamdCannotScan(t *testing.T) {
	for _, limit := range []int64{0, -1, MaxLimit + 1} {
		if _, err := Prepare(t.TempDir(), limit); err == nil {
			t.Errorf("Prepare accepted limit %d", limit)
		}
	}
}

func TestLongDirGetsAShortSocket(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 120))
	s, err := Prepare(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Socket) > 100 {
		t.Errorf("socket path is %d bytes: %s", len(s.Socket), s.Socket)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(s.Socket)); !os.IsNotExist(err) {
		t.Errorf("Close left the socket's directory: %v", err)
	}
}
