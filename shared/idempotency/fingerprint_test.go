package idempotency

import (
	"bytes"
	"mime/multipart"
	"testing"
)

func form(t *testing.T, boundary, content string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary(boundary); err != nil {
		t.Fatal(err)
	}
	fw, _ := mw.CreateFormFile("file", "a.pdf")
	fw.Write([]byte(content))
	mw.WriteField("purpose", "parse")
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

func TestFingerprint(t *testing.T) {
	ct1, b1 := form(t, "boundary-one", "%PDF-1.4 same")
	ct2, b2 := form(t, "boundary-two", "%PDF-1.4 same")
	ct3, b3 := form(t, "boundary-one", "%PDF-1.4 other")
	if fingerprint(ct1, b1) != fingerprint(ct2, b2) {
		t.Error("the same form with another boundary must be the same request")
	}
	if fingerprint(ct1, b1) == fingerprint(ct3, b3) {
		t.Error("another file must be another request")
	}
	if fingerprint("application/json", []byte(`{"a":1}`)) == fingerprint("application/json", []byte(`{"a":2}`)) {
		t.Error("JSON bodies must be hashed as bytes")
	}
	if fingerprint(ct1, []byte("not multipart at all")) == "" {
		t.Error("a broken multipart body still needs a fingerprint")
	}
}
