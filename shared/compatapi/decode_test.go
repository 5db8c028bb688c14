package compatapi

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/filegate/filegate/shared/files"
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
		{"order_by=created_at%20desc", listParams{pageSize: 50, order: files.OrderCreatedDesc}},
		{"order_by=NAME", listParams{pageSize: 50, order: files.OrderNameAsc}},
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
		"page_size=0", "page_size=-1", "page_size=", "page_size=ten", "page_size=1.5", "page_size=1e3",
		"page_size=-99999999999999999999999",
		"order_by=size", "order_by=created_at%20asc", "order_by=name,id", "order_by=name%20desc",
		"expand=everything", "expand=download_url,owner",
		"file_ids=" + strings.Repeat("x,", files.MaxFileIDs+1),
	} {
		q, _ := url.ParseQuery(query)
		if _, err := decodeListQuery(q); files.KindOf(err) != files.KindInvalid {
			t.Errorf("%.60q: err %v, want a 400", query, err)
		}
	}
}

func TestDecodeQueryBody(t *testing.T) {
	p, err := decodeQueryBody(strings.NewReader(`{"filter":{"file_name":"a.pdf","external_file_id":"e","file_ids":["x","y"],
		"data_source_id":"d","only_manually_uploaded":true,"project_id":"p"},"order_by":"name","page_size":5000,"page_token":"t"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := files.Filter{FileName: "a.pdf", ExternalFileID: "e", FileIDs: []string{"x", "y"}, DataSourceID: "d"}
	if p.pageSize != 1000 || p.order != files.OrderNameAsc || p.pageToken != "t" || p.projectID != "p" ||
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
	for _, tc := range []struct {
		body string
		kind files.Kind
	}{
		{`{"page_size":0}`, files.KindInvalid},
		{`{"page_size":2.5}`, files.KindInvalid},
		{`{"page_size":"ten"}`, files.KindInvalid},
		{`{"order_by":"size"}`, files.KindInvalid},
		{`{"filter":{"file_ids":"x"}}`, files.KindInvalid},
		{`{"filter":[]}`, files.KindInvalid},
		{`{} {}`, files.KindInvalid},
		{`[`, files.KindInvalid},
		{`{"page_token":"` + strings.Repeat("a", maxQueryBody) + `"}`, files.KindTooLarge},
	} {
		if _, err := decodeQueryBody(strings.NewReader(tc.body)); files.KindOf(err) != tc.kind {
			t.Errorf("%.40q: err %v, want kind %d", tc.body, err, tc.kind)
		}
	}
}

func TestURLLifetime(t *testing.T) {
	for v, want := range map[string]int64{"": 0, "60": 60, "0": 1, "-5": 1, "2.9": 2, "999999999999": 7 * 24 * 3600, "Inf": 7 * 24 * 3600} {
		got, err := urlLifetime(v)
		if err != nil || int64(got.Seconds()) != want {
			t.Errorf("%q: %v %v, want %d s", v, got, err, want)
		}
	}
	for _, v := range []string{"soon", "NaN", "1h"} {
		if _, err := urlLifetime(v); files.KindOf(err) != files.KindInvalid {
			t.Errorf("%q: err %v, want a 400", v, err)
		}
	}
}
