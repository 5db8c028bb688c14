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
