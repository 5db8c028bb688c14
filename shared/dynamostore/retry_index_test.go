package dynamostore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/files"
)

// dueDeliveries is every delivery the webhooks store lists as due by before.
func dueDeliveries(t *testing.T, w *dynamostore.Webhooks, before time.Time) []string {
	t.Helper()
	var ids []string
	for k, err := range w.Due(context.Background(), before) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, k.EndpointID+"/"+k.EventID)
	}
	slices.Sort(ids)
	return ids
}

// Pending deliveries share reconcile's index under shards of their own:
// Webhooks.Due lists them across every shard and page, only those due;
// Store.Due (reconcile) never sees them, nor Webhooks.Due a file. A claim
// moves a delivery's time to its lease, finishing it (delivered) takes it
// out, a replay puts it back.
func TestDeliveriesDueShareReconcileIndex(t *testing.T) {
	tab, store := openStore(t)
	hooks := dynamostore.NewWebhooks(tab.db, tab.name)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)

	f := pending(projectA, "a.pdf")
	f.ReconcileAt = now.Add(-time.Minute)
	if err := store.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 450 { // more than a page of a shard, in every shard
		d := &fileevents.Delivery{EndpointID: fmt.Sprintf("whe_%d", i%3), ProjectID: projectA, EventID: fmt.Sprintf("evt_%04d", i),
			EventType: fileevents.Completed, FileID: f.ID, Body: []byte("{}"), Status: fileevents.DeliveryPending,
			WindowStart: now.Add(-time.Hour), NextAttempt: now.Add(-time.Second)}
		if i%5 == 0 {
			d.NextAttempt = now.Add(time.Hour) // not yet due
		} else {
			want = append(want, d.EndpointID+"/"+d.EventID)
		}
		if err := hooks.Record(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(want)
	if got := dueDeliveries(t, hooks, now); !slices.Equal(got, want) {
		t.Fatalf("deliveries due now: %d, want the %d whose time has come", len(got), len(want))
	}
	if got := due(t, store, now.Add(2*time.Hour)); !slices.Equal(got, []files.FileID{f.ID}) {
		t.Fatalf("reconcile's Due lists %d entries, want only the file: it must never read the deliveries' shards", len(got))
	}

	k := fileevents.DeliveryKey{EndpointID: "whe_1", EventID: "evt_0001"}
	lease := now.Add(30 * time.Second)
	d, err := hooks.Claim(ctx, k, now, lease)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(dueDeliveries(t, hooks, now), k.EndpointID+"/"+k.EventID) {
		t.Error("a claimed delivery is still due before its lease ends")
	}
	if !slices.Contains(dueDeliveries(t, hooks, lease), k.EndpointID+"/"+k.EventID) {
		t.Error("a claimed delivery is not due again when its lease ends (a sender that died holds it for ever)")
	}
	d.Status, d.NextAttempt = fileevents.DeliveryDelivered, time.Time{}
	d.Attempts = append(d.Attempts, fileevents.Attempt{At: now, StatusCode: 204})
	if err := hooks.Finish(ctx, d); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(dueDeliveries(t, hooks, now.Add(2*time.Hour)), k.EndpointID+"/"+k.EventID) {
		t.Error("a delivered delivery is still in the index")
	}
	if _, err := hooks.Requeue(ctx, k, now); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(dueDeliveries(t, hooks, now), k.EndpointID+"/"+k.EventID) {
		t.Error("a replayed delivery is not due")
	}
	if _, err := hooks.Requeue(ctx, fileevents.DeliveryKey{EndpointID: "whe_9", EventID: "evt_9999"}, now); err != files.ErrNotFound {
		t.Errorf("replaying an unknown delivery: %v, want ErrNotFound", err)
	}
}
