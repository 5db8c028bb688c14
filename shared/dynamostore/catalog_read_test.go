package dynamostore

import (
	"errors"
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
	f := &files.File{ID: files.MustParseFileID(fid), ProjectID: projA, Declared: files.Declared{Filename: "a.pdf"}, ExternalFileID: "e"}
	for _, q := range []files.Query{
		{ProjectID: projA, Order: files.OrderIDAsc},
		{ProjectID: projA, Order: files.OrderNameDesc},
		{ProjectID: projA, Order: files.OrderCreatedDesc, Filter: files.Filter{FileName: "a.pdf"}},
		{ProjectID: projA, Order: files.OrderIDAsc, Filter: files.Filter{FileName: "a.pdf", ExternalFileID: "e"}},
		{ProjectID: projA, Order: files.OrderNameAsc, Filter: files.Filter{ExternalFileID: "e"}},
		{ProjectID: projA, Order: files.OrderIDAsc, Filter: files.Filter{ExternalFileID: "e"}},
	} {
		item, err := ItemOf(&files.File{ID: f.ID, ProjectID: f.ProjectID, Declared: files.Declared{Filename: f.Filename}, ExternalFileID: f.ExternalFileID, Status: files.StatusCompleted})
		if err != nil {
			t.Fatal(err)
		}
		p := planFor(q)
		c := (&Store{}).CursorAfter(q, f)
		if want := p.cursor(item); c != want {
			t.Errorf("%+v: CursorAfter %q, the entry's key %q", q, c, want)
		}
		key, err := p.startKey(projA, c)
		if err != nil {
			t.Errorf("%+v: %v", q, err)
			continue
		}
		// The start key is the entry's own key, every attribute of it.
		for _, a := range []string{"pk", "sk", p.hashAttr, p.rangeAttr} {
			if got, want := str(key[a]), str(item[a]); got != want {
				t.Errorf("%+v: start key %s = %q, the entry's %q", q, a, got, want)
			}
		}
	}
}

// A cursor is a position in the plan's range and nothing more: it names no
// partition, so whatever a client puts in a token, the read stays in the
// caller's project and the query's partition; a position outside the
// query's range, or no file's, is refused.
func TestStartKeyStaysInThePartition(t *testing.T) {
	byID := planFor(files.Query{ProjectID: projA, Order: files.OrderIDAsc})
	byName := planFor(files.Query{ProjectID: projA, Order: files.OrderNameAsc, Filter: files.Filter{FileName: "a.pdf"}})
	byExt := planFor(files.Query{ProjectID: projA, Order: files.OrderIDAsc, Filter: files.Filter{ExternalFileID: "e"}})
	for name, tc := range map[string]struct {
		p plan
		c files.Cursor
	}{
		"by id":   {byID, files.Cursor(fid)},
		"by name": {byName, files.Cursor("a.pdf\x00" + fid)},
		"by ext":  {byExt, files.Cursor(fid)},
	} {
		for _, project := range []string{projA, projB} {
			key, err := tc.p.startKey(project, tc.c)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if got := str(key["pk"]); got != "P#"+project {
				t.Errorf("%s for %s: pk %q, want the caller's P#%s", name, project, got, project)
			}
			if got := str(key[tc.p.hashAttr]); got != tc.p.hashValue {
				t.Errorf("%s: %s %q, want the query's %q", name, tc.p.hashAttr, got, tc.p.hashValue)
			}
			if again := tc.p.cursor(dynamo.Item(key)); again != tc.c {
				t.Errorf("%s: cursor round trip %q", name, again)
			}
		}
	}
	for what, tc := range map[string]struct {
		p plan
		c files.Cursor
	}{
		"name outside the prefix":     {byName, files.Cursor("b.pdf\x00" + fid)},
		"name cursor of an id plan":   {byID, files.Cursor("a.pdf\x00" + fid)},
		"id cursor of a name plan":    {byName, files.Cursor(fid)},
		"not a file id":               {byID, files.Cursor("COUNT")},
		"a table key":                 {byExt, files.Cursor("P#" + projB)},
		"name key of no file":         {byName, files.Cursor("a.pdf\x00")},
		"v1 cursor (attribute names)": {byID, files.Cursor(`{"pk":"P#` + projB + `"}`)},
	} {
		if _, err := tc.p.startKey(projA, tc.c); !errors.Is(err, files.ErrInvalidCursor) {
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
	if sk := nameSortKey(huge, files.MustParseFileID(fid)); len(sk) > 1024 {
		t.Errorf("sort key of %d bytes exceeds DynamoDB's 1024", len(sk))
	}
	id := files.MustParseFileID(fid)
	if !(nameSortKey("a", id) < nameSortKey("a b", id) && nameSortKey("a b", id) < nameSortKey("ab", id)) {
		t.Error("names do not sort by name first")
	}
}
