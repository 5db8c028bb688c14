package files

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Every refused declaration names the input at fault (the native dialect's
// param) and, for sizes, the bound in its code; none is worth retrying.
func TestCreateRefusalsNameTheirInput(t *testing.T) {
	s, st, _ := newTestService()
	past := time.Now().Add(-time.Hour)
	ok := CreateInput{ProjectID: project, Filename: "a.txt", MimeType: "text/plain", SizeBytes: 10}
	for _, tc := range []struct {
		name        string
		edit        func(*CreateInput)
		code, param string
	}{
		{"empty filename", func(in *CreateInput) { in.Filename = "" }, "invalid_filename", "filename"},
		{"control character", func(in *CreateInput) { in.Filename = "a\x00" }, "invalid_filename", "filename"},
		{"mime type", func(in *CreateInput) { in.MimeType = "pdf" }, "invalid_mime_type", "mimeType"},
		{"unknown purpose", func(in *CreateInput) { in.Purpose = "nope" }, "invalid_purpose", "purpose"},
		{"size below 1", func(in *CreateInput) { in.SizeBytes = 0 }, "invalid_size", "sizeBytes"},
		{"size past the maximum", func(in *CreateInput) { in.SizeBytes = DefaultMaxBytes + 1 }, "too_large", "sizeBytes"},
		{"size past the purpose's limit", func(in *CreateInput) { in.Purpose, in.SizeBytes = "meeting_transcript", 50*mib+1 }, "too_large_for_purpose", "sizeBytes"},
		{"type the purpose refuses", func(in *CreateInput) { in.Filename, in.Purpose, in.MimeType = "a.zip", "sheet", "application/zip" }, "type_not_allowed", "mimeType"},
		{"type the extension contradicts", func(in *CreateInput) { in.MimeType = "application/pdf" }, "type_extension_mismatch", "mimeType"},
		{"retention in the past", func(in *CreateInput) { in.RetainUntil = &past }, "invalid_retention", "retentionExpiresAt"},
	} {
		in := ok
		tc.edit(&in)
		_, err := s.Create(context.Background(), in)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindInvalid || e.Code != tc.code || e.Param != tc.param || RetryOf(err) != RetryNever {
			t.Errorf("%s: %+v, want invalid %s naming %s", tc.name, err, tc.code, tc.param)
		}
	}
	if len(st.files) != 0 {
		t.Errorf("refused declarations left %d records", len(st.files))
	}
	in := ok
	in.SizeBytes = DefaultMaxBytes // the bound itself is allowed
	if _, err := s.Create(context.Background(), in); err != nil {
		t.Errorf("sizeBytes at the maximum: %v", err)
	}
}

func TestRetryOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Retry
	}{
		{ErrObjectMissing, RetryLater},
		{ErrConditionFailed, RetryLater},
		{Unavailable("storage", errors.New("throttled")), RetryLater},
		{Errorf(KindConflict, "invalid_state", "only a PENDING file can be cancelled"), RetryNever},
		{Errorf(KindInvalid, "invalid_md5", "md5"), RetryNever},
		{ErrNotFound, RetryNever},
		{Internal(errors.New("bug")), RetryUnknown},
		{errors.New("not ours"), RetryUnknown},
	} {
		if got := RetryOf(tc.err); got != tc.want {
			t.Errorf("RetryOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	if p := Errorf(KindInvalid, "x", "y").WithParam("limit"); p.Param != "limit" || ErrNotFound.WithParam("id").Param != "id" || ErrNotFound.Param != "" {
		t.Error("WithParam must copy, never change the original")
	}
}
