package dynamostore

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/fileevents"
)

// Webhook deliveries waiting for a retry share the index under shards of
// their own, rpk=D#<nn> (rat: the next attempt). A second "what is due
// when" index would cost a second GSI, and DynamoDB (so a CloudFormation
// stack update) creates one GSI per UpdateTable: a release adding two
// fails to update an existing stack. Due reads only the R# shards and
// Webhooks.Due only the D# ones, so neither sees the other's entries.
const (
	// retryShards spreads pending deliveries by a hash of the delivery, so
	// a receiver down for a burst of events cannot throttle the index: about
	// retryShards × 1,000 writes a second. Fixed, like reconcileShards.
	retryShards = 16
	// retryPage bounds one Query of the retry shards.
	retryPage = 200
)

// retryPK is the index shard of a delivery waiting for a retry.
func retryPK(endpointID, eventID string) string {
	return fmt.Sprintf("D#%02d", shardOf(endpointID+"/"+eventID, retryShards))
}

// retryIndex sets u's index attributes to a delivery's next attempt at, or
// removes them when at is zero.
func retryIndex(u *dynamo.Update, endpointID, eventID string, at time.Time) {
	if at.IsZero() {
		u.Remove(reconcileAttrs...)
		return
	}
	u.Set("rpk", retryPK(endpointID, eventID)).Set("rat", at.UnixMilli())
}

// Due lists the deliveries whose next attempt is due by before: every
// retry shard's entries with rat <= before, oldest first within a shard,
// a page (one Query) at a time as the caller ranges over them. It stops at
// the first error it yields.
func (w *Webhooks) Due(ctx context.Context, before time.Time) iter.Seq2[fileevents.DeliveryKey, error] {
	return func(yield func(fileevents.DeliveryKey, error) bool) {
		for r, err := range dueEntries(ctx, w.table, "D#", retryShards, retryPage, before) {
			if err != nil {
				yield(fileevents.DeliveryKey{}, err)
				return
			}
			rest, ok := strings.CutPrefix(str(r["pk"]), "D#")
			i := strings.LastIndexByte(rest, '#')
			if ok && i >= 0 && !yield(fileevents.DeliveryKey{EndpointID: rest[:i], EventID: str(r["sk"])}, nil) {
				return
			}
		}
	}
}
