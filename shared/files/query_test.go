package files

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// completedFiles stores n COMPLETED files named by names (cycled), one ms apart.
func completedFiles(t *testing.T, st catalogStore, names ...string) []*File {
	t.Helper()
	var out []*File
	base := time.Now().Add(-time.Hour)
	for i, name := range names {
		at := base.Add(time.Duration(i) * time.Millisecond)
		f := &File{ID: NewID(at), ProjectID: project, Declared: Declared{Filename: name}, Status: StatusCompleted, CreatedAt: at, UpdatedAt: at}
		if err := st.Create(context.Background(), f); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

func ids(fs []*File) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID.String()
	}
	return out
}

// walk lists every page of q and returns the ids in order.
func walk(t *testing.T, s compatService, q Query) ([]string, int) {
	t.Helper()
	var all []string
	total := -1
	for pages := 0; ; pages++ {
		p, err := s.ListCompleted(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if total >= 0 && p.Total != total {
			t.Fatalf("total changed between pages: %d then %d", total, p.Total)
		}
		total = p.Total
		if len(p.Files) == 0 && p.Next != "" {
			t.Fatalf("page %d is empty but has a next cursor: the official client would stop here", pages)
		}
		all = append(all, ids(p.Files)...)
		if p.Next == "" || pages > 100 {
			return all, total
		}
		q.After = p.Next
	}
}

func TestListCompletedByIDs(t *testing.T) {
	s, st, _ := newCompatService()
	fs := completedFiles(t, st, "b.txt", "a.txt", "c.txt", "a.txt")
	pending := &File{ID: NewID(time.Now()), ProjectID: project, Declared: Declared{Filename: "p.txt"}, Status: StatusPending}
	st.Create(context.Background(), pending)
	gone := time.Now().Add(-time.Second)
	expired := &File{ID: NewID(time.Now()), ProjectID: project, Declared: Declared{Filename: "e.txt"}, Status: StatusCompleted, ExpiresAt: &gone}
	st.Create(context.Background(), expired)

	listed := append(ids(fs), pending.ID.String(), expired.ID.UUID(), "fil_bogus", fs[0].ID.UUID())
	for _, tc := range []struct {
		order Order
		want  []*File
	}{
		{OrderIDAsc, fs},
		{OrderCreatedDesc, []*File{fs[3], fs[2], fs[1], fs[0]}},
		{OrderNameAsc, []*File{fs[1], fs[3], fs[0], fs[2]}},
	} {
		got, total := walk(t, s, Query{ProjectID: project, Order: tc.order, Limit: 3, Filter: Filter{FileIDs: listed}})
		if !slices.Equal(got, ids(tc.want)) || total != 4 {
			t.Errorf("%s: %v (total %d), want %v", tc.order, got, total, ids(tc.want))
		}
	}
	got, total := walk(t, s, Query{ProjectID: project, Order: OrderIDAsc, Limit: 1, Filter: Filter{FileIDs: listed, FileName: "a.txt"}})
	if !slices.Equal(got, []string{fs[1].ID.String(), fs[3].ID.String()}) || total != 2 {
		t.Errorf("ids and name: %v (total %d)", got, total)
	}
}

func TestListCompletedThroughTheCatalog(t *testing.T) {
	s, st, _ := newCompatService()
	fs := completedFiles(t, st, "x.txt", "y.txt", "x.txt")
	got, total := walk(t, s, Query{ProjectID: project, Order: OrderCreatedDesc, Limit: 2})
	if !slices.Equal(got, []string{fs[2].ID.String(), fs[1].ID.String(), fs[0].ID.String()}) || total != 3 {
		t.Errorf("%v (total %d)", got, total)
	}
	got, total = walk(t, s, Query{ProjectID: project, Order: OrderIDAsc, Limit: 1, Filter: Filter{FileName: "x.txt"}})
	if !slices.Equal(got, []string{fs[0].ID.String(), fs[2].ID.String()}) || total != 2 {
		t.Errorf("by name: %v (total %d)", got, total)
	}
}

func TestListCompletedRefuses(t *testing.T) {
	s, _, _ := newCompatService()
	for name, q := range map[string]Query{
		"page too small":      {ProjectID: project, Order: OrderIDAsc, Limit: 0},
		"page too large":      {ProjectID: project, Order: OrderIDAsc, Limit: MaxPageSize + 1},
		"unknown order":       {ProjectID: project, Order: "size", Limit: 1},
		"too many ids":        {ProjectID: project, Order: OrderIDAsc, Limit: 1, Filter: Filter{FileIDs: make([]string, MaxFileIDs+1)}},
		"foreign ids cursor":  {ProjectID: project, Order: OrderIDAsc, Limit: 1, Filter: Filter{FileIDs: []string{"x"}}, After: Cursor("P#other")},
		"cursor of the empty": {ProjectID: project, Order: OrderIDAsc, Limit: 1, Filter: Filter{DataSourceID: "d"}, After: Cursor("x")},
	} {
		if _, err := s.ListCompleted(context.Background(), q); KindOf(err) != KindInvalid {
			t.Errorf("%s: err %v, want invalid", name, err)
		}
	}
	// Filters no stored file can match are answered without a read.
	for name, f := range map[string]Filter{
		"data source":     {DataSourceID: "d"},
		"overlong name":   {FileName: string(make([]byte, 300))},
		"overlong ext id": {ExternalFileID: string(make([]byte, MaxExternalIDBytes+1))},
	} {
		p, err := s.ListCompleted(context.Background(), Query{ProjectID: project, Order: OrderIDAsc, Limit: 1, Filter: f})
		if err != nil || len(p.Files) != 0 || p.Total != 0 || p.Next != "" {
			t.Errorf("%s: %+v %v", name, p, err)
		}
	}
}

func TestContentURL(t *testing.T) {
	s, _, _ := newCompatService()
	now := time.Now()
	soon := now.Add(90 * time.Second)
	past := now.Add(-time.Second)
	for name, tc := range map[string]struct {
		ttl       *time.Duration
		expiresAt *time.Time
		want      time.Duration // 0: not found
	}{
		"default":          {nil, nil, 5 * time.Minute},
		"asked":            {ptr(time.Hour), nil, time.Hour},
		"below the floor":  {ptr(time.Millisecond), nil, time.Second},
		"above the cap":    {ptr(30 * 24 * time.Hour), nil, MaxURLTTL},
		"retention first":  {ptr(time.Hour), &soon, 89 * time.Second},
		"retention passed": {ptr(time.Hour), &past, 0},
	} {
		u, err := s.ContentURL(context.Background(), &File{ObjectKey: "k", ExpiresAt: tc.expiresAt}, tc.ttl)
		if tc.want == 0 {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: err %v, want not found", name, err)
			}
			continue
		}
		if got := time.Until(u.ExpiresAt); err != nil || got > tc.want+time.Second || got < tc.want-2*time.Second {
			t.Errorf("%s: expires in %v (%v), want %v", name, got, err, tc.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// hiddenFiles stores n files the catalog lists but no reader may see: past
// retention (until TTL removes them), or cancelled while the index lags.
func hiddenFiles(t *testing.T, st catalogStore, name string, n int, at time.Time) []*File {
	t.Helper()
	gone := time.Now().Add(-time.Minute)
	var out []*File
	for i := range n {
		f := &File{ID: NewID(at), ProjectID: project, Declared: Declared{Filename: name}, Status: StatusCompleted, CreatedAt: at, ExpiresAt: &gone}
		if i%3 == 0 {
			f.Status, f.ExpiresAt = StatusCancelled, nil
			st.lagging[f.ID] = true
		}
		if err := st.Create(context.Background(), f); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// Hidden entries before, between and after the visible files: every page
// has files, each visible file comes once, and a cursor is given only when
// a visible file follows.
func TestListingReadsPastHiddenEntries(t *testing.T) {
	s, st, _ := newCompatService()
	base := time.Now().Add(-time.Hour)
	hiddenFiles(t, st, "x.txt", 7, base)
	live := completedFiles(t, st, "x.txt")
	hiddenFiles(t, st, "x.txt", 5, base.Add(time.Second))
	live = append(live, completedFiles(t, st, "x.txt", "x.txt")...)
	hiddenFiles(t, st, "x.txt", 9, base.Add(time.Hour))
	slices.SortFunc(live, func(a, b *File) int { return a.ID.Compare(b.ID) })
	for _, order := range []Order{OrderIDAsc, OrderCreatedDesc, OrderNameAsc, OrderNameDesc} {
		want := ids(live)
		if order.Descending() {
			slices.Reverse(want)
		}
		for _, limit := range []int{1, 2, 3, 50} {
			for _, f := range []Filter{{}, {FileName: "x.txt"}} {
				got, _ := walk(t, s, Query{ProjectID: project, Order: order, Limit: limit, Filter: f})
				if !slices.Equal(got, want) {
					t.Errorf("%s, limit %d, %+v: %v, want %v", order, limit, f, got, want)
				}
			}
		}
		p, err := s.ListCompleted(context.Background(), Query{ProjectID: project, Order: order, Limit: 3})
		if err != nil || len(p.Files) != 3 || p.Next != "" {
			t.Errorf("%s: a full page followed only by hidden entries: %d files, next %v, %v", order, len(p.Files), p.Next, err)
		}
	}
}

// Out of time with nothing found is a 503 to retry, never an empty page
// with a cursor; with something found, a short page keeps its cursor.
func TestListingOutOfTimeIsUnavailableNotAnEmptyPage(t *testing.T) {
	s, st, _ := newCompatService()
	base := time.Now().Add(-time.Hour)
	first := completedFiles(t, st, "a.txt")
	hiddenFiles(t, st, "a.txt", 3000, base.Add(time.Minute))
	last := &File{ID: NewID(base.Add(time.Hour)), ProjectID: project, Declared: Declared{Filename: "a.txt"}, Status: StatusCompleted}
	if err := st.Create(context.Background(), last); err != nil {
		t.Fatal(err)
	}
	// The budget ends listReserve before the deadline: already spent here.
	ctx, cancel := context.WithTimeout(context.Background(), listReserve/2)
	defer cancel()
	q := Query{ProjectID: project, Order: OrderIDAsc, Limit: 2}
	p, err := s.ListCompleted(ctx, q)
	if err != nil || !slices.Equal(ids(p.Files), ids(first)) || p.Next == "" {
		t.Fatalf("first page: %v, next %v, %v; want the first file and a cursor", ids(p.Files), p.Next, err)
	}
	*st.reads = 0
	q.After = p.Next
	if _, err := s.ListCompleted(ctx, q); KindOf(err) != KindUnavailable || *st.reads != 1 {
		t.Fatalf("out of time among hidden entries: %v after %d reads; want unavailable after 1", err, *st.reads)
	}
	// With time, reading goes on, growing its reads, to the last file.
	*st.reads = 0
	p, err = s.ListCompleted(context.Background(), q)
	if err != nil || !slices.Equal(ids(p.Files), []string{last.ID.String()}) || p.Next != "" {
		t.Fatalf("with time: %v, next %v, %v", ids(p.Files), p.Next, err)
	}
	if *st.reads > 12 {
		t.Errorf("%d reads to pass 3000 hidden entries", *st.reads)
	}
}

// A Take ends pages early (the compat API's response budget): every file
// still comes exactly once, in order, no page is empty while a cursor is
// set, and a page ended early reads the catalog in small rounds, not the
// whole page size. A Take that refuses a page's first file is a fault.
func TestListCompletedWhileTakeEndsPagesEarly(t *testing.T) {
	s, st, _ := newCompatService()
	names := make([]string, 250)
	for i := range names {
		names[i] = strings.Repeat("n", i%7+1) + ".txt"
	}
	fs := completedFiles(t, st, names...)
	byID := append([]string(nil), ids(fs)...)
	for _, byIDs := range []bool{false, true} {
		q := Query{ProjectID: project, Order: OrderIDAsc, Limit: MaxPageSize}
		if byIDs {
			q.Filter.FileIDs = byID
		}
		var got []string
		*st.reads = 0
		for pages := 1; ; pages++ {
			n := 0
			p, err := s.ListCompletedWhile(context.Background(), q, func(*File) (bool, error) { n++; return n <= 40, nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Files) == 0 || len(p.Files) > 40 || (p.Next == "") != (len(got)+len(p.Files) == len(fs)) {
				t.Fatalf("byIDs=%v page %d: %d files, next %q", byIDs, pages, len(p.Files), p.Next)
			}
			got = append(got, ids(p.Files)...)
			if p.Next == "" {
				break
			}
			q.After = p.Next
		}
		if !slices.Equal(got, byID) {
			t.Fatalf("byIDs=%v: the pages listed %d files, not each of the %d once in order", byIDs, len(got), len(fs))
		}
		if !byIDs && *st.reads != 7 { // one read of firstRound entries per page
			t.Errorf("%d catalog reads for 7 pages ended early, want 7 (one round each)", *st.reads)
		}
	}
	_, err := s.ListCompletedWhile(context.Background(), Query{ProjectID: project, Order: OrderIDAsc, Limit: 10}, func(*File) (bool, error) { return false, nil })
	if !errors.Is(err, ErrNothingTaken) {
		t.Errorf("a Take refusing the first file: %v, want ErrNothingTaken", err)
	}
}

// Names sort by their first NameSortBytes bytes, then by id, in the listing
// by ids as in the catalog's index, so a cursor (and a page token) never
// carries more of a name than that, however long the names are.
func TestNameOrderCursorsAreBounded(t *testing.T) {
	s, st, _ := newCompatService()
	long := strings.Repeat("𠀀", 2990) + ".txt" // 11,964 bytes
	fs := completedFiles(t, st, long+"b", long+"a", "z.txt")
	q := Query{ProjectID: project, Order: OrderNameAsc, Limit: 1, Filter: Filter{FileIDs: ids(fs)}}
	got, _ := walk(t, s, q)
	if want := []string{fs[2].ID.String(), fs[0].ID.String(), fs[1].ID.String()}; !slices.Equal(got, want) { // "z" < "𠀀"; the long names share their sort key, so by id
		t.Fatalf("by name: %q, want %q", got, want)
	}
	p, err := s.ListCompleted(context.Background(), q)
	if err != nil || len(p.Next) > NameSortBytes+1+len(fs[0].ID.String()) {
		t.Fatalf("the cursor after a long name is %d bytes (%v), want at most %d", len(p.Next), err, NameSortBytes+1+len(fs[0].ID.String()))
	}
	if key := NameSortKey(long); len(key) > NameSortBytes || !strings.HasPrefix(long, key) || !utf8.ValidString(key) {
		t.Errorf("NameSortKey cut %d bytes, or not at a character", len(key))
	}
}
