package compatapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
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
// parameters are ignored, as LlamaCloud does; bad values of known ones are 400.
func decodeListQuery(q url.Values) (listParams, error) {
	p := listParams{pageToken: q.Get("page_token"), filter: files.Filter{FileName: q.Get("file_name"), ExternalFileID: q.Get("external_file_id")}}
	var err error
	if p.pageSize, err = pageSize(q.Get("page_size"), q.Has("page_size")); err != nil {
		return p, err
	}
	if p.order, err = orderBy(q.Get("order_by")); err != nil {
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

// pageSize: default 50; larger than the maximum is coerced to it, as
// LlamaCloud documents; not a positive integer is 400.
func pageSize(v string, given bool) (int, error) {
	if !given {
		return defaultPageSize, nil
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64)
	var ne *strconv.NumError
	if errors.As(err, &ne) && ne.Err == strconv.ErrRange && !strings.HasPrefix(v, "-") {
		return files.MaxPageSize, nil
	}
	if err != nil || n < 1 {
		return 0, files.Errorf(files.KindInvalid, "invalid_page_size", "page_size must be a positive integer (at most %d are returned)", files.MaxPageSize)
	}
	return int(min(n, files.MaxPageSize)), nil
}

// orderBy accepts the three orders LlamaCloud documents (default: newest
// first) and their explicit spellings; anything else is 400.
func orderBy(v string) (files.Order, error) {
	switch strings.Join(strings.Fields(strings.ToLower(v)), " ") {
	case "", "created_at", "created_at desc":
		return files.OrderCreatedDesc, nil
	case "id", "id asc":
		return files.OrderIDAsc, nil
	case "name", "name asc":
		return files.OrderNameAsc, nil
	}
	return "", files.Errorf(files.KindInvalid, "invalid_order_by", "order_by must be one of name (ascending), id (ascending) or created_at (newest first)")
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

// queryBody is POST /api/v1/beta/files/query's body.
type queryBody struct {
	Filter *struct {
		DataSourceID         *string  `json:"data_source_id"`
		ExternalFileID       *string  `json:"external_file_id"`
		FileIDs              []string `json:"file_ids"`
		FileName             *string  `json:"file_name"`
		OnlyManuallyUploaded *bool    `json:"only_manually_uploaded"`
		ProjectID            *string  `json:"project_id"`
	} `json:"filter"`
	OrderBy   *string      `json:"order_by"`
	PageSize  *json.Number `json:"page_size"`
	PageToken *string      `json:"page_token"`
}

// maxQueryBody caps the POST /query body: a full file_ids list fits easily.
const maxQueryBody = 256 << 10

// decodeQueryBody reads the deprecated POST form. Every Filegate file is
// manually uploaded (none has a data source), so only_manually_uploaded
// never narrows, and a data_source_id matches nothing.
func decodeQueryBody(r io.Reader) (listParams, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxQueryBody+1))
	if err != nil {
		return listParams{}, files.Errorf(files.KindInvalid, "invalid_body", "could not read the request body")
	}
	if len(raw) > maxQueryBody {
		return listParams{}, files.Errorf(files.KindTooLarge, "body_too_large", "the request body exceeds %d bytes", maxQueryBody)
	}
	var b queryBody
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&b); err != nil || dec.More() {
			return listParams{}, files.Errorf(files.KindInvalid, "invalid_json", "the request body must be a JSON object of filter, order_by, page_size and page_token")
		}
	}
	p := listParams{pageToken: deref(b.PageToken)}
	if p.pageSize, err = pageSize(string(deref(b.PageSize)), b.PageSize != nil); err != nil {
		return p, err
	}
	if p.order, err = orderBy(deref(b.OrderBy)); err != nil {
		return p, err
	}
	if f := b.Filter; f != nil {
		p.filter = files.Filter{FileName: deref(f.FileName), ExternalFileID: deref(f.ExternalFileID), DataSourceID: deref(f.DataSourceID)}
		p.projectID = deref(f.ProjectID)
		if p.filter.FileIDs, err = fileIDs(f.FileIDs); err != nil {
			return p, err
		}
	}
	return p, nil
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}
