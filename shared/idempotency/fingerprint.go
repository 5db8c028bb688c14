package idempotency

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
)

// fingerprint identifies a request for "same request?" checks: everything
// that can change its outcome besides the method and path (the scope holds
// those), that is its query and body, each compared as what it means rather
// than its bytes. The query's parameters are compared in key order. A JSON
// body is compared as parsed JSON: a client that re-encodes a retry with
// other spacing or key order, or sends {} where another sent nothing (a
// bodiless cancel), makes the same request; numbers keep their spelling (10
// and 1e1 decode differently). A multipart body is hashed by its parts
// (names, filenames, declared types, contents), not its bytes: a client
// retrying an upload rebuilds the form with a new random boundary, and that
// must still count as the same request. Any other body is its bytes.
func fingerprint(rawQuery, contentType string, body []byte) string {
	h := sha256.New()
	writeField(h, canonicalQuery(rawQuery))
	mt, params, err := mime.ParseMediaType(contentType)
	if err == nil && mt == "multipart/form-data" && params["boundary"] != "" && hashParts(h, body, params["boundary"]) == nil {
		return "mp:" + hex.EncodeToString(h.Sum(nil))
	}
	h.Reset()
	writeField(h, canonicalQuery(rawQuery))
	if canon, ok := canonicalJSON(body); ok {
		h.Write(canon)
		return "json:" + hex.EncodeToString(h.Sum(nil))
	}
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// canonicalQuery is the query with its parameters in key order.
func canonicalQuery(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return raw
	}
	return q.Encode()
}

// canonicalJSON re-encodes a JSON body with object keys in order and no
// space (json.Marshal sorts map keys); an empty body is {}.
func canonicalJSON(body []byte) ([]byte, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		return []byte("{}"), true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	out, err := json.Marshal(v)
	return out, err == nil
}

// writeField writes v length-prefixed, so no two field lists hash alike.
func writeField(h io.Writer, v string) {
	io.WriteString(h, strconv.Itoa(len(v))+":"+v)
}

func hashParts(h io.Writer, body []byte, boundary string) error {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		content, err := io.ReadAll(p)
		if err != nil {
			return err
		}
		for _, field := range []string{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(content)} {
			writeField(h, field)
		}
	}
}
