// Package smoke checks a deployed stack end to end, as a client would: it
// creates a file, PUTs its bytes to the presigned URL, completes it,
// downloads it back and deletes it (`make smoke API=... KEY=...`).
package smoke

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/filegate/filegate/filegate"
)

// Step is one checked step and how long it took.
type Step struct {
	Name string
	Took time.Duration
}

// Run runs the steps through c, reporting each to done as it passes; the
// first that fails ends the run with an error naming it. The file it
// creates is deleted on the way out, whatever failed.
func Run(ctx context.Context, c *filegate.Client, done func(Step)) error {
	// Text (validation sniffs the type), unique to this run.
	body := bytes.Repeat([]byte("filegate smoke test "+rand.Text()+"\n"), 2048)
	sum := sha256.Sum256(body)
	var id string
	step := func(name string, fn func() error) error {
		start := time.Now()
		if err := fn(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		done(Step{Name: name, Took: time.Since(start)})
		return nil
	}
	defer func() {
		if id != "" { // a run that stopped half way leaves nothing behind
			_ = c.Delete(context.WithoutCancel(ctx), id)
		}
	}()
	err := step("create", func() error {
		f, err := c.Create(ctx, filegate.CreateRequest{Filename: "filegate-smoke.txt", MimeType: "text/plain", SizeBytes: int64(len(body)), SHA256: hex.EncodeToString(sum[:])})
		id = f.ID
		if err == nil && (f.UploadURL == "" || f.Status != "PENDING") {
			err = fmt.Errorf("file %s is %s with upload URL %q", f.ID, f.Status, f.UploadURL)
		}
		if err == nil {
			err = c.Upload(ctx, f, bytes.NewReader(body), int64(len(body)))
		}
		return err
	})
	if err == nil {
		err = step("complete", func() error {
			f, _, err := c.Complete(ctx, id, "")
			for err == nil && f.Status == "PENDING" { // storage still assembling (202)
				time.Sleep(200 * time.Millisecond)
				f, err = c.Get(ctx, id)
			}
			if err == nil && f.Status != "COMPLETED" {
				err = fmt.Errorf("file %s is %s", id, f.Status)
			}
			return err
		})
	}
	if err == nil {
		err = step("download", func() error {
			var got bytes.Buffer
			if _, _, err := c.Download(ctx, id, &got, nil); err != nil {
				return err
			}
			if !bytes.Equal(got.Bytes(), body) {
				return fmt.Errorf("downloaded %d bytes that differ from the %d uploaded", got.Len(), len(body))
			}
			return nil
		})
	}
	if err == nil {
		err = step("delete", func() error {
			if err := c.Delete(ctx, id); err != nil {
				return err
			}
			_, err := c.Get(ctx, id)
			var apiErr *filegate.APIError
			if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
				return fmt.Errorf("the deleted file still reads as %v, want 404", err)
			}
			id = ""
			return nil
		})
	}
	return err
}
