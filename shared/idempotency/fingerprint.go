package idempotency

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
)

// fingerprint identifies a request for "same request?" checks: everything
// that can change its outcome besides the method and path (the scope holds
// those), that is its query and body. A multipart body is hashed by its parts
// (names, filenames, declared types, contents), not its bytes: a client
// retrying an upload rebuilds the form with a new random boundary, and that
// must still count as the same request.
func fingerprint(rawQuery, contentType string, body []byte) string {
	h := sha256.New()
	writeField(h, rawQuery)
	mt, params, err := mime.ParseMediaType(contentType)
	if err == nil && mt == "multipart/form-data" && params["boundary"] != "" && hashParts(h, body, params["boundary"]) == nil {
		return "mp:" + hex.EncodeToString(h.Sum(nil))
	}
	h.Reset()
	writeField(h, rawQuery)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
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
