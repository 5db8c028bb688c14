package s3storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/infra/localstack/minio"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/s3storage"
)

// The adapter against MinIO: what each call stores and reads, and how S3's
// answers become the domain's errors. (MinIO stands in for S3: where it
// differs, the test says so.)

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// send makes a presigned request with exactly the headers it was signed with.
func send(t *testing.T, method string, p files.Presigned, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, p.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range p.Headers {
		req.Header[k] = v
	}
	req.Header.Del("Content-Length")
	req.ContentLength = int64(len(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// Peek reads the first n bytes and what a HEAD would say, of objects
// shorter, longer and empty; a missing object is ErrObjectMissing.
func TestPeekReadsTheStartAndTheWholeSize(t *testing.T) {
	b := MustOpenBucket(t)
	ctx := context.Background()
	body := bytes.Repeat([]byte("0123456789"), 1000)
	if err := b.Put(ctx, "uploads/p/long", body, "text/plain", hexSHA256(body)); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "uploads/p/empty", nil, "application/octet-stream", ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key      string
		n        int64
		size     int64
		head     []byte
		mimeType string
	}{
		{"uploads/p/long", 16, int64(len(body)), body[:16], "text/plain"},
		{"uploads/p/long", 1 << 20, int64(len(body)), body, "text/plain"},
		{"uploads/p/empty", 16, 0, nil, "application/octet-stream"},
	} {
		info, head, err := b.Peek(ctx, c.key, c.n)
		if err != nil {
			t.Errorf("Peek(%s, %d): %v", c.key, c.n, err)
			continue
		}
		if info.Size != c.size || !bytes.Equal(head, c.head) || info.ContentType != c.mimeType || info.ETag == "" || info.Metadata != nil {
			t.Errorf("Peek(%s, %d) = %+v and %d bytes, want size %d, %d bytes, %s, an ETag and no metadata", c.key, c.n, info, len(head), c.size, len(c.head), c.mimeType)
		}
	}
	if _, _, err := b.Peek(ctx, "uploads/p/none", 16); !errors.Is(err, files.ErrObjectMissing) {
		t.Errorf("Peek of a missing object: %v, want ErrObjectMissing", err)
	}
}

// Peek shows what an object was stored with beyond its signed headers, so
// validation can refuse it.
func TestPeekShowsStoredMetadata(t *testing.T) {
	b := MustOpenBucket(t)
	ctx := context.Background()
	_, err := b.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.Name, Key: strp("uploads/p/f"), Body: bytes.NewReader([]byte("x")),
		ContentType: strp("text/plain"), ContentDisposition: strp("inline"), Metadata: map[string]string{"note": "hi"}})
	if err != nil {
		t.Fatal(err)
	}
	info, _, err := b.Peek(ctx, "uploads/p/f", 16)
	if err != nil {
		t.Fatal(err)
	}
	if info.Metadata["Content-Disposition"] != "inline" || info.Metadata["x-amz-meta-note"] != "hi" {
		t.Errorf("stored metadata %v, want Content-Disposition and x-amz-meta-note", info.Metadata)
	}
}

func strp(s string) *string { return &s }

// Put never replaces an object (ErrObjectExists) and stores nothing whose
// SHA-256 is not the one given.
func TestPutStoresOnceAndOnlyTheDigestGiven(t *testing.T) {
	b := MustOpenBucket(t)
	ctx := context.Background()
	body := []byte("the bytes")
	if err := b.Put(ctx, "uploads/p/a", body, "text/plain", hexSHA256(body)); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "uploads/p/a", []byte("other bytes"), "text/plain", ""); !errors.Is(err, files.ErrObjectExists) {
		t.Errorf("a second Put on the key: %v, want ErrObjectExists", err)
	}
	if _, head, _ := b.Peek(ctx, "uploads/p/a", 64); !bytes.Equal(head, body) {
		t.Errorf("the key holds %q after a refused Put, want %q", head, body)
	}
	err := b.Put(ctx, "uploads/p/b", body, "text/plain", hexSHA256([]byte("something else")))
	if err == nil || errors.Is(err, files.ErrObjectExists) {
		t.Errorf("a Put whose SHA-256 is another's: %v, want a refusal", err)
	}
	if _, _, err := b.Peek(ctx, "uploads/p/b", 16); !errors.Is(err, files.ErrObjectMissing) {
		t.Errorf("after the refused Put: %v, want no object", err)
	}
}

// A presigned PUT takes exactly the declared bytes once: a second PUT on
// the key is 412 (If-None-Match), other bytes of the declared length are
// refused for their SHA-256.
func TestPresignUploadTakesTheDeclaredBytesOnce(t *testing.T) {
	b := MustOpenBucket(t)
	ctx := context.Background()
	body := []byte("%PDF-1.7 declared")
	p, err := b.PresignUpload(ctx, "uploads/p/f", files.Upload{ContentType: "application/pdf", ContentLength: int64(len(body)), SHA256: hexSHA256(body), Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	other := bytes.ToUpper(body)
	if st, msg := send(t, http.MethodPut, p, other); st/100 != 4 {
		t.Errorf("PUT of other bytes: %d %s, want a 4xx", st, msg)
	}
	if st, msg := send(t, http.MethodPut, p, body); st != http.StatusOK {
		t.Fatalf("PUT of the declared bytes: %d %s", st, msg)
	}
	if st, _ := send(t, http.MethodPut, p, body); st != http.StatusPreconditionFailed {
		t.Errorf("a second PUT: %d, want 412", st)
	}
	if info, _, err := b.Peek(ctx, "uploads/p/f", 4); err != nil || info.Size != int64(len(body)) || info.ContentType != "application/pdf" {
		t.Errorf("stored: %+v, %v", info, err)
	}
}

// A multipart upload from start to finish: parts signed with their SHA-256
// are stored, listed with size, ETag and checksum, and assembled; the
// upload is then gone (a second complete says so), and the
// object never replaced (a complete over an object is ErrObjectExists).
func TestMultipartStartSignListComplete(t *testing.T) {
	b := MustOpenBucket(t)
	ctx := context.Background()
	const key = "uploads/p/big"
	parts := [][]byte{bytes.Repeat([]byte("a"), 5<<20), []byte("the last part")} // S3's smallest part but the last is 5 MiB
	id, err := b.StartMultipart(ctx, key, "text/plain", true)
	if err != nil {
		t.Fatal(err)
	}
	if ups, err := b.OpenUploads(ctx, key, 10); err != nil || len(ups) != 1 || ups[0].UploadID != id || ups[0].Key != key {
		t.Errorf("OpenUploads: %+v, %v, want the one upload", ups, err)
	}
	for i := len(parts) - 1; i >= 0; i-- { // any order
		p, err := b.PresignPart(ctx, key, id, files.Part{Number: i + 1, SizeBytes: int64(len(parts[i])), SHA256: hexSHA256(parts[i]), Expires: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if st, msg := send(t, http.MethodPut, p, parts[i]); st != http.StatusOK {
			t.Fatalf("PUT part %d: %d %s", i+1, st, msg)
		}
	}
	stored, err := b.ListParts(ctx, key, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(parts) {
		t.Fatalf("ListParts: %+v, want %d parts", stored, len(parts))
	}
	for i, p := range stored {
		if p.Number != i+1 || p.SizeBytes != int64(len(parts[i])) || p.ETag == "" || p.SHA256 != files.SHA256Base64(hexSHA256(parts[i])) {
			t.Errorf("part %d listed as %+v", i+1, p)
		}
	}
	if err := b.CompleteMultipart(ctx, key, id, stored); err != nil {
		t.Fatal(err)
	}
	info, head, err := b.Peek(ctx, key, 4)
	if err != nil || info.Size != int64(len(parts[0])+len(parts[1])) || string(head) != "aaaa" || info.ContentType != "text/plain" {
		t.Errorf("the assembled object: %+v %q, %v", info, head, err)
	}
	if err := b.CompleteMultipart(ctx, key, id, stored); !errors.Is(err, files.ErrObjectMissing) && !errors.Is(err, files.ErrObjectExists) {
		t.Errorf("a second complete: %v, want ErrObjectExists or ErrObjectMissing (both mean: finished already)", err)
	}
	if _, err := b.ListParts(ctx, key, id); !errors.Is(err, files.ErrObjectMissing) {
		t.Errorf("ListParts of a completed upload: %v, want ErrObjectMissing", err)
	}

	// A second upload of the key cannot complete over the object.
	id2, err := b.StartMultipart(ctx, key, "text/plain", false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.PresignPart(ctx, key, id2, files.Part{Number: 1, SizeBytes: 3, Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if st, msg := send(t, http.MethodPut, p, []byte("new")); st != http.StatusOK {
		t.Fatalf("PUT part: %d %s", st, msg)
	}
	again, err := b.ListParts(ctx, key, id2)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.CompleteMultipart(ctx, key, id2, again); !errors.Is(err, files.ErrObjectExists) {
		t.Errorf("complete over an object: %v, want ErrObjectExists", err)
	}
	if _, head, _ := b.Peek(ctx, key, 4); string(head) != "aaaa" {
		t.Errorf("the object became %q", head)
	}
}

// A part signed with a SHA-256 takes no other bytes of its size, and a part
// signed for a size takes no other size.
func TestPresignPartTakesOnlyTheSignedPart(t *testing.T) {
	b := MustOpenBucket(t)
	ctx := context.Background()
	id, err := b.StartMultipart(ctx, "uploads/p/f", "text/plain", true)
	if err != nil {
		t.Fatal(err)
	}
	part := []byte("part one")
	p, err := b.PresignPart(ctx, "uploads/p/f", id, files.Part{Number: 1, SizeBytes: int64(len(part)), SHA256: hexSHA256(part), Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"other bytes": []byte("PART ONE"), "another size": []byte("part one!")} {
		if st, msg := send(t, http.MethodPut, p, body); st/100 != 4 {
			t.Errorf("%s: %d %s, want a 4xx", name, st, msg)
		}
	}
	if stored, err := b.ListParts(ctx, "uploads/p/f", id); err != nil || len(stored) != 0 {
		t.Errorf("after refused parts: %+v, %v, want none stored", stored, err)
	}
}

// Abort drops the upload and its parts, and is fine with one already gone.
func TestAbortMultipartDropsTheUpload(t *testing.T) {
	b := MustOpenBucket(t)
	ctx := context.Background()
	id, err := b.StartMultipart(ctx, "uploads/p/f", "text/plain", false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.PresignPart(ctx, "uploads/p/f", id, files.Part{Number: 1, SizeBytes: 4, Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if st, msg := send(t, http.MethodPut, p, []byte("part")); st != http.StatusOK {
		t.Fatalf("PUT part: %d %s", st, msg)
	}
	if err := b.AbortMultipart(ctx, "uploads/p/f", id); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ListParts(ctx, "uploads/p/f", id); !errors.Is(err, files.ErrObjectMissing) {
		t.Errorf("ListParts after abort: %v, want ErrObjectMissing", err)
	}
	if ups, err := b.OpenUploads(ctx, "uploads/", 10); err != nil || len(ups) != 0 {
		t.Errorf("OpenUploads after abort: %+v, %v, want none", ups, err)
	}
	if err := b.AbortMultipart(ctx, "uploads/p/f", id); err != nil {
		t.Errorf("a second abort: %v, want nil", err)
	}
}

// List pages through a prefix in key order, after a given key, and only
// that prefix.
func TestListPagesInKeyOrder(t *testing.T) {
	b := MustOpenBucket(t)
	ctx := context.Background()
	var want []string
	for i := range 5 {
		key := fmt.Sprintf("uploads/p/%d", i)
		want = append(want, key)
		if err := b.Put(ctx, key, []byte("x"), "text/plain", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Put(ctx, "uploads/q/0", []byte("x"), "text/plain", ""); err != nil {
		t.Fatal(err)
	}
	var got []string
	after, pages := "", 0
	for {
		objs, next, err := b.List(ctx, "uploads/p/", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range objs {
			got = append(got, o.Key)
			if o.LastModified.IsZero() {
				t.Errorf("%s has no LastModified", o.Key)
			}
		}
		if next == "" || pages > 5 {
			break
		}
		after = next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || pages != 3 {
		t.Errorf("listed %v in %d pages, want %v in 3", got, pages, want)
	}
	if objs, next, err := b.List(ctx, "uploads/p/", "uploads/p/2", 10); err != nil || len(objs) != 2 || objs[0].Key != "uploads/p/3" || next != "" {
		t.Errorf("List after uploads/p/2: %+v %q %v", objs, next, err)
	}
}

// What S3 answers becomes the domain's errors: a missing object or upload
// is ErrObjectMissing (a conflict the client can retry), credentials
// storage refuses are internal (the deployment's fault, not the client's,
// and not worth retrying), and so is a bucket that does not exist, which is
// no missing object: validation would wait for bytes that can never come.
func TestStorageErrorsAreClassified(t *testing.T) {
	b := MustOpenBucket(t)
	ctx := context.Background()
	if err := b.Put(ctx, "uploads/p/f", []byte("x"), "text/plain", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ListParts(ctx, "uploads/p/f", "no-such-upload"); !errors.Is(err, files.ErrObjectMissing) {
		t.Errorf("ListParts of an unknown upload: %v, want ErrObjectMissing", err)
	}
	wrongKey := storageAs(b.Endpoint, b.Name, minio.MinIOAccessKey, "not-the-secret")
	noBucket := storageAs(b.Endpoint, "no-such-bucket", minio.MinIOAccessKey, minio.MinIOSecretKey)
	for name, s := range map[string]*s3storage.Storage{"refused credentials": wrongKey, "a missing bucket": noBucket} {
		calls := map[string]error{}
		_, _, calls["Peek"] = s.Peek(ctx, "uploads/p/f", 16)
		calls["Put"] = s.Put(ctx, "uploads/p/g", []byte("x"), "text/plain", "")
		_, _, calls["List"] = s.List(ctx, "uploads/", "", 10)
		_, calls["StartMultipart"] = s.StartMultipart(ctx, "uploads/p/g", "text/plain", false)
		calls["Delete"] = s.Delete(ctx, "uploads/p/f")
		for call, err := range calls {
			if err == nil || files.KindOf(err) != files.KindInternal || errors.Is(err, files.ErrObjectMissing) {
				t.Errorf("%s, %s: %v (kind %d), want an internal error", name, call, err, files.KindOf(err))
			}
		}
	}
	if _, head, err := b.Peek(ctx, "uploads/p/f", 16); err != nil || string(head) != "x" {
		t.Errorf("the object after the refused calls: %q, %v", head, err)
	}
}

// The scan's reads: Open streams the bytes, ObjectTag reads one tag; and
// validation's Peek leaves out the scanner's tags once told to ignore them
// (a scanner may tag an object before validation reads it), not others.
func TestScanReadsAndScannerTags(t *testing.T) {
	b := MustOpenBucket(t)
	ctx := context.Background()
	tag := func(key, tagging string) {
		t.Helper()
		_, err := b.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.Name, Key: &key, Body: bytes.NewReader([]byte("bytes")), ContentType: strp("text/plain"), Tagging: &tagging})
		if err != nil {
			t.Fatal(err)
		}
	}
	tag("uploads/p/scanned", "GuardDutyMalwareScanStatus=NO_THREATS_FOUND")
	tag("uploads/p/both", "GuardDutyMalwareScanStatus=NO_THREATS_FOUND&mine=1")
	rc, err := b.Open(ctx, "uploads/p/scanned")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "bytes" {
		t.Errorf("Open read %q", got)
	}
	if _, err := b.Open(ctx, "uploads/p/none"); !errors.Is(err, files.ErrObjectMissing) {
		t.Errorf("Open of a missing object: %v, want ErrObjectMissing", err)
	}
	if v, ok, err := b.ObjectTag(ctx, "uploads/p/scanned", "GuardDutyMalwareScanStatus"); err != nil || !ok || v != "NO_THREATS_FOUND" {
		t.Errorf("ObjectTag: %q %v %v", v, ok, err)
	}
	if _, ok, err := b.ObjectTag(ctx, "uploads/p/scanned", "other"); err != nil || ok {
		t.Errorf("ObjectTag of a tag it lacks: %v %v", ok, err)
	}
	if info, _, err := b.Peek(ctx, "uploads/p/scanned", 4); err != nil || info.Metadata["x-amz-tagging"] != "1 tags" {
		t.Errorf("Peek not ignoring scanner tags: %v, %v, want the tag counted", info.Metadata, err)
	}
	b.IgnoreScannerTags("GuardDutyMalwareScanStatus")
	for key, want := range map[string]string{"uploads/p/scanned": "", "uploads/p/both": "1 tags"} {
		if info, _, err := b.Peek(ctx, key, 4); err != nil || info.Metadata["x-amz-tagging"] != want {
			t.Errorf("Peek(%s) ignoring scanner tags: %v, %v, want x-amz-tagging %q", key, info.Metadata, err, want)
		}
	}
}
