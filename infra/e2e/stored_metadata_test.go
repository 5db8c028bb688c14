package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/files"
)

// TestUnsignedHeadersOnThePUTAreRejected: headers S3 accepts unsigned on a
// presigned PUT (they are not x-amz-*) are stored with the object, and two of
// them change how it is served. Validation refuses any stored metadata the
// session did not sign: REJECTED unexpected_metadata, object deleted.
func TestUnsignedHeadersOnThePUTAreRejected(t *testing.T) {
	t.Parallel()
	for _, extra := range []map[string]string{
		{"Content-Encoding": "gzip"},
		{"Cache-Control": "public, max-age=31536000"},
		{"Content-Disposition": "inline"},
		{"Content-Language": "en"},
		{"Expires": "Thu, 01 Dec 2044 16:00:00 GMT"},
	} {
		for name := range extra {
			t.Run(name, func(t *testing.T) {
				c := newTenant(t)
				f := c.Create("doc.pdf", "application/pdf", len(pdfBytes), "")
				headers := map[string]string{}
				for k, v := range f.UploadHeaders {
					headers[k] = v
				}
				headers[name] = extra[name]
				if st := put(t, f.UploadURL, headers, pdfBytes); st != http.StatusOK {
					t.Fatalf("S3 accepts an unsigned %s on a presigned PUT; the local stack answered %d", name, st)
				}
				var e apitest.ErrorEnvelope
				if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{}, &e); st != http.StatusUnprocessableEntity || e.Error.Code != "unexpected_metadata" || !strings.Contains(e.Error.Message, name) {
					t.Errorf("complete: %d %+v, want 422 unexpected_metadata naming %s", st, e, name)
				}
				if got := c.WaitStatus(f.ID, "REJECTED"); got.Rejection == nil || got.Rejection.Code != "unexpected_metadata" {
					t.Errorf("rejection %+v", got.Rejection)
				}
				waitObjectGone(t, c.ProjectID, f.ID)
			})
		}
	}
}

// TestUnsignedAmzHeadersOnThePUTAreRefused: S3 refuses a presigned request
// carrying x-amz-* headers it does not sign (tagging, storage class, user
// metadata); the local stack's storage must too, so nothing depends on
// MinIO's laxness.
func TestUnsignedAmzHeadersOnThePUTAreRefused(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	f := c.Create("doc.pdf", "application/pdf", len(pdfBytes), "")
	for _, h := range [][2]string{{"x-amz-tagging", "public=yes"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}, {"x-amz-meta-owner", "mallory"}, {"X-Amz-Website-Redirect-Location", "https://evil.example/"}} {
		headers := map[string]string{h[0]: h[1]}
		for k, v := range f.UploadHeaders {
			headers[k] = v
		}
		if st := put(t, f.UploadURL, headers, pdfBytes); st != http.StatusForbidden {
			t.Errorf("PUT with an unsigned %s: %d, want 403 as S3 answers", h[0], st)
		}
	}
	if objectExists(t, c.ProjectID, f.ID) {
		t.Fatal("a refused PUT stored the object")
	}
	if st := put(t, f.UploadURL, f.UploadHeaders, pdfBytes); st != http.StatusOK {
		t.Fatalf("the signed PUT: %d", st)
	}
	c.WaitStatus(f.ID, "COMPLETED")
}

// TestMinIOHeadersOnThePUTAreRefused: S3 has no x-minio-* headers; MinIO
// acts on them, and the first lets a client choose the stored ETag, which
// complete's md5 check compares with. The attack: PUT other bytes with
// X-Minio-Source-Etag set to the claimed bytes' MD5, then complete with that
// md5. The local stack's storage refuses every such header as S3 would
// refuse an unsigned x-amz-* one, so nothing is stored and the complete
// cannot answer COMPLETED.
func TestMinIOHeadersOnThePUTAreRefused(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	claimed := md5.Sum(pdfBytes)
	other := bytes.Replace(pdfBytes, []byte("Catalog"), []byte("Catalox"), 1)
	for _, h := range [][2]string{
		{"X-Minio-Source-Etag", hex.EncodeToString(claimed[:])},
		{"x-minio-meta-owner", "mallory"},
		{"X-Minio-Source-Mtime", "2001-02-03T04:05:06Z"},
		{"X-Minio-Source-Replication-Request", "true"},
	} {
		f := c.Create("doc.pdf", "application/pdf", len(other), "")
		headers := map[string]string{h[0]: h[1]}
		for k, v := range f.UploadHeaders {
			headers[k] = v
		}
		if st := put(t, f.UploadURL, headers, other); st != http.StatusForbidden {
			t.Errorf("PUT with %s: %d, want 403 as S3 answers a header it does not sign", h[0], st)
		}
		var got filegate.File
		if st := c.Call("POST", "/v1/files/"+f.ID+"/complete", map[string]any{"md5": hex.EncodeToString(claimed[:])}, &got); st == http.StatusOK {
			t.Errorf("complete after a PUT with %s and the claimed bytes' md5: 200 %s, for other bytes", h[0], got.Status)
		}
		if objectExists(t, c.ProjectID, f.ID) {
			t.Errorf("a PUT with %s stored the object", h[0])
		}
	}
}

// TestStorageReportsStoredMetadata: the S3 adapter's Peek reports every
// piece of metadata a PUT could add beyond the signed ones (here set through
// the SDK, which signs them, as an attacker with a lax store could), and
// validation rejects such an object.
func TestStorageReportsStoredMetadata(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	objects := realObjects()
	project := newTenant(t).ProjectID
	for _, tc := range []struct {
		header string
		in     s3.PutObjectInput
	}{
		{"Content-Encoding", s3.PutObjectInput{ContentEncoding: aws.String("gzip")}},
		{"Cache-Control", s3.PutObjectInput{CacheControl: aws.String("public")}},
		{"Content-Disposition", s3.PutObjectInput{ContentDisposition: aws.String("inline")}},
		{"Content-Language", s3.PutObjectInput{ContentLanguage: aws.String("en")}},
		{"Expires", s3.PutObjectInput{Expires: aws.Time(time.Date(2044, 12, 1, 0, 0, 0, 0, time.UTC))}},
		{"x-amz-tagging", s3.PutObjectInput{Tagging: aws.String("public=yes")}},
		{"x-amz-storage-class", s3.PutObjectInput{StorageClass: types.StorageClassReducedRedundancy}},
		{"x-amz-meta-owner", s3.PutObjectInput{Metadata: map[string]string{"owner": "mallory"}}},
		// MinIO does not keep x-amz-website-redirect-location (S3 does):
		// TestStoredMetadata covers its mapping.
	} {
		t.Run(tc.header, func(t *testing.T) {
			svc := serviceWith(objects, files.Config{})
			created, err := svc.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "doc.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBytes))}})
			if err != nil {
				t.Fatal(err)
			}
			in := tc.in
			in.Bucket, in.Key, in.Body, in.ContentType = aws.String(localstack.BucketName), &created.File.ObjectKey, bytes.NewReader(pdfBytes), aws.String("application/pdf")
			if _, err := stack.S3Client().PutObject(ctx, &in); err != nil {
				t.Fatal(err)
			}
			info, _, err := objects.Peek(ctx, created.File.ObjectKey, 16)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := info.Metadata[tc.header]; !ok || len(info.Metadata) != 1 {
				t.Fatalf("Peek metadata %v, want exactly %s", info.Metadata, tc.header)
			}
			done, err := svc.Complete(ctx, project, created.File.ID, "", "")
			if err != nil || done.Status != files.StatusRejected || !strings.Contains(done.Rejection.Message, tc.header) {
				t.Fatalf("complete: %+v (%v), want REJECTED naming %s", done, err, tc.header)
			}
		})
	}
	t.Run("an object stored as signed has none", func(t *testing.T) {
		svc := serviceWith(objects, files.Config{})
		created, err := svc.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "doc.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBytes))}})
		if err != nil {
			t.Fatal(err)
		}
		if st := put(t, created.Upload.URL, flat(created.Upload.Headers), pdfBytes); st != http.StatusOK {
			t.Fatalf("PUT: %d", st)
		}
		if info, _, err := objects.Peek(ctx, created.File.ObjectKey, 16); err != nil || len(info.Metadata) != 0 {
			t.Fatalf("Peek: %v, metadata %v", err, info.Metadata)
		}
	})
}

func flat(h http.Header) map[string]string {
	out := map[string]string{}
	for k := range h {
		out[k] = h.Get(k)
	}
	return out
}

// TestDownloadURLPinsResponseHeaders: whatever metadata an object carries
// (objects stored before validation checked it, or by any other path), the
// download URL decides how it is served: the declared type, attachment,
// never cached by shared caches, never decoded by the browser.
func TestDownloadURLPinsResponseHeaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := files.ObjectKey(newTenant(t).ProjectID, files.NewID(time.Now()))
	_, err := stack.S3Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(localstack.BucketName), Key: &key, Body: bytes.NewReader(pdfBytes),
		ContentType: aws.String("text/html"), ContentEncoding: aws.String("gzip"), CacheControl: aws.String("public, max-age=31536000"),
		ContentDisposition: aws.String("inline"),
	})
	if err != nil {
		t.Fatal(err)
	}
	u, err := realObjects().PresignDownload(ctx, key, files.Download{Filename: "doc.pdf", ContentType: "application/pdf", Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.Parse(u.URL)
	for _, p := range []string{"response-content-type", "response-content-disposition", "response-cache-control", "response-content-encoding"} {
		if q.Query().Get(p) == "" {
			t.Errorf("the download URL does not pin %s", p)
		}
	}
	// Ask for the raw bytes: a transport that decodes gzip would hide the header.
	req, _ := http.NewRequest(http.MethodGet, u.URL, nil)
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, pdfBytes) {
		t.Fatalf("download: %d, %d bytes", resp.StatusCode, len(body))
	}
	for h, want := range map[string]string{
		"Content-Type":     "application/pdf",
		"Cache-Control":    "private, no-store",
		"Content-Encoding": "identity",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if d := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(d, "attachment;") {
		t.Errorf("Content-Disposition: %q, want attachment", d)
	}
}
