package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/filegate/filegate/infra/apiclient"
)

// client is one API caller (a project's key) on the local API.
type client struct {
	apiclient.Client
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

// do is apiclient's Do for a benchmark: anything but a 2xx is an error.
func (c *client) do(ctx context.Context, method, path string, body, out any) (int, error) {
	res, err := c.Do(ctx, method, path, body, out)
	if err == nil && res.Status/100 != 2 {
		err = fmt.Errorf("%s %s: %d %s", method, path, res.Status, bytes.TrimSpace(res.Body))
	}
	return res.Status, err
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
	st, err := apiclient.Put(ctx, hc, f.UploadURL, f.UploadHeaders, body, size)
	if err == nil && st != http.StatusOK {
		err = fmt.Errorf("PUT: %d", st)
	}
	return err
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
