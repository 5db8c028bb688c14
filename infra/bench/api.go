package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// client is one API caller (a project's key) on the local API.
type client struct {
	base string
	key  string
	http *http.Client
}

// newHTTPClient keeps connections alive for up to conns concurrent callers,
// as a real SDK client does.
func newHTTPClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns * 4
	t.MaxIdleConnsPerHost = conns * 2
	return &http.Client{Transport: t, Timeout: 5 * time.Minute}
}

// createdFile is the native create response.
type createdFile struct {
	ID            string            `json:"id"`
	Status        string            `json:"status"`
	UploadURL     string            `json:"uploadUrl"`
	UploadHeaders map[string]string `json:"uploadHeaders"`
}

// do sends a JSON request and decodes a 2xx JSON answer into out.
func (c *client) do(ctx context.Context, method, path string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

func (c *client) create(ctx context.Context, name, mimeType string, size int64) (createdFile, error) {
	var f createdFile
	_, err := c.do(ctx, http.MethodPost, "/v1/files", map[string]any{"filename": name, "mimeType": mimeType, "sizeBytes": size}, &f)
	return f, err
}

func (c *client) complete(ctx context.Context, id string) error {
	var f struct {
		Status string `json:"status"`
	}
	if _, err := c.do(ctx, http.MethodPost, "/v1/files/"+id+"/complete", map[string]any{}, &f); err != nil {
		return err
	}
	if f.Status != "COMPLETED" {
		return fmt.Errorf("complete %s: status %s", id, f.Status)
	}
	return nil
}

// upload PUTs size bytes from body to a presigned URL with its headers.
func upload(ctx context.Context, hc *http.Client, f createdFile, body io.Reader, size int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, f.UploadURL, body)
	if err != nil {
		return err
	}
	for k, v := range f.UploadHeaders {
		if http.CanonicalHeaderKey(k) != "Content-Length" {
			req.Header.Set(k, v)
		}
	}
	req.ContentLength = size
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("PUT: %d %s", resp.StatusCode, bytes.TrimSpace(raw))
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

// pdfStream is size bytes of a PDF: a real header, then filler, generated as
// read so a 1 GiB object never sits in memory.
type pdfStream struct {
	left int64
	head []byte
}

func newPDFStream(size int64) *pdfStream {
	return &pdfStream{left: size, head: []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n")}
}

func (s *pdfStream) Read(p []byte) (int, error) {
	if s.left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), s.left))
	c := copy(p[:n], s.head)
	s.head = s.head[c:]
	for i := c; i < n; i++ {
		p[i] = ' '
	}
	s.left -= int64(n)
	return n, nil
}

// newUUID is a random version-4 UUID (project and organization ids).
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
