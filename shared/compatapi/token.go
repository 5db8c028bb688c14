package compatapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"

	"github.com/filegate/filegate/shared/files"
)

// pageToken is what next_page_token carries, base64url-encoded JSON. It is
// bound to its tenant and its query: decoding checks both, and the store
// then reads from the cursor only inside the caller's own partition, so a
// token (however crafted) can only continue the caller's own listing. The
// cursor is an opaque position (no storage names); version 1 tokens, which
// carried the store's key attributes, are refused as malformed.
type pageToken struct {
	Version int          `json:"v"`
	Project string       `json:"p"`
	Query   string       `json:"q"` // fingerprint of order and filter
	After   files.Cursor `json:"a"`
}

const (
	tokenVersion = 2
	// maxTokenLen bounds what is decoded; real tokens are well under 2 KiB.
	maxTokenLen = 8 << 10
)

var (
	errTokenMalformed = files.Errorf(files.KindInvalid, "invalid_page_token", "page_token is malformed; pass next_page_token from the previous page unchanged")
	errTokenProject   = files.Errorf(files.KindInvalid, "invalid_page_token", "page_token was issued for another project")
	errTokenQuery     = files.Errorf(files.KindInvalid, "invalid_page_token", "page_token was issued for a different order_by or filter; repeat the query it came from")
)

// fingerprint identifies a listing's order and filter; page size may change
// between pages, these may not. File ids count as a set.
func fingerprint(o files.Order, f files.Filter) string {
	ids := slices.Clone(f.FileIDs)
	slices.Sort(ids)
	raw, _ := json.Marshal([]any{o, f.FileName, f.ExternalFileID, f.DataSourceID, f.FileIDs != nil, slices.Compact(ids)})
	sum := sha256.Sum256(raw)
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

func encodeToken(projectID, query string, c files.Cursor) string {
	raw, _ := json.Marshal(pageToken{Version: tokenVersion, Project: projectID, Query: query, After: c})
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeToken returns the cursor of a token made for this project and query.
func decodeToken(s, projectID, query string) (files.Cursor, error) {
	if len(s) > maxTokenLen {
		return "", errTokenMalformed
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return "", errTokenMalformed
	}
	var t pageToken
	if err := json.Unmarshal(raw, &t); err != nil || t.Version != tokenVersion || t.After == "" {
		return "", errTokenMalformed
	}
	// A token has one spelling, the one encodeToken wrote: any other base64
	// (padding bits, line breaks) or JSON (spacing, key order or case,
	// escapes, duplicate keys) spelling of it is malformed.
	if encodeToken(t.Project, t.Query, t.After) != s {
		return "", errTokenMalformed
	}
	if t.Project != projectID {
		return "", errTokenProject
	}
	if t.Query != query {
		return "", errTokenQuery
	}
	return t.After, nil
}
