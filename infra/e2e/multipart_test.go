package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/files"
)

type partURL struct {
	PartNumber int               `json:"partNumber"`
	URL        string            `json:"url"`
	Headers    map[string]string `json:"headers"`
}

type multipartSession struct {
	filegate.File
	Multipart struct {
		PartSizeBytes int64   `json:"partSizeBytes"`
		PartCount     int     `json:"partCount"`
		PartChecksum  *string `json:"partChecksum"`
	} `json:"multipart"`
}

// createMultipart opens a multipart session of body in 5 MiB parts, with
// part checksums.
func (c *tenant) createMultipart(name, mimeType string, body []byte) multipartSession {
	c.T.Helper()
	var f multipartSession
	if st := c.Call("POST", "/v1/files", map[string]any{"filename": name, "mimeType": mimeType, "sizeBytes": len(body),
		"multipart": map[string]any{"partSizeBytes": files.MinPartBytes, "partChecksum": "SHA256"}}, &f); st != http.StatusOK {
		c.T.Fatalf("multipart create: %d", st)
	}
	return f
}

// partURLsFor signs the given parts of body (each with its SHA-256).
func (c *tenant) partURLsFor(id string, body []byte, partSize int64, numbers ...int) []partURL {
	c.T.Helper()
	var req []map[string]any
	for _, n := range numbers {
		sum := sha256.Sum256(partOf(body, partSize, n))
		req = append(req, map[string]any{"partNumber": n, "sha256": hex.EncodeToString(sum[:])})
	}
	var out struct{ Data []partURL }
	if st := c.Call("POST", "/v1/files/"+id+"/parts", map[string]any{"parts": req}, &out); st != http.StatusOK || len(out.Data) != len(numbers) {
		c.T.Fatalf("sign parts %v: %d", numbers, st)
	}
	return out.Data
}

// uploadedInOnePart is a multipart session of body, one part under the
// minimum part size, whose part storage holds: complete assembles it.
func (c *tenant) uploadedInOnePart(name, mimeType string, body []byte) multipartSession {
	c.T.Helper()
	f := c.createMultipart(name, mimeType, body)
	u := c.partURLsFor(f.ID, body, files.MinPartBytes, 1)[0]
	if st := put(c.T, u.URL, u.Headers, body); st != http.StatusOK {
		c.T.Fatalf("PUT part 1: %d", st)
	}
	return f
}

func partOf(body []byte, partSize int64, n int) []byte {
	off := int64(n-1) * partSize
	return body[off:min(off+partSize, int64(len(body)))]
}

// TestMultipartUploadEndToEnd: a multipart session with part checksums on
// the real stack. Storage refuses a part whose bytes do not match its signed
// SHA-256; the parts it holds are listed for a resume; complete assembles
// them from ListParts (the client sends no ETags), the S3 event and
// validation treat the object like any upload, and the download is the file.
func TestMultipartUploadEndToEnd(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	const partSize = files.MinPartBytes // createMultipart's
	body := bytes.Repeat([]byte("multipart upload line\n"), (2*partSize+1000)/22)
	f := c.createMultipart("big.txt", "text/plain", body)
	if f.Multipart.PartCount != 3 || f.Multipart.PartSizeBytes != partSize || f.UploadURL != "" || f.Multipart.PartChecksum == nil {
		t.Fatalf("multipart create answered %+v", f)
	}
	urls := c.partURLsFor(f.ID, body, partSize, 1, 2)
	tampered := append([]byte{}, partOf(body, partSize, 1)...)
	tampered[0] ^= 1
	if st := put(t, urls[0].URL, urls[0].Headers, tampered); st != http.StatusBadRequest {
		t.Fatalf("PUT of a part whose bytes do not match its sha256: %d, want 400 (BadDigest)", st)
	}
	if st := put(t, urls[1].URL, urls[1].Headers, partOf(body, partSize, 2)); st != http.StatusOK {
		t.Fatalf("PUT part 2: %d", st)
	}
	var listed struct {
		Data []struct {
			PartNumber int   `json:"partNumber"`
			SizeBytes  int64 `json:"sizeBytes"`
		}
	}
	if st := c.Call("GET", "/v1/files/"+f.ID+"/parts", nil, &listed); st != http.StatusOK || len(listed.Data) != 1 || listed.Data[0].PartNumber != 2 {
		t.Fatalf("stored parts: %d %+v, want part 2 alone (part 1 was refused)", st, listed)
	}
	if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, nil); st != http.StatusConflict {
		t.Fatalf("complete with parts missing: %d, want 409", st)
	}
	if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{"md5": "9e107d9d372bb6826bd81d3542a419d6"}, nil); st != http.StatusBadRequest {
		t.Fatalf("complete of a multipart file with md5: %d, want 400", st)
	}
	for _, u := range c.partURLsFor(f.ID, body, partSize, 1, 3) {
		if st := put(t, u.URL, u.Headers, partOf(body, partSize, u.PartNumber)); st != http.StatusOK {
			t.Fatalf("PUT part %d: %d", u.PartNumber, st)
		}
	}
	sum := sha256.Sum256(body)
	var done filegate.File
	if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{"sha256": hex.EncodeToString(sum[:])}, &done); st != http.StatusOK || done.Status != "COMPLETED" {
		t.Fatalf("complete: %d %+v", st, done)
	}
	if done.ClaimedSHA256 != hex.EncodeToString(sum[:]) || done.SHA256 != "" {
		t.Errorf("the completed file shows sha256 %q, claimedSha256 %q; want the one complete gave as the claim", done.SHA256, done.ClaimedSHA256)
	}
	var u struct{ URL string }
	if st := c.Call("GET", "/v1/files/"+f.ID+"/url", nil, &u); st != http.StatusOK {
		t.Fatalf("download url: %d", st)
	}
	resp, err := http.Get(u.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got, _ := io.ReadAll(resp.Body); !bytes.Equal(got, body) {
		t.Errorf("downloaded %d bytes that are not the file", len(got))
	}
}

// TestCancelAbortsTheMultipartUpload: cancelling a multipart session drops
// the parts storage held.
func TestCancelAbortsTheMultipartUpload(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	body := []byte("short text, one part\n")
	f := c.uploadedInOnePart("c.txt", "text/plain", body)
	if st := c.Call("POST", "/v1/files/"+f.ID+"/cancel", map[string]any{}, nil); st != http.StatusOK {
		t.Fatalf("cancel: %d", st)
	}
	out, err := stack.S3Client().ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: ptr(localstack.BucketName), Prefix: ptr(files.ObjectKey(c.ProjectID, files.MustParseFileID(f.ID)))})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Uploads) != 0 {
		t.Errorf("the cancelled file's multipart upload is still open: %+v", out.Uploads)
	}
}

// TestUploadURLRefreshesASinglePutSession: a single-PUT client whose URL
// expired asks for a fresh one; a multipart session is told to use parts.
func TestUploadURLRefreshesASinglePutSession(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	f := c.Create("again.pdf", "application/pdf", len(pdfBytes), "")
	var fresh filegate.File
	if st := c.Call("POST", "/v1/files/"+f.ID+"/upload-url", map[string]any{}, &fresh); st != http.StatusOK || fresh.UploadURL == "" || fresh.ID != f.ID {
		t.Fatalf("upload-url: %d %+v", st, fresh)
	}
	if st := put(t, fresh.UploadURL, fresh.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Fatalf("PUT to the fresh URL: %d", st)
	}
	c.WaitStatus(f.ID, "COMPLETED")
	if st := c.Call("POST", "/v1/files/"+f.ID+"/upload-url", map[string]any{}, nil); st != http.StatusConflict {
		t.Errorf("upload-url of a COMPLETED file: %d, want 409", st)
	}
}

// TestMultipartAssembledByStorageSettlesOnItsEvent: when storage finishes
// assembling after complete gave up waiting (its 202), the S3 event of
// CompleteMultipartUpload validates the object like any upload.
func TestMultipartAssembledByStorageSettlesOnItsEvent(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	body := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	f := c.uploadedInOnePart("late.pdf", "application/pdf", body)
	key := files.ObjectKey(c.ProjectID, files.MustParseFileID(f.ID))
	s3c := stack.S3Client()
	ups, err := s3c.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: ptr(localstack.BucketName), Prefix: &key})
	if err != nil || len(ups.Uploads) != 1 {
		t.Fatalf("the file's multipart upload: %+v %v", ups, err)
	}
	parts, err := s3c.ListParts(t.Context(), &s3.ListPartsInput{Bucket: ptr(localstack.BucketName), Key: &key, UploadId: ups.Uploads[0].UploadId})
	if err != nil || len(parts.Parts) != 1 {
		t.Fatalf("its parts: %v", err)
	}
	p := parts.Parts[0]
	if _, err := s3c.CompleteMultipartUpload(t.Context(), &s3.CompleteMultipartUploadInput{Bucket: ptr(localstack.BucketName), Key: &key, UploadId: ups.Uploads[0].UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: p.PartNumber, ETag: p.ETag, ChecksumSHA256: p.ChecksumSHA256}}}}); err != nil {
		t.Fatalf("storage's own assembly: %v", err)
	}
	c.WaitStatus(f.ID, "COMPLETED")
}
