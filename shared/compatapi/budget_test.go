package compatapi

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// escapedLen counts what encoding/json writes for a string without HTML
// escaping (aws-lambda-go's encoder), byte for byte, on every kind of
// character: each ASCII byte, the escapes, U+2028/9, multibyte and invalid
// UTF-8, and random mixes of them.
func TestEscapedLenIsWhatTheEnvelopeEncoderWrites(t *testing.T) {
	marshalled := func(s []byte) int {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(string(s)); err != nil {
			t.Fatal(err)
		}
		return buf.Len() - 3 // the quotes and the newline
	}
	cases := [][]byte{nil, []byte(`{"a":"<&>"}`), []byte("\u2028\u2029"), []byte("日本語📄"), {0xff, 0xfe, 'a'}, {0xe2, 0x80}}
	for c := range 128 {
		cases = append(cases, []byte{byte(c)})
	}
	alphabet := [][]byte{[]byte(`"`), []byte(`\`), []byte("\n"), {0x01}, []byte("a"), []byte("é"), []byte("𠀀"), []byte("\u2028"), {0x80}, {0xf0, 0x9f}}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var b []byte
		for range rng.IntN(40) {
			b = append(b, alphabet[rng.IntN(len(alphabet))]...)
		}
		cases = append(cases, b)
	}
	for _, c := range cases {
		if got, want := escapedLen(c), marshalled(c); got != want {
			t.Fatalf("escapedLen(%q) = %d, encoding/json writes %d", c, got, want)
		}
	}
}

// A page keeps items while they fit the budget, and always its first.
func TestPageItemsStopAtTheBudget(t *testing.T) {
	big := string(bytes.Repeat([]byte(`"`), pageBudget/3)) // ~2/3 of the budget escaped
	var p pageItems
	for i, want := range []bool{true, false} {
		ok, err := p.add(map[string]string{"name": big})
		if err != nil || ok != want {
			t.Fatalf("item %d: fits %v (%v), want %v", i, ok, err, want)
		}
	}
	var small pageItems
	huge := string(bytes.Repeat([]byte(`"`), pageBudget)) // over the budget alone
	if ok, _ := small.add(huge); !ok || len(small.items) != 1 {
		t.Fatalf("the first item did not fit")
	}
}
