package compatapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/routeguard"
)

func TestDecodeListQuery(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  listParams
	}{
		{"", listParams{pageSize: 50, order: files.OrderCreatedDesc}},
		{"page_size=1&order_by=name", listParams{pageSize: 1, order: files.OrderNameAsc}},
		{"page_size=1000&order_by=id", listParams{pageSize: 1000, order: files.OrderIDAsc}},
		{"page_size=1001", listParams{pageSize: 1000, order: files.OrderCreatedDesc}},
		{"page_size=99999999999999999999999", listParams{pageSize: 1000, order: files.OrderCreatedDesc}},
		{"page_size=%2B7&order_by=created_at", listParams{pageSize: 7, order: files.OrderCreatedDesc}},
		{"page_size=%207.00%20", listParams{pageSize: 7, order: files.OrderCreatedDesc}},
		{"file_name=a%2Cb.pdf&external_file_id=x%2Cy&page_token=tok&unknown=1",
			listParams{pageSize: 50, order: files.OrderCreatedDesc, pageToken: "tok", filter: files.Filter{FileName: "a,b.pdf", ExternalFileID: "x,y"}}},
		{"file_ids=a&file_ids=b,c&file_ids[]=d&file_ids=%20e%20,,",
			listParams{pageSize: 50, order: files.OrderCreatedDesc, filter: files.Filter{FileIDs: []string{"a", "b", "c", "e", "d"}}}},
		{"file_ids=", listParams{pageSize: 50, order: files.OrderCreatedDesc}},
		{"expand=download_url", listParams{pageSize: 50, order: files.OrderCreatedDesc, expandURL: true}},
		{"expand[]=download_url&expand=", listParams{pageSize: 50, order: files.OrderCreatedDesc, expandURL: true}},
	} {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeListQuery(q)
		if err != nil {
			t.Errorf("%q: %v", tc.query, err)
			continue
		}
		if got.pageSize != tc.want.pageSize || got.order != tc.want.order || got.pageToken != tc.want.pageToken ||
			got.expandURL != tc.want.expandURL || got.filter.FileName != tc.want.filter.FileName ||
			got.filter.ExternalFileID != tc.want.filter.ExternalFileID || !slices.Equal(got.filter.FileIDs, tc.want.filter.FileIDs) {
			t.Errorf("%q: got %+v, want %+v", tc.query, got, tc.want)
		}
	}
}

func TestDecodeListQueryRefuses(t *testing.T) {
	for _, query := range []string{
		"page_size=0", "page_size=-1", "page_size=-99999999999999999999999",
		"order_by=size", "order_by=created_at%20asc", "order_by=created_at%20desc", "order_by=name,id", "order_by=name%20desc", "order_by=NAME",
		"expand=everything", "expand=download_url,owner",
		"file_ids=" + strings.Repeat("x,", files.MaxFileIDs+1),
	} {
		q, _ := url.ParseQuery(query)
		if _, err := decodeListQuery(q); statusFor(err) != 400 {
			t.Errorf("%.60q: err %v, want a 400", query, err)
		}
	}
	// No integer at all is FastAPI's 422, naming the parameter.
	for _, v := range []string{"", "ten", "1.5", "1e3", "1_000", "0x10"} {
		_, err := decodeListQuery(url.Values{"page_size": {v}})
		if f, ok := asFields(err); !ok || len(f) != 1 || f[0].Type != "int_parsing" || !slices.Equal(f[0].Loc, []any{"query", "page_size"}) || f[0].Input != v {
			t.Errorf("page_size=%q: %v, want a 422 int_parsing at query.page_size", v, err)
		}
	}
}

// POST /query's order_by is a list of fields, each ascending unless
// followed by desc, limited to what one index read can serve.
func TestQueryOrder(t *testing.T) {
	for v, want := range map[string]files.Order{
		"": files.OrderCreatedDesc, " ": files.OrderCreatedDesc,
		"created_at": files.OrderIDAsc, "created_at asc": files.OrderIDAsc, "id": files.OrderIDAsc, "created_at, name desc": files.OrderIDAsc,
		"created_at desc": files.OrderCreatedDesc, "id DESC": files.OrderCreatedDesc, " id  desc , name": files.OrderCreatedDesc,
		"name": files.OrderNameAsc, "name asc,created_at": files.OrderNameAsc, "name, id asc, created_at desc": files.OrderNameAsc,
		"name desc": files.OrderNameDesc, "name desc, created_at desc": files.OrderNameDesc, "name desc,id desc": files.OrderNameDesc,
	} {
		if got, err := queryOrder(v); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", v, got, err, want)
		}
	}
	for _, v := range []string{"size", "name, created_at desc", "name desc, id", "name, name", "created_at sideways", "name,,id", ",", "id desc desc", "Name"} {
		if _, err := queryOrder(v); err != errQueryOrder {
			t.Errorf("%q: err %v, want the list of supported orders", v, err)
		}
	}
}

func TestDecodeQueryBody(t *testing.T) {
	p, err := decodeQueryBody(strings.NewReader(`{"filter":{"file_name":"a.pdf","external_file_id":"e","file_ids":["x","y"],
		"data_source_id":"d","only_manually_uploaded":true,"project_id":"` + projectA + `"},"order_by":"name","page_size":5000,"page_token":"t"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := files.Filter{FileName: "a.pdf", ExternalFileID: "e", FileIDs: []string{"x", "y"}, DataSourceID: "d"}
	if p.pageSize != 1000 || p.order != files.OrderNameAsc || p.pageToken != "t" || p.projectID != projectA ||
		p.filter.FileName != want.FileName || p.filter.ExternalFileID != want.ExternalFileID || p.filter.DataSourceID != want.DataSourceID ||
		!slices.Equal(p.filter.FileIDs, want.FileIDs) {
		t.Errorf("got %+v", p)
	}
	for _, body := range []string{"", "{}", `{"filter":null,"order_by":null,"page_size":null,"page_token":null}`, `{"filter":{"file_ids":[]}}`} {
		p, err := decodeQueryBody(strings.NewReader(body))
		if err != nil || p.pageSize != defaultPageSize || p.order != files.OrderCreatedDesc || p.filter.FileIDs != nil {
			t.Errorf("%q: %+v %v", body, p, err)
		}
	}
	for body, want := range map[string]files.Order{`null`: files.OrderCreatedDesc, `{"order_by":"created_at"}`: files.OrderIDAsc, `{"order_by":"name desc","page_size":"7"}`: files.OrderNameDesc} {
		if p, err := decodeQueryBody(strings.NewReader(body)); err != nil || p.order != want {
			t.Errorf("%s: %+v %v", body, p, err)
		}
	}
	for body, status := range map[string]int{
		`{"page_size":0}`:     400,
		`{"order_by":"size"}`: 400,
		`{"page_token":"` + strings.Repeat("a", maxQueryBody) + `"}`: 413,
	} {
		if _, err := decodeQueryBody(strings.NewReader(body)); statusFor(err) != status {
			t.Errorf("%.40q: err %v, want a %d", body, err, status)
		}
	}
}

// Fields of the wrong type are FastAPI's 422, each at its path, all at once.
func TestDecodeQueryBodyTypeErrors(t *testing.T) {
	type entry struct {
		typ string
		loc []any
	}
	for body, want := range map[string][]entry{
		`{"page_size":2.5}`:                                           {{"int_from_float", []any{"body", "page_size"}}},
		`{"page_size":"ten"}`:                                         {{"int_parsing", []any{"body", "page_size"}}},
		`{"page_size":true}`:                                          {{"int_type", []any{"body", "page_size"}}},
		`{"order_by":7,"page_token":["t"]}`:                           {{"string_type", []any{"body", "page_token"}}, {"string_type", []any{"body", "order_by"}}},
		`{"filter":{"file_ids":"x"}}`:                                 {{"list_type", []any{"body", "filter", "file_ids"}}},
		`{"filter":{"file_ids":["a",3,null]}}`:                        {{"string_type", []any{"body", "filter", "file_ids", 1}}, {"string_type", []any{"body", "filter", "file_ids", 2}}},
		`{"filter":{"only_manually_uploaded":"maybe","file_name":1}}`: {{"string_type", []any{"body", "filter", "file_name"}}, {"bool_parsing", []any{"body", "filter", "only_manually_uploaded"}}},
		`{"filter":[]}`:                                               {{"model_attributes_type", []any{"body", "filter"}}},
		`[]`:                                                          {{"model_attributes_type", []any{"body"}}},
		`{} {}`:                                                       {{"json_invalid", []any{"body", int64(3)}}},
		`[`:                                                           {{"json_invalid", []any{"body", int64(1)}}},
	} {
		_, err := decodeQueryBody(strings.NewReader(body))
		fields, ok := asFields(err)
		var got []entry
		for _, f := range fields {
			got = append(got, entry{f.Type, f.Loc})
			if f.Msg == "" {
				t.Errorf("%s: %s has no message", body, f.Type)
			}
		}
		if !ok || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v (%v), want %v", body, got, err, want)
		}
	}
}

// signer presigns downloads: it reports the lifetime it was asked for.
type signer struct{}

func (signer) PresignDownload(_ context.Context, _ string, d files.Download) (files.Presigned, error) {
	return files.Presigned{ExpiresAt: time.Unix(0, 0).Add(d.Expires)}, nil
}

// expires_at_seconds as the content route hands it to the service, and the
// lifetime the URL then gets.
func TestURLLifetime(t *testing.T) {
	svc := files.NewDownloads(files.NewRecords(nil, files.Options{}), signer{}, files.Options{})
	for v, want := range map[string]int64{"": 300, "60": 60, "0": 1, "-5": 1, "2.9": 2, "3600": 3600, "3601": 3600, "999999999999": 3600, "Inf": 3600} {
		asked, err := askedLifetime(v)
		if err != nil {
			t.Errorf("%q: %v", v, err)
			continue
		}
		if (asked == nil) != (v == "") {
			t.Errorf("%q: asked for %v, want nil only when absent", v, asked)
		}
		u, err := svc.ContentURL(context.Background(), &files.File{}, asked)
		if got := int64(u.ExpiresAt.Sub(time.Unix(0, 0)).Seconds()); err != nil || got != want {
			t.Errorf("%q: a URL for %d s (%v), want %d s", v, got, err, want)
		}
	}
	for v, status := range map[string]int{"soon": 422, "1h": 422, "NaN": 400} {
		if _, err := askedLifetime(v); statusFor(err) != status {
			t.Errorf("%q: err %v, want a %d", v, err, status)
		}
	}
}

// statusFor is the status err is answered with.
func statusFor(err error) int {
	var e *files.Error
	if !errors.As(err, &e) {
		e = files.Internal(err)
	}
	status, _ := envelope(err, e, routeguard.Status(e.Kind))
	return status
}
