package idempotency

import (
	"bytes"
	"mime/multipart"
	"net/textproto"
	"testing"
)

func form(t *testing.T, boundary, content string) (string, []byte) {
	return typedForm(t, boundary, content, "application/octet-stream")
}

// typedForm is a file part declared as partType, and a purpose.
func typedForm(t *testing.T, boundary, content, partType string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary(boundary); err != nil {
		t.Fatal(err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="a.pdf"`)
	h.Set("Content-Type", partType)
	fw, _ := mw.CreatePart(h)
	fw.Write([]byte(content))
	mw.WriteField("purpose", "parse")
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

func TestFingerprint(t *testing.T) {
	ct1, b1 := form(t, "boundary-one", "%PDF-1.4 same")
	ct2, b2 := form(t, "boundary-two", "%PDF-1.4 same")
	ct3, b3 := form(t, "boundary-one", "%PDF-1.4 other")
	if fingerprint("", ct1, b1) != fingerprint("", ct2, b2) {
		t.Error("the same form with another boundary must be the same request")
	}
	if fingerprint("", ct1, b1) == fingerprint("", ct3, b3) {
		t.Error("another file must be another request")
	}
	if fingerprint("", "application/json", []byte(`{"a":1}`)) == fingerprint("", "application/json", []byte(`{"a":2}`)) {
		t.Error("JSON bodies must be hashed as bytes")
	}
	ctPDF, bPDF := typedForm(t, "boundary-one", "%PDF-1.4 same", "application/pdf")
	ctText, bText := typedForm(t, "boundary-one", "%PDF-1.4 same", "text/plain")
	if fingerprint("", ctPDF, bPDF) == fingerprint("", ctText, bText) {
		t.Error("the file declared as another type must be another request")
	}
	if fingerprint("", ct1, []byte("not multipart at all")) == "" {
		t.Error("a broken multipart body still needs a fingerprint")
	}
}
