package dynamostore

import (
	"maps"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

const (
	projA = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42"
	projB = "0c1b2a39-4d5e-4f60-8172-93a4b5c6d7e8"
	fid   = "fil_06H0EN1ZAP202AP5WPNPHXF894"
)

func TestPlanFor(t *testing.T) {
	for _, tc := range []struct {
		order  files.Order
		filter files.Filter
		index  string
		hash   string
		prefix string
		asc    bool
	}{
		{files.OrderCreatedDesc, files.Filter{}, IndexCompletedID, "P#" + projA, "", false},
		{files.OrderIDAsc, files.Filter{}, IndexCompletedID, "P#" + projA, "", true},
		{files.OrderNameAsc, files.Filter{}, IndexCompletedName, "P#" + projA, "", true},
		{files.OrderCreatedDesc, files.Filter{FileName: "a.pdf"}, IndexCompletedName, "P#" + projA, "a.pdf\x00", false},
		{files.OrderNameAsc, files.Filter{FileName: "a.pdf", ExternalFileID: "e"}, IndexExternalName, "P#" + projA + "#X#e", "a.pdf\x00", true},
		{files.OrderCreatedDesc, files.Filter{FileName: "a.pdf", ExternalFileID: "e"}, IndexExternalName, "P#" + projA + "#X#e", "a.pdf\x00", false},
		{files.OrderIDAsc, files.Filter{FileName: longName, ExternalFileID: "e"}, IndexCompletedName, "P#" + projA, nameKey(longName) + "\x00", true},
		{files.OrderNameDesc, files.Filter{}, IndexCompletedName, "P#" + projA, "", false},
		{files.OrderNameDesc, files.Filter{ExternalFileID: "e"}, IndexExternalName, "P#" + projA + "#X#e", "", false},
		{files.OrderIDAsc, files.Filter{ExternalFileID: "e#1"}, IndexExternalID, "P#" + projA + "#X#e#1", "", true},
		{files.OrderCreatedDesc, files.Filter{ExternalFileID: "e"}, IndexExternalID, "P#" + projA + "#X#e", "", false},
		{files.OrderNameAsc, files.Filter{ExternalFileID: "e"}, IndexExternalName, "P#" + projA + "#X#e", "", true},
	} {
		p := planFor(files.Query{ProjectID: projA, Order: tc.order, Filter: tc.filter})
		if p.index != tc.index || p.hashValue != tc.hash || p.prefix != tc.prefix || bool(p.order) != tc.asc {
			t.Errorf("%s %+v: plan %+v", tc.order, tc.filter, p)
		}
	}
}

// longName is longer than the index's name key.
var longName = strings.Repeat("😀", 230) + ".txt"

// A long name's exact filter, and the external id beside it, are checked on
// the server (both attributes are projected on ByCompletedName).
func TestPlanForFiltersWhatTheKeyCannot(t *testing.T) {
	p := planFor(files.Query{ProjectID: projA, Order: files.OrderIDAsc, Filter: files.Filter{FileName: longName, ExternalFileID: "e"}})
	if p.name != longName || p.ext != "e" {
		t.Errorf("plan %+v does not filter name and external id", p)
	}
	if p := planFor(files.Query{ProjectID: projA, Order: files.OrderIDAsc, Filter: files.Filter{FileName: "a.pdf", ExternalFileID: "e"}}); p.name != "" || p.ext != "" {
		t.Errorf("plan %+v filters what its key already selects", p)
	}
}

// CursorAfter names a record's entry exactly as the index's own key does.
func TestCursorAfterIsTheEntrysKey(t *testing.T) {
	f := &files.File{ID: fid, ProjectID: projA, Filename: "a.pdf", ExternalFileID: "e"}
	for _, q := range []files.Query{
		{ProjectID: projA, Order: files.OrderIDAsc},
		{ProjectID: projA, Order: files.OrderNameDesc},
		{ProjectID: projA, Order: files.OrderCreatedDesc, Filter: files.Filter{FileName: "a.pdf"}},
		{ProjectID: projA, Order: files.OrderIDAsc, Filter: files.Filter{FileName: "a.pdf", ExternalFileID: "e"}},
		{ProjectID: projA, Order: files.OrderNameAsc, Filter: files.Filter{ExternalFileID: "e"}},
		{ProjectID: projA, Order: files.OrderIDAsc, Filter: files.Filter{ExternalFileID: "e"}},
	} {
		item, err := ItemOf(&files.File{ID: f.ID, ProjectID: f.ProjectID, Filename: f.Filename, ExternalFileID: f.ExternalFileID, Status: files.StatusCompleted})
		if err != nil {
			t.Fatal(err)
		}
		p := planFor(q)
		c := (&Store{}).CursorAfter(q, f)
		if want := p.cursor(item); !maps.Equal(c, want) {
			t.Errorf("%+v: CursorAfter %q, the entry's key %q", q, c, want)
		}
		if _, err := p.startKey(projA, c); err != nil {
			t.Errorf("%+v: %v", q, err)
		}
	}
}

// A file_name + external_file_id token issued when that query read the
// project's catalog partition resumes the external id's partition, at the
// same position.
func TestStartKeyResumesTokensOfTheEarlierNamePlan(t *testing.T) {
	p := planFor(files.Query{ProjectID: projA, Order: files.OrderIDAsc, Filter: files.Filter{FileName: "a.pdf", ExternalFileID: "e"}})
	old := files.Cursor{"pk": "P#" + projA, "sk": "F#" + fid, "cpk": "P#" + projA, "cname": "a.pdf\x00" + fid}
	key, err := p.startKey(projA, old)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.cursor(dynamo.Item(key)); got["cxk"] != "P#"+projA+"#X#e" || got["cname"] != old["cname"] || got["sk"] != old["sk"] {
		t.Errorf("resumes at %q", got)
	}
	for what, c := range map[string]files.Cursor{
		"catalog partition of project B": {"pk": "P#" + projA, "sk": "F#" + fid, "cpk": "P#" + projB, "cname": "a.pdf\x00" + fid},
		"another name":                   {"pk": "P#" + projA, "sk": "F#" + fid, "cpk": "P#" + projA, "cname": "b.pdf\x00" + fid},
	} {
		if _, err := p.startKey(projA, c); err != files.ErrInvalidCursor {
			t.Errorf("%s: err %v, want ErrInvalidCursor", what, err)
		}
	}
	byID := planFor(files.Query{ProjectID: projA, Order: files.OrderIDAsc, Filter: files.Filter{ExternalFileID: "e"}})
	if _, err := byID.startKey(projA, files.Cursor{"pk": "P#" + projA, "sk": "F#" + fid, "cpk": "P#" + projA, "cid": fid}); err != files.ErrInvalidCursor {
		t.Errorf("a catalog-partition cursor resumed an external id's id plan: %v", err)
	}
}

// A cursor may only resume the query it came from, in the caller's partition.
func TestStartKeyStaysInThePartition(t *testing.T) {
	byID := planFor(files.Query{ProjectID: projA, Order: files.OrderIDAsc})
	byName := planFor(files.Query{ProjectID: projA, Order: files.OrderNameAsc, Filter: files.Filter{FileName: "a.pdf"}})
	byExt := planFor(files.Query{ProjectID: projA, Order: files.OrderIDAsc, Filter: files.Filter{ExternalFileID: "e"}})
	good := map[string]struct {
		p plan
		c files.Cursor
	}{
		"by id":   {byID, files.Cursor{"pk": "P#" + projA, "sk": "F#" + fid, "cpk": "P#" + projA, "cid": fid}},
		"by name": {byName, files.Cursor{"pk": "P#" + projA, "sk": "F#" + fid, "cpk": "P#" + projA, "cname": "a.pdf\x00" + fid}},
		"by ext":  {byExt, files.Cursor{"pk": "P#" + projA, "sk": "F#" + fid, "cxk": "P#" + projA + "#X#e", "cid": fid}},
	}
	for name, g := range good {
		key, err := g.p.startKey(projA, g.c)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if again := g.p.cursor(dynamo.Item(key)); !maps.Equal(again, g.c) {
			t.Errorf("%s: cursor round trip %v", name, again)
		}
	}
	with := func(c files.Cursor, k, v string) files.Cursor {
		c = maps.Clone(c)
		if v == "" {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	id, name, ext := good["by id"].c, good["by name"].c, good["by ext"].c
	for what, tc := range map[string]struct {
		p plan
		c files.Cursor
	}{
		"caller's project differs":   {byID, id}, // checked below with projB
		"table key of project B":     {byID, with(id, "pk", "P#"+projB)},
		"index key of project B":     {byID, with(id, "cpk", "P#"+projB)},
		"another external id":        {byExt, with(ext, "cxk", "P#"+projA+"#X#f")},
		"external id of project B":   {byExt, with(ext, "cxk", "P#"+projB+"#X#e")},
		"name outside the prefix":    {byName, with(name, "cname", "b.pdf\x00"+fid)},
		"name key of another file":   {byName, with(name, "cname", "a.pdf\x00fil_06H0EN1ZAP202AP5WPNPHXF895")},
		"id of another file":         {byID, with(id, "cid", "fil_06H0EN1ZAP202AP5WPNPHXF895")},
		"sort key not a file":        {byID, with(id, "sk", "COUNT")},
		"missing attribute":          {byID, with(id, "cid", "")},
		"extra attribute":            {byID, with(id, "lsk", fid)},
		"cursor of another index":    {byID, name},
		"cursor of a file_ids query": {byID, files.Cursor{"after": fid}},
	} {
		project := projA
		if what == "caller's project differs" {
			project = projB
		}
		if _, err := tc.p.startKey(project, tc.c); err != files.ErrInvalidCursor {
			t.Errorf("%s: err %v, want ErrInvalidCursor", what, err)
		}
	}
}

func TestNameKey(t *testing.T) {
	long := strings.Repeat("é", 255) // 510 bytes: kept whole
	if nameKey(long) != long {
		t.Error("a 510-byte name was cut")
	}
	huge := strings.Repeat("a", 899) + strings.Repeat("😀", 30) // 1019 bytes
	k := nameKey(huge)
	if len(k) > nameKeyBytes || !utf8.ValidString(k) || !strings.HasPrefix(huge, k) {
		t.Errorf("cut to %d bytes, valid %v", len(k), utf8.ValidString(k))
	}
	if sk := nameSortKey(huge, fid); len(sk) > 1024 {
		t.Errorf("sort key of %d bytes exceeds DynamoDB's 1024", len(sk))
	}
	if !(nameSortKey("a", fid) < nameSortKey("a b", fid) && nameSortKey("a b", fid) < nameSortKey("ab", fid)) {
		t.Error("names do not sort by name first")
	}
}
