package compatapi

import (
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/filegate/filegate/shared/files"
)

// The decoders face the internet: whatever arrives, they answer with a
// client error (never a 5xx) or with values inside the documented bounds.

func FuzzDecodeListQuery(f *testing.F) {
	for _, s := range []string{"", "page_size=10&order_by=name", "page_size=0", "page_size=99999999999999999999",
		"file_ids=a,b&file_ids[]=c", "expand=download_url", "order_by=created_at%20desc", "%zz", "page_size=-1&order_by=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // the adapter would not deliver it
		}
		p, err := decodeListQuery(q)
		if err != nil {
			if st := statusFor(err); st != 400 && st != 422 {
				t.Fatalf("error %v is a %d, not a 400/422", err, st)
			}
			return
		}
		if p.pageSize < 1 || p.pageSize > files.MaxPageSize || !p.order.Valid() || len(p.filter.FileIDs) > files.MaxFileIDs {
			t.Fatalf("out of bounds: %+v", p)
		}
		for _, id := range p.filter.FileIDs {
			if id == "" || strings.Contains(id, ",") {
				t.Fatalf("file id %q", id)
			}
		}
	})
}

func FuzzDecodeQueryBody(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"filter":{"file_ids":["a"],"file_name":"x"},"order_by":"name","page_size":5,"page_token":"t"}`,
		`{"page_size":1e400}`, `{"page_size":"7"}`, `null`, `[]`, `{"filter":{"only_manually_uploaded":"yes"}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		p, err := decodeQueryBody(strings.NewReader(body))
		if err != nil {
			if st := statusFor(err); st != 400 && st != 413 && st != 422 {
				t.Fatalf("error %v is a %d, not a 400/413/422", err, st)
			}
			return
		}
		if p.pageSize < 1 || p.pageSize > files.MaxPageSize || !p.order.Valid() {
			t.Fatalf("out of bounds: %+v", p)
		}
	})
}

func FuzzDecodeUpload(f *testing.F) {
	valid, ct := form(f, part{name: "file", filename: "a.pdf", contentType: "application/pdf", body: "%PDF-1.4"}, part{name: "purpose", body: "parse"}, part{name: "external_file_id", body: "e"})
	f.Add(ct, valid)
	f.Add(ct, valid[:len(valid)/2])
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc\r\n--x--\r\n"))
	f.Add("application/json", []byte(`{}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		form, err := decodeUpload(contentType, body)
		if err != nil {
			if st := statusFor(err); st != 400 && st != 413 && st != 422 {
				t.Fatalf("error %v is a %d, not a 400/413/422", err, st)
			}
			return
		}
		if form.filename == "" || form.purpose == "" || int64(len(form.body)) > files.MaxDirectUploadBytes || len(form.externalFileID) > maxFieldBytes {
			t.Fatalf("accepted an invalid form: %+v", form)
		}
	})
}

func FuzzDecodeToken(f *testing.F) {
	fp := fingerprint(files.OrderIDAsc, files.Filter{})
	f.Add(encodeToken(projectA, fp, files.Cursor("fil_x")))
	f.Add(encodeToken(projectB, fp, files.Cursor("a.pdf\x00fil_x")))
	f.Add("")
	f.Add("eyJ2IjoxfQ")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := decodeToken(token, projectA, fp)
		if err != nil {
			if files.KindOf(err) != files.KindInvalid {
				t.Fatalf("error %v is not a 400", err)
			}
			return
		}
		if len(c) == 0 {
			t.Fatal("accepted a token without a cursor")
		}
		if encodeToken(projectA, fp, c) != token {
			t.Fatal("accepted a token spelled otherwise than the API spells it")
		}
		// Only a token that names project A and this query gets through.
		if again, err := decodeToken(encodeToken(projectA, fp, c), projectA, fp); err != nil || len(again) != len(c) {
			t.Fatalf("re-encoding the cursor fails: %v", err)
		}
		if _, err := decodeToken(token, projectB, fp); err == nil {
			t.Fatal("the same token is accepted for another project")
		}
	})
}

// FuzzParseUUID: whatever a client sends as an id, parseUUID either reads
// 16 bytes that spell it (in one of the uuid crate's forms) or says why not,
// never both and never neither.
func FuzzParseUUID(f *testing.F) {
	for _, s := range []string{"0190f1c2-0000-7000-8000-000000000000", "0190f1c2000070008000000000000000", "{0190f1c2-0000-7000-8000-000000000000}",
		"urn:uuid:0190f1c2-0000-7000-8000-000000000000", "not-a-uuid", "0190f1c2-000-7000-8000-000000000000", "", "é", "{}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		b, problem := parseUUID(v)
		if problem != "" {
			return
		}
		digits := strings.NewReplacer("-", "", "{", "", "}", "", "urn:uuid:", "").Replace(strings.ToLower(v))
		if hex.EncodeToString(b[:]) != digits {
			t.Fatalf("%q read as %x", v, b)
		}
	})
}
