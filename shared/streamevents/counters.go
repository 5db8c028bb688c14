package streamevents

import (
	"cmp"
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// Counters is the counter consumer's handler: every INSERT, MODIFY and REMOVE
// of a file record moves its project's counts (files; COMPLETED files; files
// held and their bytes, for quotas), so no
// request writes an item another file's request writes too. The event source
// mapping has a tumbling window only because that is how Lambda names a
// batch's shard (ShardID), which the exactly-once guard is keyed by; the
// window's state is not used.
type Counters struct {
	Store files.CountApplier
	Log   *slog.Logger
}

// errNoShard means the mapping lacks TumblingWindowInSeconds.
var errNoShard = errors.New("stream batch without a shardId: the counter consumer's event source needs TumblingWindowInSeconds")

// Handle adds the batch's changes per project, projects in the order of their
// first record. If a project's update fails, that first record is reported as
// the batch item failure: Lambda redelivers from there, and the shard's mark
// on each project's counter skips whatever was already counted.
func (c *Counters) Handle(ctx context.Context, ev events.DynamoDBTimeWindowEvent) (events.DynamoDBTimeWindowEventResponse, error) {
	resp := events.DynamoDBTimeWindowEventResponse{}
	resp.State = map[string]string{}
	if len(ev.Records) == 0 {
		return resp, nil // a window's closing call
	}
	if ev.ShardID == "" {
		return resp, errNoShard
	}
	type project struct {
		first   string // sequence number of its first record in the batch
		changes []files.CountChange
	}
	var order []string
	byProject := map[string]*project{}
	for _, rec := range ev.Records {
		id, ch, ok := c.change(ctx, rec)
		if !ok {
			continue
		}
		p := byProject[id]
		if p == nil {
			p = &project{first: ch.Seq}
			byProject[id] = p
			order = append(order, id)
		}
		p.changes = append(p.changes, ch)
	}
	for _, id := range order {
		p := byProject[id]
		if err := c.Store.ApplyCounts(ctx, id, ev.ShardID, p.changes); err != nil {
			c.Log.ErrorContext(ctx, "counting failed; will be retried", "projectId", id, "shardId", ev.ShardID, "err", err)
			resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: p.first}}
			return resp, nil
		}
	}
	return resp, nil
}

// change is what rec changes in its project's counts; ok is false for
// records that are not about file records.
func (c *Counters) change(ctx context.Context, rec events.DynamoDBEventRecord) (string, files.CountChange, bool) {
	before, errOld := fileOf(rec.Change.OldImage)
	after, errNew := fileOf(rec.Change.NewImage)
	if err := errors.Join(errOld, errNew); err != nil {
		c.Log.WarnContext(ctx, "skipping unreadable stream image", "eventId", rec.EventID, "err", err)
		return "", files.CountChange{}, false // permanent: retrying cannot help
	}
	f := cmp.Or(after, before)
	if f == nil {
		return "", files.CountChange{}, false // a counter, key, lease, idempotency record
	}
	ch := files.CountChange{Seq: rec.Change.SequenceNumber, ID: f.ID, Completed: completed(after) - completed(before),
		Held: held(after) - held(before), Bytes: heldBytes(after) - heldBytes(before)}
	switch events.DynamoDBOperationType(rec.EventName) {
	case events.DynamoDBOperationTypeInsert:
		ch.Files = 1
	case events.DynamoDBOperationTypeRemove:
		ch.Files = -1
	}
	return f.ProjectID, ch, true
}

// fileOf is the file record in a stream image; nil if there is no image or
// it is not a file record.
func fileOf(img map[string]events.DynamoDBAttributeValue) (*files.File, error) {
	if len(img) == 0 {
		return nil, nil
	}
	item, err := ItemFromImage(img)
	if err != nil {
		return nil, err
	}
	f, _ := dynamostore.FileFromItem(item)
	return f, nil
}

// held is 1 for a file its project holds (its quota counts it): PENDING,
// its declared size reserved, or COMPLETED.
func held(f *files.File) int {
	if f != nil && (f.Status == files.StatusPending || f.Status == files.StatusCompleted) {
		return 1
	}
	return 0
}

func heldBytes(f *files.File) int64 {
	if held(f) == 0 {
		return 0
	}
	return f.SizeBytes
}

func completed(f *files.File) int {
	if f != nil && f.Status == files.StatusCompleted {
		return 1
	}
	return 0
}
