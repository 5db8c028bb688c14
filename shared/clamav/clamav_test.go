package clamav_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/infra/clamd"
	"github.com/filegate/filegate/infra/localstack/perbinary"
	"github.com/filegate/filegate/shared/clamav"
	"github.com/filegate/filegate/shared/files"
)

// The adapter's tests run against a real clamd (Debian's clamav-daemon),
// started once per test binary by the local stack's own launcher with the
// stack's generated config and local database, and a 1 MiB scan limit.

const testLimit = 1 << 20

var daemon perbinary.Server[*clamd.Clamd]

func TestMain(m *testing.M) {
	code := m.Run()
	daemon.Stop()
	os.Exit(code)
}

// mustClient is a client of the shared clamd; a missing clamd fails the
// test with what to install.
func mustClient(tb testing.TB) *clamav.Client {
	tb.Helper()
	c := daemon.Get(tb, "clamd did not start (run `make tools` as root, or apt-get install -y clamav-daemon)", func(dir string) (*clamd.Clamd, error) {
		return clamd.StartClamd(context.Background(), filepath.Join(dir, "clamd"), filepath.Join(dir, "clamd.log"), testLimit)
	})
	return c.Client
}

func scan(tb testing.TB, r io.Reader) files.ScanResult {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := mustClient(tb).Scan(ctx, r)
	if err != nil {
		tb.Fatalf("Scan: %v", err)
	}
	return res
}

func TestScanVerdicts(t *testing.T) {
	eicarInside := append(append([]byte("a report\n"), clamd.EICAR()...), "\nthe end\n"...)
	tests := []struct {
		name string
		body []byte
		want files.ScanResult
	}{
		{"clean text", []byte("nothing to see here\n"), files.ScanResult{Verdict: files.ScanClean}},
		{"empty", nil, files.ScanResult{Verdict: files.ScanClean}},
		{"EICAR", clamd.EICAR(), files.ScanResult{Verdict: files.ScanInfected, Signature: clamd.EICARSignature}},
		{"EICAR inside a file", eicarInside, files.ScanResult{Verdict: files.ScanInfected, Signature: clamd.EICARSignature}},
		{"marker", []byte("x " + clamd.Marker + " y"), files.ScanResult{Verdict: files.ScanInfected, Signature: clamd.MarkerSignature}},
		{"at the limit", bytes.Repeat([]byte{'a'}, testLimit), files.ScanResult{Verdict: files.ScanClean}},
		{"one byte over the limit", bytes.Repeat([]byte{'a'}, testLimit+1),
			files.ScanResult{Verdict: files.ScanUnsupported, Signature: "Heuristics.Limits.Exceeded.MaxFileSize"}},
		{"past the stream limit", bytes.Repeat([]byte{'a'}, 4*testLimit),
			files.ScanResult{Verdict: files.ScanUnsupported, Signature: "INSTREAM size limit exceeded"}},
		{"encrypted zip", encryptedZip(t), files.ScanResult{Verdict: files.ScanUnsupported, Signature: "Heuristics.Encrypted.Zip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scan(t, bytes.NewReader(tt.body)); got != tt.want {
				t.Errorf("verdict = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// encryptedZip is a ZIP archive whose one entry is marked encrypted (flag
// bit 0): what a password-protected upload looks like to the scanner.
func encryptedZip(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "secret.txt", Method: zip.Store, Flags: 0x1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("ciphertext, as far as anyone can tell")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// chunkReader yields n bytes of 'a' in whatever pieces are asked for,
// recording the largest: the scan's memory, which must not grow with n.
type chunkReader struct {
	left    int64
	largest int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), r.left)
	for i := range p[:n] {
		p[i] = 'a'
	}
	r.left -= n
	r.largest = max(r.largest, int(n))
	return int(n), nil
}

func TestScanStreamsInChunks(t *testing.T) {
	c := mustClient(t)
	r := &chunkReader{left: testLimit}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := c.Scan(context.Background(), r)
	runtime.ReadMemStats(&after)
	if err != nil || res.Verdict != files.ScanClean {
		t.Fatalf("Scan = %+v, %v; want clean", res, err)
	}
	if r.left != 0 {
		t.Errorf("%d bytes left unread", r.left)
	}
	if r.largest > clamav.DefaultChunkSize {
		t.Errorf("read %d bytes at once, more than a chunk (%d)", r.largest, clamav.DefaultChunkSize)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2*clamav.DefaultChunkSize {
		t.Errorf("allocated %d bytes to scan %d: the object is being buffered", alloc, testLimit)
	}
}

func TestPingAndVersion(t *testing.T) {
	c := mustClient(t)
	if err := c.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	v, err := c.Version(context.Background())
	if err != nil || !strings.HasPrefix(v, "ClamAV ") {
		t.Fatalf("Version = %q, %v; want ClamAV <version>", v, err)
	}
}

func TestScannerDownIsAnError(t *testing.T) {
	c, err := clamav.New("unix://" + filepath.Join(t.TempDir(), "nobody.sock"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Scan(context.Background(), strings.NewReader("hello"))
	if !errors.Is(err, clamav.ErrUnavailable) {
		t.Fatalf("Scan = %+v, %v; want ErrUnavailable", res, err)
	}
	if res != (files.ScanResult{}) {
		t.Errorf("a failed scan gave a verdict: %+v", res)
	}
}

// slowReader yields a few bytes every tick, for far longer than any test.
type slowReader struct{ tick time.Duration }

func (r slowReader) Read(p []byte) (int, error) {
	time.Sleep(r.tick)
	return copy(p, "a few bytes"), nil
}

func TestScanEndsWithItsContext(t *testing.T) {
	c := mustClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := c.Scan(ctx, slowReader{tick: 20 * time.Millisecond})
	if err == nil {
		t.Fatalf("Scan of an endless stream = %+v, want an error once its context ended", res)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Scan took %s after a 300 ms context", took)
	}
}

func TestNewAddresses(t *testing.T) {
	for addr, want := range map[string]string{
		"unix:///run/clamd.sock": "unix:///run/clamd.sock",
		"/run/clamd.sock":        "unix:///run/clamd.sock",
		"tcp://10.0.0.5:3310":    "tcp://10.0.0.5:3310",
		"clamd.internal:3310":    "tcp://clamd.internal:3310",
	} {
		c, err := clamav.New(addr)
		if err != nil || c.Address() != want {
			t.Errorf("New(%q).Address() = %v, %v; want %q", addr, c, err, want)
		}
	}
	for _, bad := range []string{"", "clamd", "tcp://nohost"} {
		if _, err := clamav.New(bad); err == nil {
			t.Errorf("New(%q) accepted", bad)
		}
	}
}
