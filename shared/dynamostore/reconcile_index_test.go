package dynamostore_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// due is every file the store lists as due by before.
func due(t *testing.T, store *dynamostore.Store, before time.Time) []files.FileID {
	t.Helper()
	var ids []files.FileID
	for key, err := range store.Due(context.Background(), before) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, key.ID)
	}
	slices.SortFunc(ids, files.FileID.Compare)
	return ids
}

// Reconcile's index holds the records that carry a ReconcileAt, across all
// its shards and pages, and only those due by the time asked; a transition
// moves a file in, along or out of it.
func TestReconcileIndexListsWhatIsDue(t *testing.T) {
	_, store := openStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	var want []files.FileID
	for i := range 120 { // more than a shard's share of a page, in every shard
		f := pending(projectA, "a.pdf")
		f.ID = files.NewID(now.Add(time.Duration(i) * time.Millisecond))
		f.ReconcileAt = now.Add(-time.Minute)
		if i%3 == 0 {
			f.ReconcileAt = now.Add(time.Minute) // not yet due
		} else {
			want = append(want, f.ID)
		}
		if err := store.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	slices.SortFunc(want, files.FileID.Compare)
	if got := due(t, store, now); !slices.Equal(got, want) {
		t.Fatalf("due now: %d files, want the %d whose time has come", len(got), len(want))
	}
	if got := due(t, store, now.Add(2*time.Minute)); len(got) != 120 {
		t.Fatalf("due in two minutes: %d files, want all 120", len(got))
	}
	f, err := store.Get(ctx, projectA, want[0])
	if err != nil {
		t.Fatal(err)
	}
	if !f.ReconcileAt.Equal(now.Add(-time.Minute)) {
		t.Errorf("the record's ReconcileAt %s, want %s", f.ReconcileAt, now.Add(-time.Minute))
	}
	later := now.Add(time.Hour)
	if f, err = store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusPending, At: now, TTL: f.TTL, ReconcileAt: later, AssemblingSince: now}); err != nil {
		t.Fatal(err)
	}
	if !f.ReconcileAt.Equal(later) || f.AssemblingSince == nil || !f.AssemblingSince.Equal(now) {
		t.Errorf("after moving its time: due %s, assembling since %v", f.ReconcileAt, f.AssemblingSince)
	}
	if slices.Contains(due(t, store, now), f.ID) {
		t.Error("a file whose time moved on is still due")
	}
	if _, err := store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCompleted, At: now}); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(due(t, store, later.Add(time.Hour)), f.ID) {
		t.Error("a file settled with no ReconcileAt is still in the index")
	}
}

// Expire is conditional: only a PENDING file whose session has ended, and
// only if no complete began assembling it since it was read. It leaves the
// index. Reconciled takes a settled file out of the index unless its
// status changed.
func TestExpireAndReconciledAreConditional(t *testing.T) {
	_, store := openStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	create := func(ends time.Time) *files.File {
		f := pending(projectA, "a.pdf")
		f.UploadExpiresAt, f.ReconcileAt = ends, ends
		if err := store.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	live := create(now.Add(time.Minute))
	if _, err := store.Expire(ctx, live, now, time.Time{}); !errors.Is(err, files.ErrConditionFailed) {
		t.Errorf("Expire of a live session: %v, want ErrConditionFailed", err)
	}
	ended := create(now.Add(-time.Minute))
	assembling, err := store.Transition(ctx, ended, files.StatusPending, files.Change{To: files.StatusPending, At: now, TTL: ended.TTL, ReconcileAt: now, AssemblingSince: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Expire(ctx, ended, now, time.Time{}); !errors.Is(err, files.ErrConditionFailed) {
		t.Errorf("Expire of a file a complete began assembling after it was read: %v, want ErrConditionFailed", err)
	}
	got, err := store.Expire(ctx, assembling, now, time.Time{})
	if err != nil || got.Status != files.StatusExpired || !got.ReconcileAt.IsZero() || got.TTL != ended.TTL {
		t.Fatalf("Expire as read: %+v %v; want EXPIRED, out of the index, its TTL kept", got, err)
	}
	if _, err := store.Expire(ctx, assembling, now, time.Time{}); !errors.Is(err, files.ErrConditionFailed) {
		t.Errorf("a second Expire: %v, want ErrConditionFailed", err)
	}

	multipart := create(now.Add(-time.Minute))
	if got, err := store.Expire(ctx, multipart, now, now); err != nil || got.Status != files.StatusExpired || !slices.Contains(due(t, store, now), multipart.ID) {
		t.Errorf("Expire keeping the file due (its uploads to abort): %+v %v", got, err)
	}

	cancelled := create(now.Add(-time.Minute))
	c, err := store.Transition(ctx, cancelled, files.StatusPending, files.Change{To: files.StatusCancelled, At: now, ReconcileAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Reconciled(ctx, cancelled); !errors.Is(err, files.ErrConditionFailed) {
		t.Errorf("Reconciled of the file as PENDING, now CANCELLED: %v, want ErrConditionFailed", err)
	}
	if !slices.Contains(due(t, store, now), c.ID) {
		t.Fatal("the cancelled file is not due")
	}
	if err := store.Reconciled(ctx, c); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(due(t, store, now), c.ID) {
		t.Error("a reconciled file is still due")
	}
}
