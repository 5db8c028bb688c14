package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeStorage is the native API and its storage in one httptest server, at
// the seam --limit-rate reaches: it takes creates (single PUT or multipart),
// part URLs, PUTs of any size, completes, and serves a COMPLETED file's bytes.
type fakeStorage struct {
	url string
	mu  sync.Mutex
	n   int
	// sizes of the files created, by id.
	sizes map[string]int64
}

func newFakeStorage(t *testing.T) *fakeStorage {
	t.Helper()
	s := &fakeStorage{sizes: map[string]int64{}}
	mux := http.NewServeMux()
	file := func(id, status string) map[string]any {
		s.mu.Lock()
		defer s.mu.Unlock()
		return map[string]any{"id": id, "status": status, "filename": "f.bin", "mimeType": "application/octet-stream", "sizeBytes": s.sizes[id]}
	}
	mux.HandleFunc("POST /v1/files", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			SizeBytes int64
			Multipart *struct{ PartSizeBytes int64 }
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.n++
		id := fmt.Sprintf("fil_%d", s.n)
		s.sizes[id] = req.SizeBytes
		s.mu.Unlock()
		f := file(id, "PENDING")
		if m := req.Multipart; m != nil {
			f["multipart"] = map[string]any{"partSizeBytes": m.PartSizeBytes, "partCount": (req.SizeBytes + m.PartSizeBytes - 1) / m.PartSizeBytes}
		} else {
			f["uploadUrl"], f["uploadHeaders"] = s.url+"/storage/"+id, map[string]string{}
		}
		writeJSON(w, f)
	})
	mux.HandleFunc("POST /v1/files/{id}/parts", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Parts []struct{ PartNumber int } }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var data []map[string]any
		for _, p := range req.Parts {
			data = append(data, map[string]any{"partNumber": p.PartNumber, "url": fmt.Sprintf("%s/storage/%s/%d", s.url, r.PathValue("id"), p.PartNumber), "headers": map[string]string{}})
		}
		writeJSON(w, map[string]any{"data": data})
	})
	mux.HandleFunc("PUT /storage/", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("POST /v1/files/{id}/complete", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, file(r.PathValue("id"), "COMPLETED"))
	})
	mux.HandleFunc("GET /v1/files/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, file(r.PathValue("id"), "COMPLETED"))
	})
	mux.HandleFunc("GET /v1/files/{id}/url", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"url": s.url + "/storage/" + r.PathValue("id"), "expiresAt": time.Now().Add(time.Hour)})
	})
	mux.HandleFunc("GET /storage/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		size := s.sizes[r.PathValue("id")]
		s.mu.Unlock()
		w.Header().Set("Content-Length", fmt.Sprint(size))
		_, _ = io.CopyN(w, zeros{}, size)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// seed creates a COMPLETED file of size bytes to download.
func (s *fakeStorage) seed(size int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	id := fmt.Sprintf("fil_%d", s.n)
	s.sizes[id] = size
	return id
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// --limit-rate is a total over every transfer in flight, whatever their
// number: one PUT with --parallel 4, a multipart upload of fewer parts than
// --parallel, several files, a download. Each transfer is a few seconds
// long, and the rate it achieves (bytes / elapsed) must be near the limit: a
// loose band, since a loaded machine only makes it slower. The pacing used to
// divide the limit by --parallel per PUT, so one PUT ran at a quarter of it.
func TestLimitRateIsATotalOverTransfersInFlight(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		name  string
		limit int64
		files []int64 // uploaded together; none: a download of download bytes
		down  int64
		args  []string
	}{
		{name: "single PUT, --parallel 4", limit: mib, files: []int64{3 * mib}, args: []string{"--parallel", "4"}},
		{name: "2 parts, --parallel 4", limit: 3 * mib, files: []int64{10 * mib}, args: []string{"--parallel", "4", "--part-size-mib", "5"}},
		{name: "3 files", limit: mib, files: []int64{mib, mib, mib}, args: []string{"--parallel", "4"}},
		{name: "download", limit: mib, down: 3 * mib},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newFakeStorage(t)
			dir := t.TempDir()
			args := append([]string{"--api-url", s.url, "--api-key", "k", "--json", "--limit-rate", fmt.Sprint(c.limit)}, c.args...)
			var total int64
			if c.down > 0 {
				args = append([]string{"download", "-o", filepath.Join(dir, "out")}, append(args, s.seed(c.down))...)
				total = c.down
			} else {
				args = append([]string{"upload", "--state-dir", filepath.Join(dir, "state")}, args...)
				for i, size := range c.files {
					path := filepath.Join(dir, fmt.Sprintf("f%d.bin", i))
					if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
						t.Fatal(err)
					}
					args, total = append(args, path), total+size
				}
			}
			began := time.Now()
			code, out, errOut := runCLI(t, args...)
			elapsed := time.Since(began)
			if code != exitOK {
				t.Fatalf("filegate %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, out, errOut)
			}
			rate := float64(total) / elapsed.Seconds()
			ratio := rate / float64(c.limit)
			t.Logf("%d bytes in %s: %.0f B/s, %.2f× the limit of %d B/s", total, elapsed.Round(time.Millisecond), rate, ratio, c.limit)
			if ratio < 0.6 || ratio > 1.3 {
				t.Errorf("achieved %.2f× --limit-rate (%.0f B/s for a limit of %d B/s); want 0.6×–1.3×", ratio, rate, c.limit)
			}
		})
	}
}
