package compatapi

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/filegate/filegate/shared/files"
)

// A listing page must fit in what Lambda returns: 6,291,456 bytes for the
// function's whole JSON envelope (status, headers, and the body as one
// escaped JSON string), past which the invocation fails and API Gateway
// answers 500. page_size allows 1,000 files, and one file with a
// 3,000-character name and its download URL takes up to ~75 KB, so a page
// is bounded by its size as well as its count: it ends before the file that
// would pass pageBudget, with a token continuing after the last file it
// holds (never empty: one file is far under the budget).
const (
	// envelopeReserve is left for everything around the items: status and
	// headers, total_size, and next_page_token (whose cursor holds at most
	// files.NameSortBytes of a name: under 8 KiB encoded).
	envelopeReserve = 64 << 10
	pageBudget      = int(files.LambdaSyncPayloadBytes) - envelopeReserve
)

// pageItems collects a page's items, rendered, while they fit the budget.
type pageItems struct {
	items []json.RawMessage
	used  int // bytes the items take inside the envelope's body string
	buf   bytes.Buffer
}

// add renders item and keeps it if it fits; the first item always fits.
func (p *pageItems) add(item any) (bool, error) {
	p.buf.Reset()
	enc := json.NewEncoder(&p.buf)
	enc.SetEscapeHTML(false) // as jsonwire.Write encodes the body
	if err := enc.Encode(item); err != nil {
		return false, err
	}
	raw := bytes.TrimSuffix(p.buf.Bytes(), []byte("\n"))
	cost := escapedLen(raw) + 1 // and the comma before the next
	if len(p.items) > 0 && p.used+cost > pageBudget {
		return false, nil
	}
	p.used += cost
	p.items = append(p.items, bytes.Clone(raw))
	return true, nil
}

// escapedLen is how many bytes b takes inside a JSON string as
// encoding/json writes it without HTML escaping (aws-lambda-go's encoder of
// the response envelope): quote and backslash two, \b \f \n \r \t two,
// other control characters six (\u00XX), U+2028 and U+2029 six, invalid
// UTF-8 six a byte (\ufffd), the rest as they are.
func escapedLen(b []byte) int {
	n := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t':
				n += 2
			case c < 0x20:
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			n += 6
		} else {
			n += size
		}
		i += size
	}
	return n
}
