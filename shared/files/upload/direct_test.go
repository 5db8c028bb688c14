package upload

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/filegate/filegate/shared/files"
)

func TestUploadDirect(t *testing.T) {
	ctx := context.Background()
	s, st, obj := newCompatService()
	f, err := s.UploadDirect(ctx, files.DirectUpload{ProjectID: project, Filename: "report.pdf", ContentType: "application/octet-stream", Purpose: "parse", ExternalFileID: "ext", Body: pdfBody})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := st.Get(ctx, project, f.ID)
	if f.Status != files.StatusCompleted || got.Status != files.StatusCompleted || f.MimeType != "application/pdf" || f.ExternalFileID != "ext" ||
		f.SizeBytes != int64(len(pdfBody)) || got.TTL != 0 || !obj.has(f.ObjectKey) || got.SHA256 != sha256Hex(pdfBody) {
		t.Fatalf("uploaded %+v, stored %+v", f, got)
	}
	// The object's S3 event, arriving afterwards, changes nothing.
	if out, err := s.ObjectCreated(ctx, f.ObjectKey); err != nil || out != Unchanged {
		t.Fatalf("the event after: %s (%v), want unchanged", out, err)
	}
	if again, _ := st.Get(ctx, project, f.ID); again.Status != files.StatusCompleted || !again.UpdatedAt.Equal(got.UpdatedAt) {
		t.Errorf("the event changed the file: %+v", again)
	}
}

// Invalid uploads write nothing: no record, no object.
func TestUploadDirectRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		in   files.DirectUpload
		kind files.Kind
		want string
	}{
		"empty":                   {files.DirectUpload{Filename: "a.txt", Purpose: "user_data"}, files.KindInvalid, "empty"},
		"no purpose":              {files.DirectUpload{Filename: "a.txt", Body: []byte("x")}, files.KindInvalid, "purpose is required"},
		"unknown purpose":         {files.DirectUpload{Filename: "a.txt", Purpose: "nope", Body: []byte("x")}, files.KindInvalid, "unknown purpose"},
		"bad filename":            {files.DirectUpload{Filename: "a\x01.txt", Purpose: "user_data", Body: []byte("x")}, files.KindInvalid, "control"},
		"long external id":        {files.DirectUpload{Filename: "a.txt", Purpose: "user_data", ExternalFileID: strings.Repeat("e", files.MaxExternalIDBytes+1), Body: []byte("x")}, files.KindInvalid, "at most 1024 bytes"},
		"too large":               {files.DirectUpload{Filename: "a.txt", Purpose: "user_data", Body: make([]byte, files.MaxDirectUploadBytes+1)}, files.KindTooLarge, "POST /v1/files"},
		"type not allowed":        {files.DirectUpload{Filename: "a.zip", Purpose: "sheet", Body: []byte("PK\x03\x04")}, files.KindInvalid, `purpose "sheet" does not accept application/zip`},
		"label contradicts bytes": {files.DirectUpload{Filename: "a.pdf", ContentType: "application/pdf", Purpose: "parse", Body: []byte("plain text")}, files.KindUnprocessable, "looks like text/plain"},
		"name contradicts bytes":  {files.DirectUpload{Filename: "a.csv", Purpose: "sheet", Body: pdfBody}, files.KindUnprocessable, "looks like application/pdf"},
	} {
		s, st, obj := newCompatService()
		tc.in.ProjectID = project
		_, err := s.UploadDirect(context.Background(), tc.in)
		var e *files.Error
		if !errors.As(err, &e) || e.Kind != tc.kind || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: err %v, want kind %d mentioning %q", name, err, tc.kind, tc.want)
		}
		if len(st.files) != 0 || len(obj.objects) != 0 {
			t.Errorf("%s: left %d records and %d objects", name, len(st.files), len(obj.objects))
		}
	}
}

func TestUploadDirectPutFails(t *testing.T) {
	s, st, obj := newCompatService()
	obj.failPut = files.Unavailable("object storage", errors.New("down"))
	_, err := s.UploadDirect(context.Background(), files.DirectUpload{ProjectID: project, Filename: "a.txt", Purpose: "user_data", Body: []byte("hi")})
	if files.KindOf(err) != files.KindUnavailable || len(st.files) != 0 {
		t.Errorf("err %v, %d records left", err, len(st.files))
	}
}

func TestDeclaredType(t *testing.T) {
	for _, tc := range []struct{ name, label, head, want string }{
		{"a.pdf", "application/pdf; charset=binary", "%PDF", "application/pdf"},
		{"a.csv", "TEXT/CSV", "a,b", "text/csv"},
		{"a.csv", "application/octet-stream", "a,b", "text/csv"},
		{"a.csv", "", "a,b", "text/csv"},
		{"a.CSV", "not a type", "a,b", "text/csv"},
		{"noext", "", "%PDF-1.4\n", "application/pdf"},
		{"noext", "", "hello", "text/plain"},
		{"a.unknown", "", "\x00\x01\x02", "application/octet-stream"},
	} {
		if got := declaredType(tc.name, tc.label, []byte(tc.head)); got != tc.want {
			t.Errorf("%q %q: %q, want %q", tc.name, tc.label, got, tc.want)
		}
	}
}

// A compat upload's name may be as long as LlamaCloud's File.name
// (maxLength 3000); a native create's filename stays at Lightfield's 255.
func TestNameLengthsPerAPI(t *testing.T) {
	s, _, _ := newCompatService()
	name := strings.Repeat("n", 2996) + ".txt"
	f, err := s.UploadDirect(context.Background(), files.DirectUpload{ProjectID: project, Filename: name, Purpose: "user_data", Body: []byte("hi\n")})
	if err != nil || f.Filename != name {
		t.Fatalf("a 3000-character name: %v", err)
	}
	_, err = s.UploadDirect(context.Background(), files.DirectUpload{ProjectID: project, Filename: "n" + name, Purpose: "user_data", Body: []byte("hi\n")})
	if files.KindOf(err) != files.KindInvalid {
		t.Errorf("a 3001-character name: %v, want invalid", err)
	}
}
