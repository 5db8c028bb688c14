package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// catalogFixture is a project with COMPLETED files of a few names and
// external ids, and files the catalog must never list: PENDING, REJECTED,
// and another project's.
type catalogFixture struct {
	store     *dynamostore.Store
	completed []*files.File
}

func newCatalogFixture(t *testing.T) catalogFixture {
	t.Helper()
	tab := mustOpenTable(t)
	fx := catalogFixture{store: dynamostore.New(tab.db, tab.name)}
	ctx := context.Background()
	names := []string{"b.pdf", "a.pdf", "a b.pdf", "a.pdf", "c.pdf", "a.pdf", "b.pdf", "ab.pdf"}
	exts := []string{"e1", "e1", "", "e2", "e1", "", "e2", "e1"}
	for i := range names {
		f := pending(projectA, names[i])
		f.ID = files.NewID(t0.Add(time.Duration(i) * time.Second))
		f.ObjectKey, f.ExternalFileID = files.ObjectKey(projectA, f.ID), exts[i]
		fx.completed = append(fx.completed, fx.complete(t, f))
	}
	for _, status := range []files.Status{files.StatusPending, files.StatusRejected} {
		f := pending(projectA, "a.pdf")
		f.ExternalFileID = "e1"
		if err := fx.store.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
		if status == files.StatusRejected {
			if _, err := fx.store.Transition(ctx, f, files.StatusPending, files.Change{To: status, At: f.CreatedAt}); err != nil {
				t.Fatal(err)
			}
		}
	}
	other := pending(projectB, "a.pdf")
	other.ExternalFileID = "e1"
	fx.complete(t, other)
	// The counts, as the counter consumer would add them from the stream.
	n := len(fx.completed)
	if err := fx.store.ApplyCounts(ctx, projectA, "fixture", []files.CountChange{{Seq: "1", Files: n + 2, Completed: n}}); err != nil {
		t.Fatal(err)
	}
	return fx
}

func (fx catalogFixture) complete(t *testing.T, f *files.File) *files.File {
	t.Helper()
	ctx := context.Background()
	if err := fx.store.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	done, err := fx.store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCompleted, At: f.CreatedAt})
	if err != nil {
		t.Fatal(err)
	}
	return done
}

// expected is what q must list, in order, computed here from the records.
func (fx catalogFixture) expected(q files.Query) []files.FileID {
	var out []*files.File
	for _, f := range fx.completed {
		if (q.Filter.FileName == "" || f.Filename == q.Filter.FileName) && (q.Filter.ExternalFileID == "" || f.ExternalFileID == q.Filter.ExternalFileID) {
			out = append(out, f)
		}
	}
	key := func(f *files.File) string { return f.ID.String() }
	if q.Order.ByName() {
		key = func(f *files.File) string { return f.Filename + "\x00" + f.ID.String() }
	}
	slices.SortFunc(out, func(a, b *files.File) int {
		if q.Order.Descending() {
			return strings.Compare(key(b), key(a))
		}
		return strings.Compare(key(a), key(b))
	})
	return idsOf(out)
}

func catalogQueries() []files.Query {
	var qs []files.Query
	for _, o := range []files.Order{files.OrderCreatedDesc, files.OrderIDAsc, files.OrderNameAsc, files.OrderNameDesc} {
		for _, f := range []files.Filter{{}, {FileName: "a.pdf"}, {ExternalFileID: "e1"}, {FileName: "a.pdf", ExternalFileID: "e1"}, {FileName: "none.pdf"}} {
			qs = append(qs, files.Query{ProjectID: projectA, Order: o, Filter: f})
		}
	}
	return qs
}

// Every index plan lists exactly the project's COMPLETED files that match,
// in its order, and its count agrees; pages of any size, followed by the
// cursor each read returns, visit each file once.
func TestEachCatalogQuery(t *testing.T) {
	fx := newCatalogFixture(t)
	ctx := context.Background()
	for _, q := range catalogQueries() {
		name := fmt.Sprintf("%s %+v", q.Order, q.Filter)
		want := fx.expected(q)
		for _, limit := range []int{1, 3, 100} {
			q.Limit, q.After = limit, ""
			var got []files.FileID
			for reads := 0; ; reads++ {
				if reads > 20 {
					t.Fatalf("%s: no end after %d reads", name, reads)
				}
				found, next, err := fx.store.QueryCompleted(ctx, q)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				got = append(got, idsOf(found)...)
				if next == "" {
					break
				}
				q.After = next
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s, %d a read: %v, want %v", name, limit, got, want)
			}
		}
		n, err := fx.store.CountCompleted(ctx, projectA, q.Filter)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(want) {
			t.Errorf("%s: count %d, want %d", name, n, len(want))
		}
	}
}

// CursorAfter(f) resumes a query right after f, as a token made from the
// page ending at f does; a cursor from another query's range is refused.
func TestCursorAfterResumesAfterTheFile(t *testing.T) {
	fx := newCatalogFixture(t)
	ctx := context.Background()
	byID := map[files.FileID]*files.File{}
	for _, f := range fx.completed {
		byID[f.ID] = f
	}
	for _, q := range catalogQueries() {
		want := fx.expected(q)
		for i, id := range want {
			q.Limit, q.After = 100, fx.store.CursorAfter(q, byID[id])
			found, _, err := fx.store.QueryCompleted(ctx, q)
			if err != nil {
				t.Fatalf("%s %+v after %s: %v", q.Order, q.Filter, id, err)
			}
			if got := idsOf(found); !slices.Equal(got, want[i+1:]) {
				t.Errorf("%s %+v after file %d: %v, want %v", q.Order, q.Filter, i, got, want[i+1:])
			}
		}
	}
	byName := files.Query{ProjectID: projectA, Order: files.OrderNameAsc, Filter: files.Filter{FileName: "a.pdf"}, Limit: 10}
	byName.After = fx.store.CursorAfter(files.Query{ProjectID: projectA, Order: files.OrderNameAsc, Filter: files.Filter{FileName: "b.pdf"}}, byID[fx.expected(files.Query{Order: files.OrderNameAsc, Filter: files.Filter{FileName: "b.pdf"}})[0]])
	if _, _, err := fx.store.QueryCompleted(ctx, byName); !errors.Is(err, files.ErrInvalidCursor) {
		t.Errorf("a b.pdf cursor on an a.pdf query: %v, want ErrInvalidCursor", err)
	}
}

// GetMany reads the project's records in the order asked, skipping ids it
// does not hold, another project's included.
func TestGetMany(t *testing.T) {
	fx := newCatalogFixture(t)
	want := []files.FileID{fx.completed[3].ID, fx.completed[0].ID}
	ask := []files.FileID{want[0], files.NewID(time.Now()), want[1]}
	got, err := fx.store.GetMany(context.Background(), projectA, ask)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(idsOf(got), want) {
		t.Errorf("GetMany %v: %v, want %v", ask, idsOf(got), want)
	}
	if got, err := fx.store.GetMany(context.Background(), projectB, want); err != nil || len(got) != 0 {
		t.Errorf("project B reads project A's ids: %v (%v)", idsOf(got), err)
	}
}
