package nativeapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/files"
)

func TestPageParams(t *testing.T) {
	for q, want := range map[string][2]int{
		"":                  {25, 0},
		"limit=1":           {1, 0},
		"limit=25&offset=7": {25, 7},
	} {
		l, o, err := pageParams(httptest.NewRequest("GET", "/v1/files?"+q, nil))
		if err != nil || l != want[0] || o != want[1] {
			t.Errorf("%q: %d %d %v", q, l, o, err)
		}
	}
	for _, q := range []string{"limit=0", "limit=26", "limit=-1", "limit=1e1", "offset=-1", "offset=x", "offset=99999999999999999999"} {
		if _, _, err := pageParams(httptest.NewRequest("GET", "/v1/files?"+q, nil)); files.KindOf(err) != files.KindInvalid {
			t.Errorf("%q: err %v, want invalid", q, err)
		}
	}
}

func TestDecodeBody(t *testing.T) {
	for _, tc := range []struct {
		body string
		kind files.Kind // KindInternal means "no error"
	}{
		{"", files.KindInternal},
		{`{"filename":"a","mimeType":"b","sizeBytes":3,"extra":true}`, files.KindInternal},
		{`{"sizeBytes":"3"}`, files.KindInvalid},
		{`{"sizeBytes":1.5}`, files.KindInvalid},
		{`{} {}`, files.KindInvalid},
		{`[`, files.KindInvalid},
		{`{"filename":"` + strings.Repeat("a", maxBody) + `"}`, files.KindTooLarge},
	} {
		var req createRequest
		err := decodeBody(jsonRequest(tc.body), &req)
		if (err == nil) != (tc.kind == files.KindInternal) || (err != nil && files.KindOf(err) != tc.kind) {
			t.Errorf("%.40q: err %v, want kind %d", tc.body, err, tc.kind)
		}
	}
}

func FuzzDecodeCreate(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"filename":"a.pdf","mimeType":"application/pdf","sizeBytes":10,"purpose":"parse"}`, `{"sizeBytes":-1}`, `null`, `"x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var req createRequest
		err := decodeBody(jsonRequest(body), &req)
		if err != nil && files.KindOf(err) == files.KindInternal {
			t.Fatalf("decode error is internal (would be a 500): %v", err)
		}
	})
}

func FuzzPageParams(f *testing.F) {
	for _, s := range []string{"", "limit=25&offset=0", "limit=26", "offset=-1", "limit=%zz", "limit=1&limit=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := httptest.NewRequest("GET", "/v1/files", nil)
		r.URL.RawQuery = rawQuery
		limit, offset, err := pageParams(r)
		if err == nil && (limit < 1 || limit > 25 || offset < 0) {
			t.Fatalf("%q accepted as limit %d offset %d", rawQuery, limit, offset)
		}
		if err != nil && files.KindOf(err) != files.KindInvalid {
			t.Fatalf("%q: %v is not a 400", rawQuery, err)
		}
	})
}

// FuzzDecodeBodies seeds from the events/ samples' bodies, so every sample
// request is in the corpus.
func FuzzDecodeBodies(f *testing.F) {
	for _, name := range []string{"create-file", "complete-file", "cancel-file"} {
		raw, err := os.ReadFile("../../events/" + name + ".json")
		if err != nil {
			f.Fatal(err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			f.Fatal(err)
		}
		f.Add(ev.Body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, v := range []any{&createRequest{}, &completeRequest{}} {
			err := decodeBody(jsonRequest(body), v)
			if err != nil && files.KindOf(err) == files.KindInternal {
				t.Fatalf("decode error is internal: %v", err)
			}
		}
	})
}

// Bodies must be JSON (415 otherwise, naming Content-Type); a field of the
// wrong type is named as the param.
func TestDecodeBodyNamesWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		contentType, body string
		kind              files.Kind
		param             string
	}{
		{"application/x-www-form-urlencoded", "filename=a.pdf", files.KindUnsupportedMediaType, "Content-Type"},
		{"text/plain", `{"filename":"a.pdf"}`, files.KindUnsupportedMediaType, "Content-Type"},
		{"application/json", `{"sizeBytes":"ten"}`, files.KindInvalid, "sizeBytes"},
		{"application/json", `{"retentionExpiresAt":"tomorrow"}`, files.KindInvalid, "retentionExpiresAt"},
		{"application/json", `"a string"`, files.KindInvalid, ""},
		{"application/json; charset=utf-8", `{"sizeBytes":3}`, files.KindInternal, ""},
		{"application/merge-patch+json", `{"sizeBytes":3}`, files.KindUnsupportedMediaType, "Content-Type"},
		{"", `{"sizeBytes":3}`, files.KindUnsupportedMediaType, "Content-Type"},
		{"", ``, files.KindInternal, ""},
		{"text/plain", ``, files.KindInternal, ""}, // no body, nothing to refuse
	} {
		r := httptest.NewRequest("POST", "/v1/files", strings.NewReader(tc.body))
		r.Header.Set("Content-Type", tc.contentType)
		var req createRequest
		err := decodeBody(r, &req)
		var e *files.Error
		if tc.kind == files.KindInternal {
			if err != nil {
				t.Errorf("%s %s: %v, want accepted", tc.contentType, tc.body, err)
			}
			continue
		}
		if !errors.As(err, &e) || e.Kind != tc.kind || e.Param != tc.param {
			t.Errorf("%s %s: %+v, want kind %d param %q", tc.contentType, tc.body, err, tc.kind, tc.param)
		}
	}
}

// jsonRequest is a POST of body labelled JSON, as the SDKs send it.
func jsonRequest(body string) *http.Request {
	r := httptest.NewRequest("POST", "/v1/files", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}
