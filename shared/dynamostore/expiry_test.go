package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// A PENDING record is in the expiry index from its create, listed once
// its window has ended, and leaves the index with its first transition out
// of PENDING (keeping a sha256, PENDING to PENDING, keeps it in).
func TestExpiredSessionsListOpenSessionsOnly(t *testing.T) {
	_, store := openStore(t)
	ctx := context.Background()
	open, lapsed, settled := pending(projectA, "open.pdf"), pending(projectA, "lapsed.pdf"), pending(projectB, "settled.pdf")
	lapsed.UploadExpiresAt = lapsed.CreatedAt.Add(-time.Minute)
	settled.UploadExpiresAt = lapsed.UploadExpiresAt
	for _, f := range []*files.File{open, lapsed, settled} {
		if err := store.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if _, err := store.Transition(ctx, lapsed, files.StatusPending, files.Change{To: files.StatusPending, At: now, SHA256: "ab", TTL: lapsed.TTL}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Transition(ctx, settled, files.StatusPending, files.Change{To: files.StatusCancelled, At: now, TTL: settled.TTL}); err != nil {
		t.Fatal(err)
	}
	refs, err := store.ExpiredSessions(ctx, now, 100)
	if err != nil || len(refs) != 1 || refs[0].ID != lapsed.ID || refs[0].ProjectID != projectA {
		t.Fatalf("expired sessions %+v (%v), want only %s", refs, err, lapsed.ID)
	}
	// Later, the open one's window has ended too; max bounds the answer.
	later := open.UploadExpiresAt
	if refs, err := store.ExpiredSessions(ctx, later, 100); err != nil || len(refs) != 2 {
		t.Errorf("at %s: %+v (%v), want both open sessions", later, refs, err)
	}
	if refs, err := store.ExpiredSessions(ctx, later, 1); err != nil || len(refs) != 1 {
		t.Errorf("max 1: %+v (%v)", refs, err)
	}
	if _, err := store.Transition(ctx, lapsed, files.StatusPending, files.Change{To: files.StatusExpired, At: lapsed.UploadExpiresAt, TTL: lapsed.TTL}); err != nil {
		t.Fatal(err)
	}
	if refs, err := store.ExpiredSessions(ctx, now, 100); err != nil || len(refs) != 0 {
		t.Errorf("after EXPIRED is stored: %+v (%v), want none", refs, err)
	}
}
