package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

const (
	projectA = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42"
	projectB = "0c1b2a39-4d5e-4f60-8172-93a4b5c6d7e8"
)

var t0 = time.Date(2026, 1, 15, 10, 21, 33, 512_000_000, time.UTC)

// fullFile sets every field of a record, so a round trip can lose none.
func fullFile(projectID string) *files.File {
	id := files.NewID(t0)
	done, keep := t0.Add(3*time.Second), t0.Add(90*24*time.Hour)
	f := &files.File{
		ID: id, ProjectID: projectID, OrganizationID: "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05",
		Declared: files.Declared{Filename: "Q3 board deck.pdf", MimeType: "application/pdf", SizeBytes: 482133, Purpose: "knowledge_user", SHA256: "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"},
		Status:   files.StatusRejected, CreatedAt: t0, UpdatedAt: done, CompletedAt: &done,
		UploadExpiresAt: t0.Add(15 * time.Minute), ExpiresAt: &keep,
		ExternalFileID: "crm-42", DataSourceID: "ds-1",
		PermissionInfo: map[string]any{"owner": "ana", "public": false},
		ResourceInfo:   map[string]any{"pages": float64(12), "tags": []any{"q3", "board"}},
		ObjectKey:      files.ObjectKey(projectID, id), ETag: `"9e107d9d372bb6826bd81d3542a419d6"`, MD5: "9e107d9d372bb6826bd81d3542a419d6",
		Multipart:       &files.Multipart{UploadID: "upl-1", PartSizeBytes: 5 << 20, PartSHA256: true},
		AssemblingSince: &done, ReconcileAt: t0.Add(16 * time.Minute),
		Rejection: &files.Rejection{Code: "type_mismatch", Message: "the content looks like text/plain"}, TTL: keep.Unix(),
		Scan: &files.ScanState{Verdict: files.ScanInfected, Signature: "Eicar-Test-Signature.UNOFFICIAL", Due: t0.Add(time.Minute), Attempts: 2},
	}
	fillZero(reflect.ValueOf(f).Elem())
	return f
}

// fillZero gives every field still zero a value of its own, so a field
// added to File is set here without an edit, and the round trip fails until
// item.go stores it.
func fillZero(v reflect.Value) {
	for i := range v.NumField() {
		fillValue(v.Field(i), i+1, v.Type().Field(i).Name)
	}
}

func fillValue(f reflect.Value, n int, name string) {
	if !f.CanSet() {
		return
	}
	// A struct, or one pointed to, is filled field by field even when some
	// are set: File's embedded Declared always is, and a field added to it
	// must not hide behind its neighbours.
	switch {
	case f.Kind() == reflect.Struct && f.Type() != reflect.TypeFor[time.Time]():
		fillZero(f)
		return
	case f.Kind() == reflect.Pointer && !f.IsNil():
		fillValue(f.Elem(), n, name)
		return
	case !f.IsZero():
		return
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString("x-" + name)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.SetInt(int64(n))
	case reflect.Float32, reflect.Float64:
		f.SetFloat(float64(n) + 0.5)
	case reflect.Bool:
		f.SetBool(true)
	case reflect.Pointer:
		f.Set(reflect.New(f.Type().Elem()))
		fillValue(f.Elem(), n, name)
	case reflect.Struct: // time.Time
		f.Set(reflect.ValueOf(t0.Add(time.Duration(n) * time.Minute)))
	case reflect.Slice:
		e := reflect.New(f.Type().Elem()).Elem()
		fillValue(e, n, name)
		f.Set(reflect.Append(f, e))
	}
}

// fieldDiffs names each field of got that differs from want.
func fieldDiffs(want, got *files.File) []string {
	if got == nil {
		return []string{"the record is missing"}
	}
	w, g := reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem()
	var out []string
	for i := range w.NumField() {
		wf, gf := w.Field(i).Interface(), g.Field(i).Interface()
		if !sameValue(wf, gf) {
			out = append(out, fmt.Sprintf("%s: got %s, want %s", w.Type().Field(i).Name, show(gf), show(wf)))
		}
	}
	return out
}

func sameValue(a, b any) bool {
	switch a := a.(type) {
	case time.Time:
		return a.Equal(b.(time.Time)) && b.(time.Time).Location() == time.UTC
	case *time.Time:
		b := b.(*time.Time)
		return (a == nil) == (b == nil) && (a == nil || sameValue(*a, *b))
	}
	return reflect.DeepEqual(a, b)
}

func show(v any) string {
	if p, ok := v.(*time.Time); ok && p != nil {
		return p.String()
	}
	if r, ok := v.(*files.Rejection); ok && r != nil {
		return fmt.Sprintf("%+v", *r)
	}
	return fmt.Sprintf("%#v", v)
}

func checkFile(t *testing.T, what string, want, got *files.File) {
	t.Helper()
	for _, d := range fieldDiffs(want, got) {
		t.Errorf("%s: %s", what, d)
	}
}

// Every field of a record comes back as written, through Get, through the
// catalog's batch read and through FileFromItem (the stream's decoding);
// a field added to files.File fails here until fullFile sets it.
func TestRecordRoundTripsEveryField(t *testing.T) {
	tab, store := openStore(t)
	ctx := context.Background()
	f := fullFile(projectA)
	v := reflect.ValueOf(f).Elem()
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("fullFile leaves %s unset: set it, so its round trip is checked", v.Type().Field(i).Name)
		}
	}
	if err := store.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	got, err := store.Get(ctx, projectA, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, "Get", f, got)
	many, err := store.GetMany(ctx, projectA, []files.FileID{f.ID})
	if err != nil || len(many) != 1 {
		t.Fatalf("GetMany: %d records, %v", len(many), err)
	}
	checkFile(t, "GetMany", f, many[0])
	decoded, ok := dynamostore.FileFromItem(tab.item(t, f))
	if !ok {
		t.Fatal("FileFromItem does not read the item the store wrote")
	}
	checkFile(t, "FileFromItem", f, decoded)

	// Unset optional fields stay unset.
	bare := &files.File{ID: files.NewID(t0), ProjectID: projectA, Declared: files.Declared{Filename: "a.txt", MimeType: "text/plain", SizeBytes: 1},
		Status: files.StatusPending, CreatedAt: t0, UpdatedAt: t0, UploadExpiresAt: t0.Add(time.Minute)}
	bare.ObjectKey = files.ObjectKey(projectA, bare.ID)
	if err := store.Create(ctx, bare); err != nil {
		t.Fatal(err)
	}
	got, err = store.Get(ctx, projectA, bare.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, "Get of a bare record", bare, got)
}

// Records are scoped to their project, and ids are never written twice.
func TestCreateAndGetAreScoped(t *testing.T) {
	_, store := openStore(t)
	ctx := context.Background()
	f := pending(projectA, "a.pdf")
	if err := store.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Get(ctx, projectB, f.ID); !errors.Is(err, files.ErrNotFound) {
		t.Errorf("Get from another project: %v, want ErrNotFound", err)
	}
	if err := store.Create(ctx, f); !errors.Is(err, files.ErrConditionFailed) {
		t.Errorf("Create of an existing id: %v, want ErrConditionFailed", err)
	}
	other := *f
	other.ProjectID = projectB
	if err := store.Delete(ctx, &other); !errors.Is(err, files.ErrNotFound) {
		t.Errorf("Delete from another project: %v, want ErrNotFound", err)
	}
	if _, err := store.Get(ctx, projectA, f.ID); err != nil {
		t.Errorf("the record is gone after another project's delete: %v", err)
	}
}

func pending(projectID, name string) *files.File {
	now := time.Now().UTC().Truncate(time.Millisecond)
	id := files.NewID(now)
	return &files.File{ID: id, ProjectID: projectID, Declared: files.Declared{Filename: name, MimeType: "application/pdf", SizeBytes: 10},
		Status: files.StatusPending, CreatedAt: now, UpdatedAt: now, UploadExpiresAt: now.Add(15 * time.Minute),
		ObjectKey: files.ObjectKey(projectID, id), TTL: now.Add(time.Hour).Unix()}
}

// Transitions apply only from the status they name, move the file in and
// out of the catalog, and return the record as written. They write the
// record alone: the counts follow the stream (counters_test.go), so the
// completed count stays where it was.
func TestTransitionsAreConditional(t *testing.T) {
	_, store := openStore(t)
	ctx := context.Background()
	f := pending(projectA, "a.pdf")
	f.ExternalFileID = "e"
	if err := store.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	completed := func() int {
		t.Helper()
		n, err := store.CountCompleted(ctx, projectA, files.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	at := time.Now().UTC().Truncate(time.Millisecond)
	done, err := store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCompleted, At: at, ETag: `"abc"`, MD5: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	want := *f
	want.Status, want.UpdatedAt, want.CompletedAt, want.ETag, want.MD5, want.TTL = files.StatusCompleted, at, &at, `"abc"`, "abc", 0
	checkFile(t, "COMPLETED as returned", &want, done)
	again, err := store.Get(ctx, projectA, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, "COMPLETED as read", &want, again)
	if n := completed(); n != 0 {
		t.Errorf("completed count %d after completing, want 0: the request path writes no counter", n)
	}
	if _, err := store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCancelled, At: at}); !errors.Is(err, files.ErrConditionFailed) {
		t.Errorf("PENDING → CANCELLED of a COMPLETED file: %v, want ErrConditionFailed", err)
	}
	found, _, err := store.QueryCompleted(ctx, files.Query{ProjectID: projectA, Order: files.OrderIDAsc, Limit: 10, Filter: files.Filter{ExternalFileID: "e"}})
	if err != nil || len(found) != 1 {
		t.Errorf("the catalog lists %d files (%v), want the COMPLETED one", len(found), err)
	}
	rej := &files.Rejection{Code: "checksum_mismatch", Message: "no"}
	later := at.Add(time.Second)
	out, err := store.Transition(ctx, done, files.StatusCompleted, files.Change{To: files.StatusRejected, At: later, Rejection: rej, TTL: later.Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != files.StatusRejected {
		t.Errorf("status %s after rejecting, want REJECTED", out.Status)
	}
	if !reflect.DeepEqual(out.Rejection, rej) {
		t.Errorf("rejection %+v, want %+v", out.Rejection, rej)
	}
	if out.TTL != later.Add(time.Hour).Unix() {
		t.Errorf("ttl %d, want %d", out.TTL, later.Add(time.Hour).Unix())
	}
	if n := completed(); n != 0 {
		t.Errorf("completed count %d after leaving COMPLETED, want 0", n)
	}
	for _, q := range []files.Query{{Order: files.OrderIDAsc}, {Order: files.OrderNameAsc}, {Order: files.OrderIDAsc, Filter: files.Filter{ExternalFileID: "e"}}, {Order: files.OrderNameAsc, Filter: files.Filter{ExternalFileID: "e"}}} {
		q.ProjectID, q.Limit = projectA, 10
		if found, _, err := store.QueryCompleted(ctx, q); err != nil || len(found) != 0 {
			t.Errorf("%s %+v: the catalog still lists %d files (%v)", q.Order, q.Filter, len(found), err)
		}
	}
	if err := store.Delete(ctx, done); !errors.Is(err, files.ErrConditionFailed) {
		t.Errorf("Delete of the file as COMPLETED, now REJECTED: %v, want ErrConditionFailed", err)
	}
	if err := store.Delete(ctx, out); err != nil {
		t.Fatal(err)
	}
	if err := store.Delete(ctx, out); !errors.Is(err, files.ErrNotFound) {
		t.Errorf("second Delete: %v, want ErrNotFound", err)
	}
	if _, total, err := store.List(ctx, projectA, 25, 0); err != nil || total != 0 {
		t.Errorf("total %d after deleting the only file (%v), want 0", total, err)
	}
}

// A background job's cursor starts empty and keeps what was saved.
func TestJobCursor(t *testing.T) {
	_, store := openStore(t)
	ctx := context.Background()
	if c, err := store.Cursor(ctx, "reconcile"); err != nil || c != "" {
		t.Errorf("first cursor %q (%v), want empty", c, err)
	}
	if err := store.SaveCursor(ctx, "reconcile", "uploads/p/f"); err != nil {
		t.Fatal(err)
	}
	if c, err := store.Cursor(ctx, "reconcile"); err != nil || c != "uploads/p/f" {
		t.Errorf("cursor %q (%v), want the saved one", c, err)
	}
	if c, err := store.Cursor(ctx, "other"); err != nil || c != "" {
		t.Errorf("another job's cursor %q (%v), want empty", c, err)
	}
}

// The native listing is newest first at any offset, with the project's
// total as the counter consumer keeps it; a count that lags the writes
// changes no row, and the total is never less than the rows seen.
func TestListNewestFirst(t *testing.T) {
	_, store := openStore(t)
	ctx := context.Background()
	var ids []files.FileID
	for i := range 7 {
		f := pending(projectA, fmt.Sprintf("%d.pdf", i))
		f.ID = files.NewID(t0.Add(time.Duration(i) * time.Second))
		f.ObjectKey = files.ObjectKey(projectA, f.ID)
		if err := store.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, f.ID)
	}
	if err := store.Create(ctx, pending(projectB, "other.pdf")); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(ids)
	cases := []struct{ limit, offset int }{{3, 0}, {3, 3}, {3, 6}, {25, 0}, {2, 7}}
	check := func(counted string, wantTotal func(limit, offset int) int) {
		t.Helper()
		for _, tc := range cases {
			page, total, err := store.List(ctx, projectA, tc.limit, tc.offset)
			if err != nil {
				t.Fatal(err)
			}
			want := ids[min(tc.offset, len(ids)):min(tc.offset+tc.limit, len(ids))]
			if got := idsOf(page); !slices.Equal(got, want) {
				t.Errorf("%s, limit %d offset %d: %v, want %v", counted, tc.limit, tc.offset, got, want)
			}
			if w := wantTotal(tc.limit, tc.offset); total != w {
				t.Errorf("%s, limit %d offset %d: total %d, want %d", counted, tc.limit, tc.offset, total, w)
			}
		}
	}
	check("not counted yet", func(limit, offset int) int { return min(offset+limit, len(ids)) })
	var inserts []files.CountChange
	for i := range ids {
		inserts = append(inserts, files.CountChange{Seq: fmt.Sprint(100 + i), Files: 1})
	}
	if err := store.ApplyCounts(ctx, projectA, "shard-1", inserts); err != nil {
		t.Fatal(err)
	}
	check("counted", func(int, int) int { return len(ids) })
}

func idsOf(fs []*files.File) []files.FileID {
	out := make([]files.FileID, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

// ItemOf, the layout tests seed tables with (export_test.go, below the
// store), is exactly what the store writes: for a PENDING record and a
// COMPLETED one with an external id, every attribute, and none more.
func TestItemOfIsTheStoresOwnLayout(t *testing.T) {
	tab, store := openStore(t)
	ctx := context.Background()
	f := pending(projectA, "a.pdf")
	f.ExternalFileID = "crm-42"
	if err := store.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		item := tab.item(t, f)
		decoded, ok := dynamostore.FileFromItem(item)
		if !ok {
			t.Fatalf("%s: FileFromItem does not read the store's item", what)
		}
		mine, err := dynamostore.ItemOf(decoded)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range item {
			if !equalAttr(v, mine[name]) {
				t.Errorf("%s: %s is %s in the store, %s in ItemOf", what, name, showAttr(v), showAttr(mine[name]))
			}
		}
		for name, v := range mine {
			if _, ok := item[name]; !ok {
				t.Errorf("%s: ItemOf adds %s = %s, which the store does not write", what, name, showAttr(v))
			}
		}
	}
	check("PENDING")
	if _, err := store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCompleted, At: time.Now().UTC(), ETag: `"e"`, MD5: "e"}); err != nil {
		t.Fatal(err)
	}
	check("COMPLETED")
}

// equalAttr compares attribute values as the item decodes them (the SDK's
// types carry unexported no-copy markers).
func equalAttr(a, b ddbtypes.AttributeValue) bool {
	return reflect.DeepEqual(decodeAttr(a), decodeAttr(b))
}

func decodeAttr(v ddbtypes.AttributeValue) any {
	if v == nil {
		return nil
	}
	var m map[string]any
	if err := dynamo.UnmarshalItem(map[string]ddbtypes.AttributeValue{"v": v}, &m); err != nil {
		return fmt.Sprintf("undecodable %T", v)
	}
	return m["v"]
}

func showAttr(v ddbtypes.AttributeValue) string {
	if v == nil {
		return "(absent)"
	}
	return fmt.Sprintf("%v", decodeAttr(v))
}

// KeyOf addresses the record the store wrote; CountItemsOf's counter item is
// read as the project's counts.
func TestKeyOfAndCountItemsOf(t *testing.T) {
	tab, store := openStore(t)
	ctx := context.Background()
	f := pending(projectA, "a.pdf")
	if err := store.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	if got, ok := dynamostore.FileFromItem(tab.item(t, f)); !ok || got.ID != f.ID {
		t.Errorf("KeyOf reads %v, want file %s", got, f.ID)
	}
	var ids []files.FileID
	for i := range 7 {
		ids = append(ids, files.NewID(t0.Add(time.Duration(i)*time.Hour)))
	}
	items, err := dynamostore.CountItemsOf(projectB, ids, 5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tab.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tab.name), Item: items[0]}); err != nil {
		t.Fatal(err)
	}
	if _, total, err := store.List(ctx, projectB, 1, 0); err != nil || total != 7 {
		t.Errorf("files count %d (%v), want 7", total, err)
	}
	if n, err := store.CountCompleted(ctx, projectB, files.Filter{}); err != nil || n != 5 {
		t.Errorf("completed count %d (%v), want 5", n, err)
	}
}
