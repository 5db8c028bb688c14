package compatapi

import (
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// LlamaCloud declares its ids (file_id in the path, organization_id and
// project_id in the query) as UUIDs, so FastAPI refuses any other value with
// pydantic's uuid_parsing before a handler runs. pydantic parses with Rust's
// uuid crate: what follows is that crate's grammar (hyphenated, simple,
// {braced} and urn:uuid: forms) and its error messages.

// parseUUID reads v as the uuid crate does; problem is its error message
// when v is none.
func parseUUID(v string) (b [16]byte, problem string) {
	s, offset, simple := v, 0, true
	switch {
	case len(v) == 38 && v[0] == '{' && v[37] == '}':
		s, offset, simple = v[1:37], 1, false
	case len(v) == 45 && strings.HasPrefix(v, "urn:uuid:"):
		s, offset, simple = v[9:], 9, false
	}
	digits := s
	if len(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' {
		digits = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if len(digits) == 32 && (len(s) == 36 || simple) {
		if _, err := hex.Decode(b[:], []byte(digits)); err == nil {
			return b, ""
		}
	}
	return b, uuidProblem(v, s, offset, simple)
}

// uuidProblem is the uuid crate's account of why s (v without its brace or
// urn prefix, which took offset bytes) is no UUID: the first character that
// is neither a hex digit nor a hyphen, else a length or grouping.
func uuidProblem(v, s string, offset int, simple bool) string {
	if !utf8.ValidString(v) {
		return "non-UTF8 input"
	}
	var hyphens []int
	for i, r := range s {
		switch {
		case r == '-':
			hyphens = append(hyphens, i)
		case r >= utf8.RuneSelf || !isHex(byte(r)):
			return fmt.Sprintf("invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `%c` at %d", r, i+offset+1)
		}
	}
	if len(hyphens) == 0 && simple {
		return fmt.Sprintf("invalid length: expected length 32 for simple format, found %d", len(v))
	}
	if len(hyphens) != 4 {
		return fmt.Sprintf("invalid group count: expected 5, found %d", len(hyphens)+1)
	}
	starts := [5]int{0, 9, 14, 19, 24}
	want := [5]int{8, 4, 4, 4, 12}
	for g := range 4 {
		if hyphens[g] != starts[g+1]-1 {
			return fmt.Sprintf("invalid group length in group %d: expected %d, found %d", g, want[g], hyphens[g]-starts[g])
		}
	}
	return fmt.Sprintf("invalid group length in group 4: expected 12, found %d", len(s)-starts[4])
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// uuidParsing is pydantic's 422 entry for a value at loc that is no UUID.
func uuidParsing(v, problem string, loc ...any) fieldError {
	e := fieldErr("uuid_parsing", v, loc...)
	e.Msg += ", " + problem
	e.Ctx = map[string]any{"error": problem}
	return e
}
