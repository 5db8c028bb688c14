package idempotency

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
)

// fingerprint identifies a request body for "same request?" checks. A
// multipart body is hashed by its parts (names, filenames, contents), not its
// bytes: a client retrying an upload rebuilds the form with a new random
// boundary, and that must still count as the same request.
func fingerprint(contentType string, body []byte) string {
	h := sha256.New()
	mt, params, err := mime.ParseMediaType(contentType)
	if err == nil && mt == "multipart/form-data" && params["boundary"] != "" && hashParts(h, body, params["boundary"]) == nil {
		return "mp:" + hex.EncodeToString(h.Sum(nil))
	}
	h.Reset()
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func hashParts(h io.Writer, body []byte, boundary string) error {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		content, err := io.ReadAll(p)
		if err != nil {
			return err
		}
		// Length-prefixed fields, so no two different forms hash alike.
		for _, field := range []string{p.FormName(), p.FileName(), string(content)} {
			io.WriteString(h, strconv.Itoa(len(field))+":"+field)
		}
	}
}
