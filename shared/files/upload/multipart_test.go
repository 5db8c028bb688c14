package upload

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

const partSize = files.MinPartBytes

// multipartFile is a PENDING multipart session of a 2½-part text file.
func multipartFile(t *testing.T, s *service, sum bool) (*files.File, []byte) {
	t.Helper()
	body := bytes.Repeat([]byte("lorem ipsum\n"), (2*partSize+partSize/2)/12)
	c, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "big.txt", MimeType: "text/plain", SizeBytes: int64(len(body))},
		Multipart: &files.MultipartPlan{PartSizeBytes: partSize, PartSHA256: sum}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Upload.URL != "" || c.File.Multipart == nil || c.File.Multipart.PartCount(c.File.SizeBytes) != 3 {
		t.Fatalf("multipart create answered %+v", c)
	}
	return c.File, body
}

func putParts(obj *memObjects, f *files.File, body []byte, numbers ...int) {
	for _, n := range numbers {
		off := int64(n-1) * partSize
		obj.putPart(f.Multipart.UploadID, n, body[off:off+f.Multipart.PartSize(f.SizeBytes, n)])
	}
}

func TestMultipartSessionCompletesFromStoredParts(t *testing.T) {
	ctx := context.Background()
	s, _, obj := newTestService()
	f, body := multipartFile(t, s, false)
	if got := f.UploadExpiresAt.Sub(f.CreatedAt); got != 24*time.Hour {
		t.Errorf("a multipart session lasts %s, want the default 24h", got)
	}
	_, urls, err := s.PartURLs(ctx, project, f.ID, []files.PartRequest{{Number: 3}})
	if err != nil || len(urls) != 1 || obj.lastPart.SizeBytes != int64(len(body))-2*partSize || obj.lastPart.Expires > 15*time.Minute {
		t.Fatalf("part 3's URL: %+v %v, signed %+v", urls, err, obj.lastPart)
	}
	putParts(obj, f, body, 1, 3)
	if _, parts, err := s.Parts(ctx, project, f.ID); err != nil || len(parts) != 2 || parts[1].Number != 3 {
		t.Fatalf("stored parts: %+v %v", parts, err)
	}
	var e *files.Error
	if _, err := s.Complete(ctx, project, f.ID, "", ""); !errors.As(err, &e) || e.Code != "parts_missing" || !strings.Contains(e.Message, "[2]") {
		t.Fatalf("complete without part 2: %v, want parts_missing naming it", err)
	}
	if _, err := s.Complete(ctx, project, f.ID, strings.Repeat("0", 32), ""); !errors.As(err, &e) || e.Field != files.FieldMD5 || e.Kind != files.KindInvalid {
		t.Fatalf("complete of a multipart file with md5: %v, want a 400 naming md5", err)
	}
	putParts(obj, f, body, 2)
	done, err := s.Complete(ctx, project, f.ID, "", "")
	if err != nil || done.Status != files.StatusCompleted {
		t.Fatalf("complete: %+v %v", done, err)
	}
	if got := obj.objects[f.ObjectKey].body; !bytes.Equal(got, body) {
		t.Error("the assembled object is not the file")
	}
	// A repeat (the first answer lost) finds the upload assembled and confirms.
	if again, err := s.Complete(ctx, project, f.ID, "", ""); err != nil || again.Status != files.StatusCompleted {
		t.Fatalf("repeated complete: %+v %v", again, err)
	}
}

func TestMultipartPartChecksumsAreRequiredAndSigned(t *testing.T) {
	ctx := context.Background()
	s, _, obj := newTestService()
	f, _ := multipartFile(t, s, true)
	var e *files.Error
	if _, _, err := s.PartURLs(ctx, project, f.ID, []files.PartRequest{{Number: 1}}); !errors.As(err, &e) || e.Field != files.FieldPartSHA256 || e.Item != 1 {
		t.Fatalf("a part URL without the part's sha256: %v", err)
	}
	const sum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	if _, _, err := s.PartURLs(ctx, project, f.ID, []files.PartRequest{{Number: 2, SHA256: sum}}); err != nil || obj.lastPart.SHA256 != sum {
		t.Fatalf("part 2 with its sha256: %v, signed %+v", err, obj.lastPart)
	}
	if _, _, err := s.PartURLs(ctx, project, f.ID, []files.PartRequest{{Number: 4, SHA256: sum}}); !errors.As(err, &e) || e.Code != "invalid_part_number" {
		t.Fatalf("part 4 of 3: %v", err)
	}
}

// Assembly that outlasts the request leaves the file PENDING (the 202); the
// S3 event settles it later.
func TestSlowAssemblyAnswersPending(t *testing.T) {
	s, _, obj := newTestService()
	f, body := multipartFile(t, s, false)
	putParts(obj, f, body, 1, 2, 3)
	obj.slowAssembly = true
	ctx, cancel := context.WithTimeout(context.Background(), assemblyReserve+200*time.Millisecond)
	defer cancel()
	got, err := s.Complete(ctx, project, f.ID, "", "")
	if err != nil || got.Status != files.StatusPending {
		t.Fatalf("complete while storage assembles: %+v %v, want the file PENDING", got, err)
	}
}

func TestCancelAbortsTheMultipartUpload(t *testing.T) {
	s, _, obj := newTestService()
	f, _ := multipartFile(t, s, false)
	if _, err := s.Cancel(context.Background(), project, f.ID); err != nil {
		t.Fatal(err)
	}
	if obj.hasUpload(f.Multipart.UploadID) {
		t.Error("the cancelled file's multipart upload is still open")
	}
}

func TestMultipartPlanBounds(t *testing.T) {
	s := newService(newMemStore(), newMemObjects(), files.Options{Config: files.Config{MaxBytes: files.MaxObjectBytes}})
	for _, tc := range []struct {
		name  string
		size  int64
		plan  *files.MultipartPlan
		code  string
		field files.Field
	}{
		{"single PUT past 5 GiB", files.MaxSinglePutBytes + 1, nil, "too_large_for_single_put", files.FieldSizeBytes},
		{"part below 5 MiB", 10 << 20, &files.MultipartPlan{PartSizeBytes: 1 << 20}, "invalid_part_size", files.FieldPartSize},
		{"more than 10,000 parts", files.MaxObjectBytes, &files.MultipartPlan{PartSizeBytes: partSize}, "too_many_parts", files.FieldPartSize},
	} {
		_, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.bin", MimeType: "application/octet-stream", SizeBytes: tc.size}, Multipart: tc.plan})
		var e *files.Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Field != tc.field {
			t.Errorf("%s: %v, want %s naming %s", tc.name, err, tc.code, tc.field)
		}
	}
	if _, err := s.Create(context.Background(), files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.bin", MimeType: "application/octet-stream", SizeBytes: files.MaxObjectBytes},
		Multipart: &files.MultipartPlan{PartSizeBytes: (files.MaxObjectBytes + files.MaxParts - 1) / files.MaxParts}}); err != nil {
		t.Errorf("5 TiB in 10,000 parts: %v", err)
	}
}

// A digest is verified only where storage checked it: a single PUT signs
// the declared sha256, the compat upload stores its bytes with theirs. A
// multipart file's whole-file sha256 (given at create or complete) is the
// client's claim, since storage checks each part and never the whole file.
func TestMultipartWholeFileSHA256IsAClaim(t *testing.T) {
	ctx := context.Background()
	s, _, obj := newTestService()
	f, body := multipartFile(t, s, false)
	putParts(obj, f, body, 1, 2, 3)
	claim := sha256Hex(body)
	done, err := s.Complete(ctx, project, f.ID, "", claim)
	if err != nil || done.VerifiedSHA256() != "" || done.ClaimedSHA256() != claim {
		t.Errorf("multipart: verified %q, claimed %q (%v); want the claim %s, nothing verified", done.VerifiedSHA256(), done.ClaimedSHA256(), err, claim)
	}

	c, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBody)), SHA256: sha256Hex(pdfBody)}})
	if err != nil || obj.lastUpload.SHA256 != sha256Hex(pdfBody) {
		t.Fatalf("single PUT: %v, signed %q", err, obj.lastUpload.SHA256)
	}
	obj.put(c.File.ObjectKey, "application/pdf", pdfBody)
	single, err := s.Complete(ctx, project, c.File.ID, "", "")
	if err != nil || single.VerifiedSHA256() != sha256Hex(pdfBody) || single.ClaimedSHA256() != "" {
		t.Errorf("single PUT: verified %q, claimed %q (%v); want the signed digest verified", single.VerifiedSHA256(), single.ClaimedSHA256(), err)
	}

	direct, err := s.UploadDirect(ctx, files.DirectUpload{ProjectID: project, Filename: "a.pdf", Purpose: "parse", Body: pdfBody})
	if err != nil || direct.VerifiedSHA256() != sha256Hex(pdfBody) || direct.ClaimedSHA256() != "" {
		t.Errorf("compat upload: verified %q, claimed %q (%v); want the stored bytes' digest verified", direct.VerifiedSHA256(), direct.ClaimedSHA256(), err)
	}
}
