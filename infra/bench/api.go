package bench

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/filegate/filegate/infra/apiclient"
)

// newHTTPClient keeps connections alive for up to conns concurrent callers,
// as a real SDK client does.
func newHTTPClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns * 4
	t.MaxIdleConnsPerHost = conns * 2
	return &http.Client{Transport: t, Timeout: 5 * time.Minute}
}

// create opens an upload session for size bytes of mimeType.
func create(ctx context.Context, api *apiclient.Client, name, mimeType string, size int64) (apiclient.File, error) {
	return api.CreateFile(ctx, map[string]any{"filename": name, "mimeType": mimeType, "sizeBytes": size})
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
