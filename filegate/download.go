package filegate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
)

// ChecksumError is a download whose bytes are not the file's digest:
// its verified sha256, or (Claimed) the claimedSha256 its uploader gave.
type ChecksumError struct {
	Want, Got string
	Claimed   bool
}

func (e *ChecksumError) Error() string {
	if e.Claimed {
		return fmt.Sprintf("checksum mismatch: the file's claimed sha256 (its uploader's, which storage did not verify) is %s, the downloaded bytes' %s", e.Want, e.Got)
	}
	return fmt.Sprintf("checksum mismatch: the file's sha256 is %s, the downloaded bytes' %s", e.Want, e.Got)
}

// Digest is what a download is checked against: the SHA-256 storage
// verified, else a multipart file's claimedSha256 (claimed is true), else
// nothing (""). A claim is worth checking: bytes that differ from what the
// uploader hashed are not the file it sent.
func (f File) Digest() (sum string, claimed bool) {
	if f.SHA256 != "" {
		return f.SHA256, false
	}
	return f.ClaimedSHA256, f.ClaimedSHA256 != ""
}

// Download writes a COMPLETED file's bytes to w and checks them against the
// file's Digest when it has one (a *ChecksumError if they differ; w has the
// bytes by then). progress, when set, is told of every chunk read.
func (c *Client) Download(ctx context.Context, id string, w io.Writer, progress func(int64)) (File, string, error) {
	f, err := c.Get(ctx, id)
	if err != nil {
		return f, "", err
	}
	u, _, err := c.DownloadURL(ctx, id)
	if err != nil {
		return f, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return f, "", err
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return f, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return f, "", &APIError{Status: resp.StatusCode, Code: "storage_refused", Message: "storage refused the download"}
	}
	h := sha256.New()
	r := c.Limiter.Reader(ctx, resp.Body)
	if progress != nil {
		r = &countingReader{r: r, progress: progress}
	}
	if _, err := io.Copy(io.MultiWriter(w, h), r); err != nil {
		return f, "", err
	}
	got := hex.EncodeToString(h.Sum(nil))
	if want, claimed := f.Digest(); want != "" && want != got {
		return f, got, &ChecksumError{Want: want, Got: got, Claimed: claimed}
	}
	return f, got, nil
}

type countingReader struct {
	r        io.Reader
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.progress(int64(n))
	}
	return n, err
}
