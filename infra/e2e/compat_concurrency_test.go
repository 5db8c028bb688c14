package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/filegate/filegate/infra/apitest"
)

// compatUpload posts one multipart upload to the compat API; returns status and body.
func compatUpload(t *testing.T, key, name, purpose string, body []byte) (int, []byte) {
	t.Helper()
	return compatUploadAs(t, key, name, "application/octet-stream", purpose, body)
}

// compatUploadAs is compatUpload with the file part labelled contentType.
func compatUploadAs(t *testing.T, key, name, contentType, purpose string, body []byte) (int, []byte) {
	t.Helper()
	return compatUploadPart(t, key, fmt.Sprintf(`form-data; name="file"; filename="%s"`, name), contentType, purpose, body)
}

// compatUploadPart uploads body as the file part with the given
// Content-Disposition and Content-Type.
func compatUploadPart(t *testing.T, key, disposition, contentType, purpose string, body []byte) (int, []byte) {
	t.Helper()
	return apitest.CompatUploadPart(t, stack.APIURL, key, disposition, contentType, purpose, body)
}

// Parallel uploads to one project all succeed, and the completed count
// (total_size) and the native count (totalCount) each count every file once:
// the counter consumer adds the stream's changes, so they converge shortly
// after the writes (eventually consistent, counts_test.go).
func TestCompatConcurrentUploads(t *testing.T) {
	c := newTenant(t)
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if st, body := compatUpload(t, c.Key, fmt.Sprintf("f%02d.txt", i), "user_data", []byte(fmt.Sprintf("file %d\n", i))); st != http.StatusOK {
				t.Errorf("upload %d: %d %s", i, st, body)
			}
		}()
	}
	wg.Wait()
	var page struct {
		Items     []struct{ ID string } `json:"items"`
		TotalSize int                   `json:"total_size"`
	}
	if st := c.Call("GET", "/api/v1/beta/files?page_size=100", nil, &page); st != http.StatusOK || len(page.Items) != n {
		t.Errorf("list: %d, %d items; want %d", st, len(page.Items), n)
	}
	c.waitCounts(n, n)
	// Deleting them concurrently brings both counters back to zero.
	for _, it := range page.Items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if st := c.Call("DELETE", "/api/v1/beta/files/"+it.ID, nil, nil); st != http.StatusNoContent {
				t.Errorf("delete %s: %d", it.ID, st)
			}
		}()
	}
	wg.Wait()
	if st := c.Call("GET", "/api/v1/beta/files?page_size=100", nil, &page); st != http.StatusOK || len(page.Items) != 0 {
		t.Errorf("after deletes: %d, %d items", st, len(page.Items))
	}
	c.waitCounts(0, 0)
}
