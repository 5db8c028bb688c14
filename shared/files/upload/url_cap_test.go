package upload

import (
	"context"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Every presigned URL lives at most an hour, whatever the configuration asks
// (it is signed with the Lambda role's temporary credentials and dies with
// them: docs/ARCHITECTURE.md "Limits and lifetimes"), and a single-PUT session ends with its URL.
func TestEveryURLLivesAtMostAnHour(t *testing.T) {
	week := 7 * 24 * time.Hour
	st, obj := newMemStore(), newMemObjects()
	s := newService(st, obj, files.Options{Config: files.Config{UploadURLTTL: week, DownloadURLTTL: week}})
	ctx := context.Background()
	latest := time.Now().Add(time.Hour + time.Second)
	c, err := s.Create(ctx, files.CreateInput{ProjectID: project, Declared: files.Declared{Filename: "a.pdf", MimeType: "application/pdf", SizeBytes: int64(len(pdfBody))}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Upload.ExpiresAt.After(latest) {
		t.Errorf("upload URL expires at %v, past an hour from now", c.Upload.ExpiresAt)
	}
	if c.File.UploadExpiresAt.After(c.Upload.ExpiresAt) {
		t.Errorf("the session ends at %v, after its only URL (%v)", c.File.UploadExpiresAt, c.Upload.ExpiresAt)
	}
	obj.put(c.File.ObjectKey, "application/pdf", pdfBody)
	if _, err := s.Complete(ctx, project, c.File.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	u, err := s.DownloadURL(ctx, project, c.File.ID)
	if err != nil || u.ExpiresAt.After(latest) {
		t.Errorf("download URL expires at %v (%v), past an hour from now", u.ExpiresAt, err)
	}
	f, err := s.Get(ctx, project, c.File.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, asked := range []*time.Duration{nil, ptr(2 * time.Hour), &week} {
		u, err := s.ContentURL(ctx, f, asked)
		if err != nil || u.ExpiresAt.After(latest) {
			t.Errorf("content URL asked for %v expires at %v (%v), past an hour from now", asked, u.ExpiresAt, err)
		}
	}
}
