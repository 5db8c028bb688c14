package idempotency

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"

	"github.com/filegate/filegate/shared/files"
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
		t.Error("JSON bodies with other values must be other requests")
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

// The same JSON request is the same request however it is spelled: spacing,
// key order, and an empty body against {} (a bodiless cancel and the SDK's
// {} are one cancel). Other values are another request.
func TestSameJSONRequestWhateverItsSpelling(t *testing.T) {
	send := func(k *Keys, body, contentType string, calls *int) (*httptest.ResponseRecorder, error) {
		rr := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/v1/files/fil_X/cancel", strings.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		r.Header.Set(Header, "K")
		return rr, k.Serve(rr, r, "project#POST /v1/files/fil_X/cancel", ReplayStored, statuses(calls, http.StatusOK))
	}
	for _, tc := range []struct {
		name                  string
		first, second         string
		firstType, secondType string
	}{
		{"spacing", `{"md5":"a","sha256":"b"}`, "{ \"md5\" : \"a\",\n \"sha256\": \"b\" }", "application/json", "application/json"},
		{"key order", `{"md5":"a","sha256":"b"}`, `{"sha256":"b","md5":"a"}`, "application/json", "application/json"},
		{"nested key order", `{"multipart":{"partSizeBytes":5242880,"partChecksum":"SHA256"}}`, `{"multipart":{"partChecksum":"SHA256","partSizeBytes":5242880}}`, "application/json", "application/json"},
		{"no body, then {}", ``, `{}`, "", "application/json"},
		{"{}, then no body", `{}`, ``, "application/json", ""},
		{"charset parameter", `{"md5":"a"}`, `{"md5":"a"}`, "application/json", "application/json; charset=utf-8"},
	} {
		k, calls := newKeys(), 0
		if _, err := send(k, tc.first, tc.firstType, &calls); err != nil {
			t.Fatalf("%s: first: %v", tc.name, err)
		}
		rr, err := send(k, tc.second, tc.secondType, &calls)
		if err != nil || calls != 1 || rr.Header().Get("Idempotent-Replayed") != "true" {
			t.Errorf("%s: second: %v after %d runs, replayed %q; want the stored answer", tc.name, err, calls, rr.Header().Get("Idempotent-Replayed"))
		}
	}
	for _, other := range []string{`{"md5":"b"}`, `{"md5":"a","extra":1}`, `{"md5":["a"]}`, `{"sizeBytes":10}`} {
		k, calls := newKeys(), 0
		send(k, `{"md5":"a"}`, "application/json", &calls)
		if _, err := send(k, other, "application/json", &calls); files.KindOf(err) != files.KindConflict || calls != 1 {
			t.Errorf("%s after {\"md5\":\"a\"}: %v after %d runs, want a conflict", other, err, calls)
		}
	}
	// Numbers keep their spelling: 10 and 1e1 decode differently.
	if fingerprint("", "application/json", []byte(`{"sizeBytes":10}`)) == fingerprint("", "application/json", []byte(`{"sizeBytes":1e1}`)) {
		t.Error("10 and 1e1 must stay different requests")
	}
}
