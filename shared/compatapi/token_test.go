package compatapi

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/filegate/filegate/shared/files"
)

const (
	projectA = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42"
	projectB = "0c1b2a39-4d5e-4f60-8172-93a4b5c6d7e8"
)

func TestPageTokenRoundTrip(t *testing.T) {
	fp := fingerprint(files.OrderNameAsc, files.Filter{FileName: "a.pdf"})
	c := files.Cursor("a.pdf\x00fil_x")
	got, err := decodeToken(encodeToken(projectA, fp, c), projectA, fp)
	if err != nil || got != c {
		t.Fatalf("round trip: %q %v", got, err)
	}
}

// A token carries no storage names: neither DynamoDB attribute names nor
// the store's key prefixes are in it, encoded or not.
func TestPageTokenIsOpaque(t *testing.T) {
	fp := fingerprint(files.OrderNameAsc, files.Filter{FileName: "a.pdf"})
	raw, err := base64.RawURLEncoding.DecodeString(encodeToken(projectA, fp, files.Cursor("a.pdf\x00fil_x")))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{`"pk"`, `"sk"`, `"cpk"`, `"cxk"`, `"cid"`, `"cname"`, "P#", "F#"} {
		if strings.Contains(string(raw), name) {
			t.Errorf("token %q shows %s", raw, name)
		}
	}
}

func TestPageTokenRefusals(t *testing.T) {
	fp := fingerprint(files.OrderIDAsc, files.Filter{})
	c := files.Cursor("fil_x")
	valid := encodeToken(projectA, fp, c)
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, tc := range map[string]struct {
		token, project, query string
		want                  error
	}{
		"not base64":         {"%%%", projectA, fp, errTokenMalformed},
		"padded base64":      {valid + "==", projectA, fp, errTokenMalformed},
		"not JSON":           {enc("hello"), projectA, fp, errTokenMalformed},
		"wrong version":      {enc(`{"v":3,"p":"` + projectA + `","q":"` + fp + `","a":"x"}`), projectA, fp, errTokenMalformed},
		"version 1":          {enc(`{"v":1,"p":"` + projectA + `","q":"` + fp + `","a":{"pk":"P#` + projectA + `"}}`), projectA, fp, errTokenMalformed},
		"no cursor":          {enc(`{"v":2,"p":"` + projectA + `","q":"` + fp + `"}`), projectA, fp, errTokenMalformed},
		"cursor not strings": {enc(`{"v":2,"p":"` + projectA + `","q":"` + fp + `","a":{"pk":1}}`), projectA, fp, errTokenMalformed},
		"too long":           {string(make([]byte, maxTokenLen+1)), projectA, fp, errTokenMalformed},
		"foreign project":    {valid, projectB, fp, errTokenProject},
		"other order":        {valid, projectA, fingerprint(files.OrderNameAsc, files.Filter{}), errTokenQuery},
		"other filter":       {valid, projectA, fingerprint(files.OrderIDAsc, files.Filter{ExternalFileID: "e"}), errTokenQuery},
	} {
		if _, err := decodeToken(tc.token, tc.project, tc.query); !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", name, err, tc.want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	same := [][2]files.Filter{
		{{FileIDs: []string{"a", "b"}}, {FileIDs: []string{"b", "a", "a"}}},
	}
	for _, p := range same {
		if fingerprint(files.OrderIDAsc, p[0]) != fingerprint(files.OrderIDAsc, p[1]) {
			t.Errorf("%+v and %+v should share a fingerprint", p[0], p[1])
		}
	}
	differ := []files.Filter{{}, {FileIDs: []string{}}, {FileIDs: []string{"a"}}, {FileName: "a"}, {ExternalFileID: "a"}, {DataSourceID: "a"}}
	seen := map[string]int{}
	for i, f := range differ {
		fp := fingerprint(files.OrderIDAsc, f)
		if j, ok := seen[fp]; ok {
			t.Errorf("filters %d and %d share a fingerprint", j, i)
		}
		seen[fp] = i
	}
}

// A page token has exactly one valid spelling, the one the API issued:
// other base64 spellings of its bytes (unused low bits set, a line break)
// and other JSON spellings of its content (spacing, key order, letter case
// of keys, escapes, duplicate keys) are refused as malformed.
func TestPageTokenHasOneSpelling(t *testing.T) {
	fp := fingerprint(files.OrderIDAsc, files.Filter{})
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for _, cursor := range []files.Cursor{"fil_x", "fil_xy", "fil_xyz"} { // every length mod 3
		valid := encodeToken(projectA, fp, cursor)
		if _, err := decodeToken(valid, projectA, fp); err != nil {
			t.Fatalf("the issued token: %v", err)
		}
		raw, _ := base64.RawURLEncoding.DecodeString(valid)
		variants := map[string]string{
			"a line break":    valid[:4] + "\n" + valid[4:],
			"a trailing CRLF": valid + "\r\n",
			"spaces":          enc(strings.ReplaceAll(string(raw), ",", ", ")),
			"keys reordered":  enc(`{"a":"` + string(cursor) + `","v":2,"p":"` + projectA + `","q":"` + fp + `"}`),
			"upper-case keys": enc(strings.Replace(string(raw), `"v":`, `"V":`, 1)),
			"an escape":       enc(strings.Replace(string(raw), `"fil_`, `"\u0066il_`, 1)),
			"a duplicate key": enc(strings.Replace(string(raw), `{`, `{"a":"fil_other",`, 1)),
		}
		unused := map[int]int{2: 4, 3: 2}[len(valid)%4]
		last := strings.IndexByte(alphabet, valid[len(valid)-1])
		for low := 1; low < 1<<unused; low++ {
			variants["low bits "+string(rune('0'+low))] = valid[:len(valid)-1] + string(alphabet[last^low])
		}
		for name, token := range variants {
			if token == valid {
				t.Fatalf("%s: not a respelling", name)
			}
			if c, err := decodeToken(token, projectA, fp); !errors.Is(err, errTokenMalformed) {
				t.Errorf("cursor %q, %s: %q %v, want errTokenMalformed", cursor, name, c, err)
			}
		}
	}
}
