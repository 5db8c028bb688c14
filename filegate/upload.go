package filegate

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Uploader uploads local files: one PUT with a declared SHA-256 (which
// storage enforces) below PartSize, else a multipart session with per-part
// SHA-256, Parallel parts at a time. With a StateDir it remembers each
// upload until it has settled, so uploading the same file again (same path,
// size and modification time) never makes a second file: every create
// carries an Idempotency-Key the state holds before the create is sent, so
// a run that died before it learned how its create or its complete went
// finds the file the first one made. A file the server already holds is
// reported as it is (Result.Existing); an unfinished one resumes: storage is
// asked which parts it holds, and only the others are sent.
type Uploader struct {
	Client   *Client
	PartSize int64 // 0: AutoPartSize of the file; else at least 5 MiB (S3's smallest part)
	Parallel int   // default 4
	StateDir string
	// Progress, when set, is told of every chunk of bytes sent (from any
	// goroutine) and, once per resumed part, of its size as skipped.
	// Client.Limiter paces the bytes, all parts together.
	Progress func(sent int64, skipped bool)
}

// Result is an upload's outcome.
type Result struct {
	File      File
	SHA256    string // the file's SHA-256 as read (hex)
	BytesSent int64  // bytes PUT to storage by this run
	Resumed   bool   // an earlier run's session was continued
	Skipped   int    // parts an earlier run stored
	// Existing: an earlier run's upload had settled already (its run died
	// before it learned so); this run sent nothing.
	Existing bool
}

// resumeState is what a StateDir keeps of an upload until it settles: the
// Idempotency-Key of its create (saved before the create is sent), the file
// once the create answered, and the part size its plan used.
type resumeState struct {
	Key      string `json:"idempotencyKey"`
	FileID   string `json:"fileId"`
	PartSize int64  `json:"partSize"`
}

// AutoPartSize is the part size for a file of size bytes when none is
// given: a sixteenth of the file between 8 and 64 MiB (large parts keep the
// per-part overhead small: a 1 GiB file goes as 64 MiB parts; the cap keeps
// the Parallel part buffers in memory modest), in whole MiB, and larger only
// where S3's 10,000 parts would not hold the file.
func AutoPartSize(size int64) int64 {
	const mib, maxParts = 1 << 20, 10000
	sixteenth := (size + 16*mib - 1) / (16 * mib) * mib
	fits := (size + maxParts*mib - 1) / (maxParts * mib) * mib
	return max(min(max(sixteenth, 8*mib), 64*mib), fits)
}

// Upload uploads the file at path as mimeType.
func (u *Uploader) Upload(ctx context.Context, path, mimeType string) (Result, error) {
	fh, err := os.Open(path)
	if err != nil {
		return Result{}, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return Result{}, err
	}
	partSize := u.PartSize
	if partSize <= 0 {
		partSize = AutoPartSize(st.Size())
	}
	req := CreateRequest{Filename: st.Name(), MimeType: mimeType, SizeBytes: st.Size()}
	var body []byte // a single PUT's, read once
	if st.Size() < partSize {
		if body, err = io.ReadAll(fh); err != nil {
			return Result{}, err
		}
		sum := sha256.Sum256(body)
		req.SHA256 = hex.EncodeToString(sum[:])
	} else {
		req.Multipart = &MultipartRequest{PartSizeBytes: partSize, PartChecksum: "SHA256"}
	}
	statePath := u.statePath(fh.Name(), st)
	f, resumed, err := u.session(ctx, statePath, partSize, req)
	if err != nil {
		return Result{}, err
	}
	if f.Status != "PENDING" {
		// Settled already, by an earlier run's complete or the S3 event.
		r := Result{File: f, Existing: true, SHA256: req.SHA256}
		if r.SHA256 == "" {
			if r.SHA256, err = fileSHA256(fh); err != nil {
				return r, err
			}
		}
		u.forget(statePath)
		return r, nil
	}
	var r Result
	if body != nil {
		r, err = u.single(ctx, f, body, req.SHA256)
	} else {
		r, err = u.multipart(ctx, fh, f, partSize, resumed)
	}
	if err == nil {
		u.forget(statePath)
	}
	return r, err
}

// session is the file to upload to: the one an earlier run's state names
// (resumed: still PENDING, or settled since), else a new one, created under
// an Idempotency-Key saved in the state before the create goes out, so a
// run that dies before it learns the answer finds the same file next time.
// A remembered file that was cancelled, expired or deleted starts afresh.
func (u *Uploader) session(ctx context.Context, statePath string, partSize int64, req CreateRequest) (f File, resumed bool, err error) {
	s, ok := u.loadState(statePath)
	if ok && s.PartSize == partSize && s.FileID != "" {
		f, err = u.Client.Get(ctx, s.FileID)
		if err == nil && (f.Status == "PENDING" || f.Status == "COMPLETED" || f.Status == "REJECTED") {
			return f, true, nil
		}
		ok = false // gone, cancelled or expired: a new file
	}
	if !ok || s.PartSize != partSize || s.Key == "" {
		s = resumeState{Key: rand.Text(), PartSize: partSize} // 128 random bits; any string up to 255 characters is a key
		u.saveState(statePath, s)
	}
	if f, err = u.Client.CreateKeyed(ctx, req, s.Key); err != nil {
		return f, false, err
	}
	s.FileID = f.ID
	u.saveState(statePath, s)
	return f, false, nil
}

// single PUTs body, with its SHA-256 signed in, to f's upload URL (a fresh
// one for a resumed session) and completes the file. Bytes an earlier run
// stored already are not stored again: the PUT's If-None-Match refuses them
// (412), and complete validates what is there.
func (u *Uploader) single(ctx context.Context, f File, body []byte, sum string) (Result, error) {
	r := Result{SHA256: sum, Resumed: f.UploadURL == ""}
	if f.UploadURL == "" {
		var err error
		if f, err = u.Client.UploadURL(ctx, f.ID); err != nil {
			return r, err
		}
	}
	var apiErr *APIError
	if err := u.put(ctx, f.UploadURL, f.UploadHeaders, body, &r.BytesSent); err != nil && !(errors.As(err, &apiErr) && apiErr.Status == http.StatusPreconditionFailed) {
		return r, err
	}
	var err error
	r.File, err = u.complete(ctx, f.ID, "")
	return r, err
}

// multipart uploads f in parts, skipping those storage holds of a resumed
// session.
func (u *Uploader) multipart(ctx context.Context, fh *os.File, f File, partSize int64, resumed bool) (Result, error) {
	r := Result{Resumed: resumed}
	var stored map[int]bool
	if resumed {
		var err error
		if stored, err = u.storedParts(ctx, f, partSize); err != nil {
			return r, err
		}
		r.Skipped = len(stored)
	}
	sum, err := u.sendParts(ctx, fh, f, f.SizeBytes, partSize, stored, &r.BytesSent)
	r.SHA256 = sum
	if err != nil {
		return r, err
	}
	r.File, err = u.complete(ctx, f.ID, r.SHA256)
	return r, err
}

// part is one part read from the file, with its SHA-256.
type part struct {
	n    int
	body []byte
	sum  string
}

// sendParts reads the file once, in order: it hashes the whole file as it
// goes (the SHA-256 it returns) and hands each part storage lacks, with its
// own SHA-256, to Parallel senders, which sign their URLs and PUT them.
// Reading runs at most one part ahead of sending.
func (u *Uploader) sendParts(ctx context.Context, fh *os.File, f File, size, partSize int64, stored map[int]bool, sent *int64) (string, error) {
	parallel := u.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// One buffer per sender and one being read: memory is (Parallel+1) parts.
	free := make(chan []byte, parallel+1)
	for range parallel + 1 {
		free <- make([]byte, partSize)
	}
	ready := make(chan part)
	var (
		wg     sync.WaitGroup
		once   sync.Once
		failed error
	)
	fail := func(err error) { once.Do(func() { failed = err; cancel() }) }
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range ready {
				if err := u.sendPart(ctx, f.ID, p, sent); err != nil {
					fail(err)
				}
				free <- p.body[:cap(p.body)]
			}
		}()
	}
	whole := sha256.New()
	count := int((size + partSize - 1) / partSize)
read:
	for n := 1; n <= count; n++ {
		var buf []byte
		select {
		case buf = <-free:
		case <-ctx.Done():
			break read
		}
		body := buf[:min(partSize, size-int64(n-1)*partSize)]
		if _, err := fh.ReadAt(body, int64(n-1)*partSize); err != nil && !errors.Is(err, io.EOF) {
			fail(err)
			break
		}
		whole.Write(body)
		if stored[n] {
			free <- buf
			if u.Progress != nil {
				u.Progress(int64(len(body)), true)
			}
			continue
		}
		ps := sha256.Sum256(body)
		select {
		case ready <- part{n: n, body: body, sum: hex.EncodeToString(ps[:])}:
		case <-ctx.Done():
			break read
		}
	}
	close(ready)
	wg.Wait()
	return hex.EncodeToString(whole.Sum(nil)), failed
}

// sendPart signs part p's URL with its SHA-256 and PUTs it.
func (u *Uploader) sendPart(ctx context.Context, id string, p part, sent *int64) error {
	urls, err := u.Client.SignParts(ctx, id, []PartRequest{{Number: p.n, SHA256: p.sum}})
	if err != nil {
		return err
	}
	if len(urls) != 1 {
		return fmt.Errorf("part %d: the server signed %d URLs", p.n, len(urls))
	}
	return u.put(ctx, urls[0].URL, urls[0].Headers, p.body, sent)
}

// put PUTs body to a presigned URL, counting and pacing what it sends.
func (u *Uploader) put(ctx context.Context, url string, headers map[string]string, body []byte, sent *int64) error {
	rd := &meteredReader{r: u.Client.Limiter.Reader(ctx, bytes.NewReader(body)), u: u, sent: sent}
	return u.Client.put(ctx, url, headers, rd, int64(len(body)))
}

// complete completes id and waits out an assembly that outlasts the request.
func (u *Uploader) complete(ctx context.Context, id, sum string) (File, error) {
	f, accepted, err := u.Client.Complete(ctx, id, sum)
	for accepted && err == nil && f.Status == "PENDING" {
		select {
		case <-ctx.Done():
			return f, ctx.Err()
		case <-time.After(time.Second):
		}
		f, err = u.Client.Get(ctx, id)
	}
	return f, err
}

// storedParts are the parts of f's plan storage holds at their planned size.
func (u *Uploader) storedParts(ctx context.Context, f File, partSize int64) (map[int]bool, error) {
	parts, err := u.Client.StoredParts(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	stored := map[int]bool{}
	for _, p := range parts {
		if p.SizeBytes == min(partSize, f.SizeBytes-int64(p.Number-1)*partSize) {
			stored[p.Number] = true
		}
	}
	return stored, nil
}

// fileSHA256 is the SHA-256 (hex) of fh's whole content.
func fileSHA256(fh *os.File) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(fh, 0, 1<<62)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// statePath names the state of one file's upload to one API: its absolute
// path, size and modification time (a changed file starts afresh).
func (u *Uploader) statePath(path string, st os.FileInfo) string {
	if u.StateDir == "" {
		return ""
	}
	abs, _ := filepath.Abs(path)
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%d", u.Client.Base, abs, st.Size(), st.ModTime().UnixNano()))
	return filepath.Join(u.StateDir, hex.EncodeToString(h[:12])+".json")
}

// loadState reads the state at path; ok is false when there is none.
func (u *Uploader) loadState(path string) (s resumeState, ok bool) {
	if path == "" {
		return s, false
	}
	raw, err := os.ReadFile(path)
	return s, err == nil && json.Unmarshal(raw, &s) == nil
}

// saveState writes s at path, replacing what was there in one rename, so a
// run killed mid-write leaves the old state or the new, never half of one.
func (u *Uploader) saveState(path string, s resumeState) {
	if path == "" {
		return
	}
	raw, _ := json.Marshal(s)
	if os.MkdirAll(filepath.Dir(path), 0o700) != nil {
		return
	}
	tmp := path + ".tmp"
	if os.WriteFile(tmp, raw, 0o600) == nil {
		_ = os.Rename(tmp, path)
	}
}

// forget drops the state of an upload that has settled.
func (u *Uploader) forget(path string) {
	if path != "" {
		_ = os.Remove(path)
	}
}

// meteredReader counts bytes as the HTTP client reads them (once the
// client's Limiter lets them go) and tells Progress.
type meteredReader struct {
	r    io.Reader
	u    *Uploader
	sent *int64
}

func (m *meteredReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if n > 0 {
		atomic.AddInt64(m.sent, int64(n))
		if m.u.Progress != nil {
			m.u.Progress(int64(n), false)
		}
	}
	return n, err
}
