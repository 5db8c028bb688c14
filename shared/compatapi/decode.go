package compatapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/filegate/filegate/shared/files"
)

// defaultPageSize is LlamaCloud's page size when none is given.
const defaultPageSize = 50

// listParams is a decoded listing request, from either the GET query string
// or the deprecated POST /query body.
type listParams struct {
	pageSize  int
	pageToken string
	order     files.Order
	filter    files.Filter
	projectID string // filter.project_id of the POST form; "" if absent
	expandURL bool
}

// decodeListQuery reads GET /api/v1/beta/files's query string. Unknown
// parameters are ignored, as LlamaCloud does; a page_size that is no integer
// is FastAPI's 422; bad values of known ones are 400.
func decodeListQuery(q url.Values) (listParams, error) {
	p := listParams{pageToken: q.Get("page_token"), filter: files.Filter{FileName: q.Get("file_name"), ExternalFileID: q.Get("external_file_id")}, pageSize: defaultPageSize}
	var err error
	if q.Has("page_size") {
		v := q.Get("page_size")
		n, ok := parseInt(v)
		if !ok {
			return p, invalidFields{fieldErr("int_parsing", v, "query", "page_size")}
		}
		if p.pageSize, err = pageSize(n); err != nil {
			return p, err
		}
	}
	if p.order, err = listOrder(q.Get("order_by")); err != nil {
		return p, err
	}
	if p.filter.FileIDs, err = fileIDs(append(q["file_ids"], q["file_ids[]"]...)); err != nil {
		return p, err
	}
	if p.expandURL, err = expand(q); err != nil {
		return p, err
	}
	return p, nil
}

// parseInt reads an integer from text as pydantic does: surrounding space,
// a sign and a fraction of zeros ("5.0") are fine. Values past int64 are
// clamped (page sizes are coerced anyway).
func parseInt(v string) (int64, bool) {
	s := strings.TrimSpace(v)
	if whole, frac, ok := strings.Cut(s, "."); ok && whole != "" && strings.Trim(frac, "0") == "" {
		s = whole
	}
	n, err := strconv.ParseInt(s, 10, 64)
	var ne *strconv.NumError
	if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
		return n, true // ParseInt returns the clamped value
	}
	return n, err == nil
}

// pageSize: larger than the maximum is coerced to it, as LlamaCloud
// documents; less than 1 is 400.
func pageSize(n int64) (int, error) {
	if n < 1 {
		return 0, files.Errorf(files.KindInvalid, "invalid_page_size", "page_size must be a positive integer (at most %d are returned)", files.MaxPageSize)
	}
	return int(min(n, files.MaxPageSize)), nil
}

// listOrder reads GET's order_by: exactly the three orders the client
// documents ("An explicit asc/desc modifier and multi-field ordering are not
// supported; anything else is rejected"). Default: newest first.
func listOrder(v string) (files.Order, error) {
	switch v {
	case "", "created_at":
		return files.OrderCreatedDesc, nil
	case "id":
		return files.OrderIDAsc, nil
	case "name":
		return files.OrderNameAsc, nil
	}
	return "", files.Errorf(files.KindInvalid, "invalid_order_by",
		"order_by must be one of name (ascending), id (ascending) or created_at (newest first); modifiers and lists of fields are taken only by POST /api/v1/beta/files/query")
}

// errQueryOrder names the orders POST /query can serve.
var errQueryOrder = files.Errorf(files.KindInvalid, "invalid_order_by",
	"order_by must be a comma-separated list of fields, each ascending unless followed by desc; supported: created_at or id (created_at = oldest first, created_at desc = newest first), "+
		"and name or name desc, optionally followed by created_at or id in the same direction")

// queryOrder reads POST /query's order_by: a comma-separated list of fields,
// each ascending unless followed by "desc" ("asc" may be written). The
// catalog reads one index forwards or backwards: by id (created_at is id
// order: IDs are time-ordered), or by name with ties in id order. So a list
// starts with created_at or id (what follows cannot reorder unique ids), or
// with name, whose tie-break may be spelled out in the same direction.
// Default: newest first.
func queryOrder(v string) (files.Order, error) {
	if strings.TrimSpace(v) == "" {
		return files.OrderCreatedDesc, nil
	}
	type term struct {
		field string
		desc  bool
	}
	var terms []term
	for _, part := range strings.Split(v, ",") {
		words := strings.Fields(part)
		if len(words) == 0 || len(words) > 2 {
			return "", errQueryOrder
		}
		t := term{field: words[0]}
		if len(words) == 2 {
			switch strings.ToLower(words[1]) {
			case "asc":
			case "desc":
				t.desc = true
			default:
				return "", errQueryOrder
			}
		}
		switch t.field {
		case "created_at", "id", "name":
		default:
			return "", errQueryOrder
		}
		terms = append(terms, t)
	}
	first := terms[0]
	if first.field != "name" {
		return pick(first.desc, files.OrderCreatedDesc, files.OrderIDAsc), nil
	}
	if len(terms) > 1 && (terms[1].field == "name" || terms[1].desc != first.desc) {
		return "", errQueryOrder
	}
	return pick(first.desc, files.OrderNameDesc, files.OrderNameAsc), nil
}

func pick(desc bool, ifDesc, ifAsc files.Order) files.Order {
	if desc {
		return ifDesc
	}
	return ifAsc
}

// fileIDs merges the repeated, comma-separated and file_ids[] forms; no ids
// at all means no id filter.
func fileIDs(values []string) ([]string, error) {
	var ids []string
	for _, v := range values {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) > files.MaxFileIDs {
		return nil, files.Errorf(files.KindInvalid, "too_many_file_ids", "file_ids may list at most %d ids", files.MaxFileIDs)
	}
	return ids, nil
}

// expand accepts download_url, the one expansion Filegate has.
func expand(q url.Values) (bool, error) {
	on := false
	for _, v := range append(q["expand"], q["expand[]"]...) {
		for _, e := range strings.Split(v, ",") {
			switch strings.TrimSpace(e) {
			case "":
			case "download_url":
				on = true
			default:
				return false, files.Errorf(files.KindInvalid, "invalid_expand", "expand supports only download_url")
			}
		}
	}
	return on, nil
}

// maxQueryBody caps the POST /query body: a full file_ids list fits easily.
const maxQueryBody = 256 << 10

// decodeQueryBody reads the deprecated POST form: {filter: {data_source_id,
// external_file_id, file_ids, file_name, only_manually_uploaded,
// project_id}, order_by, page_size, page_token}, every field optional. Fields
// of the wrong type are FastAPI's 422, reported together. Every Filegate file
// is manually uploaded (none has a data source), so only_manually_uploaded
// never narrows, and a data_source_id matches nothing.
func decodeQueryBody(r io.Reader) (listParams, error) {
	p := listParams{pageSize: defaultPageSize, order: files.OrderCreatedDesc}
	raw, err := io.ReadAll(io.LimitReader(r, maxQueryBody+1))
	if err != nil {
		return p, files.Errorf(files.KindInvalid, "invalid_body", "could not read the request body")
	}
	if len(raw) > maxQueryBody {
		return p, files.Errorf(files.KindTooLarge, "body_too_large", "the request body exceeds %d bytes", maxQueryBody)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return p, nil
	}
	var root any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil || dec.More() {
		return p, invalidFields{fieldErr("json_invalid", map[string]any{}, "body", jsonErrorOffset(raw))}
	}
	var b bodyFields
	body := b.object(root, "body")
	if len(b.errs) > 0 {
		return p, b.errs
	}
	p.pageToken = b.str(body["page_token"], "body", "page_token")
	orderBy := b.str(body["order_by"], "body", "order_by")
	n, hasSize := b.integer(body["page_size"], "body", "page_size")
	if f := b.object(body["filter"], "body", "filter"); f != nil {
		p.filter = files.Filter{
			FileName:       b.str(f["file_name"], "body", "filter", "file_name"),
			ExternalFileID: b.str(f["external_file_id"], "body", "filter", "external_file_id"),
			DataSourceID:   b.str(f["data_source_id"], "body", "filter", "data_source_id"),
		}
		p.projectID = b.str(f["project_id"], "body", "filter", "project_id")
		if _, problem := parseUUID(p.projectID); p.projectID != "" && problem != "" {
			b.errs = append(b.errs, uuidParsing(p.projectID, problem, "body", "filter", "project_id"))
		}
		b.boolean(f["only_manually_uploaded"], "body", "filter", "only_manually_uploaded")
		p.filter.FileIDs = b.strings(f["file_ids"], "body", "filter", "file_ids")
	}
	if len(b.errs) > 0 {
		return p, b.errs
	}
	if hasSize {
		if p.pageSize, err = pageSize(n); err != nil {
			return p, err
		}
	}
	if p.order, err = queryOrder(orderBy); err != nil {
		return p, err
	}
	p.filter.FileIDs, err = fileIDs(p.filter.FileIDs)
	return p, err
}

// jsonErrorOffset is where raw stops being JSON, as FastAPI's loc reports
// it: the index of the offending character (Go counts it as read), or the
// length when the input ends early.
func jsonErrorOffset(raw []byte) int64 {
	var syntax *json.SyntaxError
	if err := json.Unmarshal(raw, new(any)); errors.As(err, &syntax) && syntax.Offset > 0 && syntax.Offset <= int64(len(raw)) &&
		!strings.HasPrefix(syntax.Error(), "unexpected end") {
		return syntax.Offset - 1
	}
	return int64(len(raw))
}

// bodyFields reads a decoded JSON body field by field as pydantic's lax mode
// does, collecting what is of the wrong type; null counts as absent.
type bodyFields struct{ errs invalidFields }

func (b *bodyFields) fail(typ string, v any, loc []any) {
	b.errs = append(b.errs, fieldErr(typ, v, loc...))
}

func (b *bodyFields) object(v any, loc ...any) map[string]any {
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		b.fail("model_attributes_type", v, loc)
	}
	return m
}

func (b *bodyFields) str(v any, loc ...any) string {
	s, ok := v.(string)
	if !ok && v != nil {
		b.fail("string_type", v, loc)
	}
	return s
}

// integer accepts JSON integers, floats without a fraction and integer
// strings; given is false when absent or null.
func (b *bodyFields) integer(v any, loc ...any) (n int64, given bool) {
	switch x := v.(type) {
	case nil:
		return 0, false
	case string:
		if n, ok := parseInt(x); ok {
			return n, true
		}
		b.fail("int_parsing", v, loc)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, true
		}
		if f, err := x.Float64(); err == nil || math.IsInf(f, 0) {
			if f != math.Trunc(f) {
				b.fail("int_from_float", v, loc)
				return 0, false
			}
			return int64(max(min(f, 1<<53), -1<<53)), true // beyond, page sizes are coerced anyway
		}
		b.fail("int_parsing", v, loc)
	default:
		b.fail("int_type", v, loc)
	}
	return 0, false
}

func (b *bodyFields) boolean(v any, loc ...any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "1", "on", "t", "true", "y", "yes":
			return true
		case "0", "off", "f", "false", "n", "no":
			return false
		}
		b.fail("bool_parsing", v, loc)
	case json.Number:
		switch x.String() {
		case "1", "1.0":
			return true
		case "0", "0.0":
			return false
		}
		b.fail("bool_parsing", v, loc)
	default:
		b.fail("bool_type", v, loc)
	}
	return false
}

// strings reads a list of strings; each wrong item is its own entry.
func (b *bodyFields) strings(v any, loc ...any) []string {
	list, ok := v.([]any)
	if !ok {
		if v != nil {
			b.fail("list_type", v, loc)
		}
		return nil
	}
	out := make([]string, 0, len(list))
	for i, item := range list {
		at := append(slices.Clone(loc), i)
		if item == nil { // null is absent only as a field, not as an item
			b.fail("string_type", item, at)
			continue
		}
		out = append(out, b.str(item, at...))
	}
	return out
}
