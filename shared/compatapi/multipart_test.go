package compatapi

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"

	"github.com/filegate/filegate/shared/files"
)

// part is one form part; filename "" makes a plain field.
type part struct{ name, filename, contentType, body string }

// form encodes parts as multipart/form-data and returns body and Content-Type.
func form(t testing.TB, parts ...part) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := `form-data; name="` + p.name + `"`
		if p.filename != "" {
			disp += `; filename="` + p.filename + `"`
		}
		h.Set("Content-Disposition", disp)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write([]byte(p.body))
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

func TestDecodeUpload(t *testing.T) {
	body, ct := form(t,
		part{name: "purpose", body: " parse "},
		part{name: "ignored", body: "x"},
		part{name: "file", filename: "dir/report.pdf", contentType: "application/pdf", body: "%PDF-1.4"},
		part{name: "external_file_id", body: "crm-42"},
	)
	got, err := decodeUpload(ct, body)
	if err != nil {
		t.Fatal(err)
	}
	if got.filename != "report.pdf" || got.contentType != "application/pdf" || string(got.body) != "%PDF-1.4" || got.purpose != "parse" || got.externalFileID != "crm-42" {
		t.Errorf("got %+v", got)
	}
}

func TestDecodeUploadRefuses(t *testing.T) {
	file := part{name: "file", filename: "a.txt", body: "hello"}
	purpose := part{name: "purpose", body: "user_data"}
	missingFile := fieldErr("missing", nil, "body", "file")
	missingPurpose := fieldErr("missing", nil, "body", "purpose")
	for name, tc := range map[string]struct {
		parts  []part
		ct     string // overrides the form's Content-Type
		raw    string // overrides the form's body
		kind   files.Kind
		want   string        // for 400s and 413s
		fields invalidFields // for FastAPI's 422s
	}{
		"no boundary":         {ct: "multipart/form-data", kind: files.KindInvalid, want: "boundary"},
		"truncated body":      {parts: []part{file, purpose}, raw: "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc", ct: "multipart/form-data; boundary=x", kind: files.KindInvalid, want: "malformed"},
		"two files":           {parts: []part{file, file, purpose}, kind: files.KindInvalid, want: "more than one file"},
		"two purposes":        {parts: []part{file, purpose, purpose}, kind: files.KindInvalid, want: "more than one purpose"},
		"long external id":    {parts: []part{file, purpose, {name: "external_file_id", body: strings.Repeat("e", maxFieldBytes+1)}}, kind: files.KindInvalid, want: "too long"},
		"file too large":      {parts: []part{{name: "file", filename: "big.bin", body: strings.Repeat("a", int(files.MaxDirectUploadBytes)+1)}, purpose}, kind: files.KindTooLarge, want: "/v1/files"},
		"json body":           {ct: "application/json", raw: `{"purpose":"parse"}`, fields: invalidFields{missingFile, missingPurpose}},
		"bad content type":    {ct: "multipart/form-data; boundary=", fields: invalidFields{missingFile, missingPurpose}},
		"garbage body":        {ct: "multipart/form-data; boundary=x", raw: "garbage", fields: invalidFields{missingFile, missingPurpose}},
		"no file":             {parts: []part{purpose}, fields: invalidFields{missingFile}},
		"no purpose":          {parts: []part{file}, fields: invalidFields{missingPurpose}},
		"blank purpose":       {parts: []part{file, {name: "purpose", body: "  "}}, fields: invalidFields{missingPurpose}},
		"file without a name": {parts: []part{{name: "file", body: "x"}}, fields: invalidFields{fieldErr("value_error", "x", "body", "file"), missingPurpose}},
	} {
		body, ct := form(t, tc.parts...)
		if tc.ct != "" {
			ct = tc.ct
		}
		if tc.raw != "" {
			body = []byte(tc.raw)
		}
		_, err := decodeUpload(ct, body)
		if tc.fields != nil {
			if got, _ := asFields(err); fmt.Sprint(got) != fmt.Sprint(tc.fields) {
				t.Errorf("%s: err %v, want 422 %v", name, err, tc.fields)
			}
			continue
		}
		if files.KindOf(err) != tc.kind || !strings.Contains(errMessage(err), tc.want) {
			t.Errorf("%s: err %v, want kind %d mentioning %q", name, err, tc.kind, tc.want)
		}
	}
}

func errMessage(err error) string {
	var e *files.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}
