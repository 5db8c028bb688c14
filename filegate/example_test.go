package filegate_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/filegate/filegate/filegate"
)

// A file's way through the API: create an upload session, PUT the bytes to
// its presigned URL, complete it, download it (checked against its SHA-256).
func Example() {
	api := newFakeAPI("fg_example") // a deployment's URL and API key, in real use
	defer api.srv.Close()
	ctx := context.Background()
	c := &filegate.Client{Base: api.srv.URL, Key: "fg_example"}

	body := "hello, filegate\n"
	f, err := c.Create(ctx, filegate.CreateRequest{Filename: "hello.txt", MimeType: "text/plain", SizeBytes: int64(len(body))})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := c.Upload(ctx, f, strings.NewReader(body), int64(len(body))); err != nil {
		fmt.Println(err)
		return
	}
	done, _, err := c.Complete(ctx, f.ID, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(done.Filename, done.Status)
	var got bytes.Buffer
	if _, sum, err := c.Download(ctx, f.ID, &got, nil); err == nil {
		fmt.Printf("%q sha256 %s…\n", got.String(), sum[:12])
	}
	// Output:
	// hello.txt COMPLETED
	// "hello, filegate\n" sha256 a638bdfb4b01…
}

// Every answer other than 2xx is an *APIError, with the error envelope's
// type, code and message.
func ExampleAPIError() {
	api := newFakeAPI("fg_example")
	defer api.srv.Close()
	c := &filegate.Client{Base: api.srv.URL, Key: "fg_example"}

	_, err := c.Get(context.Background(), "0190d3e4-0000-7000-8000-000000000099")
	var apiErr *filegate.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Type, apiErr.Code)
	}
	c.Key = "fg_wrong"
	_, err = c.Get(context.Background(), "0190d3e4-0000-7000-8000-000000000099")
	fmt.Println(err)
	// Output:
	// 404 not_found_error file_not_found
	// the API key is not valid (401 invalid_api_key)
}

// Uploader sends a local file: one PUT below its part size, else parallel
// parts, each with its SHA-256; with a StateDir, running it again after an
// interruption resumes the upload instead of starting a second file. (It
// needs a running stack: `make dev` prints the URL and a key.)
func ExampleUploader() {
	c := &filegate.Client{Base: os.Getenv("FILEGATE_API_URL"), Key: os.Getenv("FILEGATE_API_KEY"), Limiter: filegate.NewRateLimiter(10 << 20)}
	u := &filegate.Uploader{Client: c, Parallel: 4, StateDir: os.TempDir() + "/filegate-uploads"}
	r, err := u.Upload(context.Background(), "report.pdf", "application/pdf")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.File.ID, r.File.Status, r.BytesSent, r.Resumed)
}

// An upload token lets a browser create and upload files within limits,
// and nothing else; the page uses it as its key. (It needs a running stack.)
func ExampleClient_MintUploadToken() {
	c := &filegate.Client{Base: os.Getenv("FILEGATE_API_URL"), Key: os.Getenv("FILEGATE_API_KEY")}
	t, err := c.MintUploadToken(context.Background(), filegate.UploadTokenRequest{MaxFiles: 5, MimeTypes: []string{"application/pdf"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	browser := &filegate.Client{Base: c.Base, Key: t.Token}
	_, _ = browser.Create(context.Background(), filegate.CreateRequest{Filename: "scan.pdf", MimeType: "application/pdf", SizeBytes: 1024})
}
