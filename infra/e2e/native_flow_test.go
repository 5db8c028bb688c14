package e2e

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/files"
)

// pdfBytes is a small PDF: what clients upload most.
var pdfBytes = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// pngBytes is a PNG signature and header: sniffs as image/png.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"), make([]byte, 64)...)

var htmlBytes = []byte("<!DOCTYPE html><html><head><script>alert(1)</script></head><body>hi</body></html>\n")

// uploaded creates a file and PUTs body with exactly the returned headers.
func (c *tenant) uploaded(name, mimeType string, body []byte) filegate.File {
	c.T.Helper()
	f := c.Create(name, mimeType, len(body), "")
	if st := put(c.T, f.UploadURL, f.UploadHeaders, body); st != http.StatusOK {
		c.T.Fatalf("PUT with the returned headers: status %d", st)
	}
	return f
}

func objectExists(t *testing.T, projectID, id string) bool {
	t.Helper()
	_, err := stack.S3Client().HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: ptr(localstack.BucketName), Key: ptr(files.ObjectKey(projectID, files.MustParseFileID(id))),
	})
	var nf *types.NotFound
	switch {
	case err == nil:
		return true
	case errors.As(err, &nf):
		return false
	default:
		t.Fatalf("HEAD object: %v", err)
		return false
	}
}

func ptr[T any](v T) *T { return &v }

// waitObjectGone allows for REJECTED being written just before the object is
// deleted (record first, so a failed delete stays findable).
func waitObjectGone(t *testing.T, projectID, id string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for objectExists(t, projectID, id) {
		if time.Now().After(deadline) {
			t.Fatal("the rejected object is still in the bucket")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestS3EventCompletesWithoutCompleteCall(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	f := c.uploaded("report.pdf", "application/pdf", pdfBytes)
	if f.Status != "PENDING" || f.ExpiresAt == nil || f.UploadHeaders["If-None-Match"] != "*" || f.UploadHeaders["Content-Type"] != "application/pdf" {
		t.Fatalf("create returned %+v", f)
	}
	done := c.WaitStatus(f.ID, "COMPLETED")
	if done.CompletedAt == nil || done.ExpiresAt != nil {
		t.Fatalf("completed file: completedAt %v expiresAt %v", done.CompletedAt, done.ExpiresAt)
	}
}

func TestCompleteAndS3EventConvergeInEitherOrder(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	t.Run("complete first, racing itself", func(t *testing.T) {
		f := c.uploaded("a.pdf", "application/pdf", pdfBytes)
		var wg sync.WaitGroup
		results := make([]filegate.File, 8)
		statuses := make([]int, 8)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, &results[i])
			}()
		}
		wg.Wait()
		for i := range results {
			if statuses[i] != http.StatusOK || results[i].Status != "COMPLETED" || *results[i].CompletedAt != *results[0].CompletedAt {
				t.Fatalf("complete #%d: %d %+v (first: %+v)", i, statuses[i], results[i], results[0])
			}
		}
		// The event arrives after; it must change nothing.
		after := c.WaitStatus(f.ID, "COMPLETED")
		if *after.CompletedAt != *results[0].CompletedAt {
			t.Fatalf("completedAt moved from %s to %s: two transitions", *results[0].CompletedAt, *after.CompletedAt)
		}
	})
	t.Run("event first", func(t *testing.T) {
		f := c.uploaded("b.pdf", "application/pdf", pdfBytes)
		byEvent := c.WaitStatus(f.ID, "COMPLETED")
		var got filegate.File
		if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", nil, &got); st != http.StatusOK || got.Status != "COMPLETED" || *got.CompletedAt != *byEvent.CompletedAt {
			t.Fatalf("complete after the event: %d %+v", st, got)
		}
	})
}

func TestS3RefusesPutsThatBreakTheSession(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	f := c.Create("r.pdf", "application/pdf", len(pdfBytes), "")
	longer := append(append([]byte{}, pdfBytes...), '\n')
	if st := put(t, f.UploadURL, f.UploadHeaders, longer); st < 400 {
		t.Fatalf("PUT of a different size: status %d, want refusal", st)
	}
	wrongType := map[string]string{"Content-Type": "text/plain", "If-None-Match": "*"}
	if st := put(t, f.UploadURL, wrongType, pdfBytes); st < 400 {
		t.Fatalf("PUT with a different Content-Type: status %d, want refusal", st)
	}
	if got := c.WaitStatus(f.ID, "PENDING"); got.Status != "PENDING" || objectExists(t, c.ProjectID, f.ID) {
		t.Fatalf("after refused PUTs: %+v", got)
	}
	if st := put(t, f.UploadURL, f.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Fatalf("the right PUT: status %d", st)
	}
	c.WaitStatus(f.ID, "COMPLETED")
	other := append([]byte("%PDF-1.4\n% replaced\n"), pdfBytes[20:]...)
	if st := put(t, f.UploadURL, f.UploadHeaders, other); st != http.StatusPreconditionFailed {
		t.Fatalf("second PUT to the same URL: status %d, want 412", st)
	}
	if got := download(t, c, f.ID); string(got) != string(pdfBytes) {
		t.Fatalf("the completed bytes changed")
	}
}

func TestSniffedTypeMismatchIsRejectedAndObjectDeleted(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	for _, tc := range []struct {
		name, declared string
		body           []byte
	}{
		{"image.pdf", "application/pdf", pngBytes},
		{"page.txt", "text/plain", htmlBytes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := c.uploaded(tc.name, tc.declared, tc.body)
			got := c.WaitStatus(f.ID, "REJECTED")
			if got.Rejection == nil || got.Rejection.Code != "type_mismatch" || got.Rejection.Message == "" {
				t.Fatalf("rejection = %+v", got.Rejection)
			}
			waitObjectGone(t, c.ProjectID, f.ID)
			var e apitest.ErrorEnvelope
			if st := c.Call("GET", "/v1/files/"+f.ID+"/url", nil, &e); st != http.StatusConflict {
				t.Fatalf("url of a rejected file: %d", st)
			}
		})
	}
}

func TestCompleteChecksMD5(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	sum := md5.Sum(pdfBytes)
	good := hex.EncodeToString(sum[:])

	f := c.uploaded("good.pdf", "application/pdf", pdfBytes)
	var got filegate.File
	if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]string{"md5": good}, &got); st != http.StatusOK || got.Status != "COMPLETED" {
		t.Fatalf("complete with the right md5: %d %+v", st, got)
	}

	// A wrong md5 rejects the file if this complete settles it; if the S3
	// event settled it first, the COMPLETED file stays as it is and the
	// answer is a 409 (a settled file never changes through complete).
	bad := c.uploaded("bad.pdf", "application/pdf", pdfBytes)
	var e apitest.ErrorEnvelope
	switch st := c.Call("POST", "/v1/files/"+bad.ID+"/complete", map[string]string{"md5": "0123456789abcdef0123456789abcdef"}, &e); {
	case e.Error.Code != "checksum_mismatch" || e.Error.Param != "md5":
		t.Fatalf("complete with a wrong md5: %d %+v, want checksum_mismatch naming md5", st, e)
	case st == http.StatusUnprocessableEntity:
		if r := c.WaitStatus(bad.ID, "REJECTED"); r.Rejection == nil || r.Rejection.Code != "checksum_mismatch" {
			t.Fatalf("after a wrong md5: %+v", r)
		}
		waitObjectGone(t, c.ProjectID, bad.ID)
	case st == http.StatusConflict:
		if r := c.WaitStatus(bad.ID, "COMPLETED"); r.Rejection != nil || !objectExists(t, c.ProjectID, bad.ID) {
			t.Fatalf("after a wrong md5 that came late: %+v, want the COMPLETED file with its object", r)
		}
	default:
		t.Fatalf("complete with a wrong md5: %d, want 422 or 409", st)
	}
	if st := c.Call("POST", "/v1/files/"+got.ID+"/complete", map[string]string{"md5": "0123456789abcdef0123456789abcdef"}, &e); st != http.StatusConflict || e.Error.Code != "checksum_mismatch" {
		t.Fatalf("complete of a COMPLETED file with a wrong md5: %d %+v, want 409 checksum_mismatch", st, e)
	}
	if st := c.Call("POST", "/v1/files/"+bad.ID+"/complete", map[string]string{"md5": "xyz"}, &e); st != http.StatusBadRequest {
		t.Fatalf("malformed md5: %d", st)
	}
}

// download fetches a file through its presigned URL and checks the headers.
func download(t *testing.T, c *tenant, id string) []byte {
	t.Helper()
	var u struct {
		URL       string `json:"url"`
		ExpiresAt string `json:"expiresAt"`
	}
	if st := c.Call("GET", "/v1/files/"+id+"/url", nil, &u); st != http.StatusOK || u.URL == "" || u.ExpiresAt == "" {
		t.Fatalf("url: %d %+v", st, u)
	}
	resp, err := http.Get(u.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %d %s", resp.StatusCode, body)
	}
	if d, _, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err != nil || d != "attachment" {
		t.Fatalf("Content-Disposition %q: want attachment", resp.Header.Get("Content-Disposition"))
	}
	return body
}

func TestDownloadURLServesExactBytesAsAttachment(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	hostile := "q\"uote;\\ ü/..\\evil:txt.pdf. " // (bidi controls are refused at create)
	f := c.uploaded(hostile, "application/pdf", pdfBytes)
	c.WaitStatus(f.ID, "COMPLETED")
	var u struct{ URL string }
	c.Call("GET", "/v1/files/"+f.ID+"/url", nil, &u)
	resp, err := http.Get(u.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != string(pdfBytes) {
		t.Fatal("downloaded bytes differ from the upload")
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("Content-Type %q", ct)
	}
	d, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || d != "attachment" || params["filename"] != files.DownloadName(hostile) || params["filename"] == hostile {
		t.Fatalf("Content-Disposition %q parses to %q %q (%v)", resp.Header.Get("Content-Disposition"), d, params["filename"], err)
	}

	pending := c.Create("later.pdf", "application/pdf", 10, "")
	var e apitest.ErrorEnvelope
	if st := c.Call("GET", "/v1/files/"+pending.ID+"/url", nil, &e); st != http.StatusConflict || e.Error.Type != "conflict" {
		t.Fatalf("url of a PENDING file: %d %+v", st, e)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	f := c.Create("c.pdf", "application/pdf", 10, "")
	var got filegate.File
	if st := c.Call("POST", "/v1/files/"+f.ID+"/cancel", map[string]any{}, &got); st != http.StatusOK || got.Status != "CANCELLED" || got.ExpiresAt != nil {
		t.Fatalf("cancel PENDING: %d %+v", st, got)
	}
	var e apitest.ErrorEnvelope
	if st := c.Call("POST", "/v1/files/"+f.ID+"/cancel", nil, &e); st != http.StatusConflict {
		t.Fatalf("cancel CANCELLED: %d", st)
	}
	done := c.uploaded("d.pdf", "application/pdf", pdfBytes)
	c.WaitStatus(done.ID, "COMPLETED")
	if st := c.Call("POST", "/v1/files/"+done.ID+"/cancel", nil, &e); st != http.StatusConflict || e.Error.Code != "invalid_state" {
		t.Fatalf("cancel COMPLETED: %d %+v", st, e)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	f := c.uploaded("del.pdf", "application/pdf", pdfBytes)
	c.WaitStatus(f.ID, "COMPLETED")
	c.waitCounts(1, 1)
	if st := c.Call("DELETE", "/v1/files/"+f.ID, nil, nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	if objectExists(t, c.ProjectID, f.ID) {
		t.Fatal("object left after delete")
	}
	if st := c.Call("GET", "/v1/files/"+f.ID, nil, nil); st != http.StatusNotFound {
		t.Fatalf("get after delete: %d", st)
	}
	if st := c.Call("DELETE", "/v1/files/"+f.ID, nil, nil); st != http.StatusNotFound {
		t.Fatalf("second delete: %d", st)
	}
	// The counts follow the delete eventually (counts_test.go).
	c.waitCounts(0, 0)
}
