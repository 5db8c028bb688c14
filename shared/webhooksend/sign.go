// Package webhooksend delivers webhooks: each attempt signed per the
// Standard Webhooks specification, over connections that can reach only
// public addresses (SSRF guard: at registration and, after DNS, at connect
// time in the dialer's Control hook), never following a redirect.
package webhooksend

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Signature is the webhook-signature header's value for one message: a
// "v1,<base64 HMAC-SHA256>" per key, space-separated (during a secret's
// rotation both keys sign; a receiver accepts any one that verifies). The
// signed content is id "." timestamp "." body, timestamp in Unix seconds.
func Signature(keys [][]byte, id string, ts time.Time, body []byte) string {
	signed := id + "." + strconv.FormatInt(ts.Unix(), 10) + "."
	sigs := make([]string, 0, len(keys))
	for _, k := range keys {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(signed))
		m.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}
