// Package streamevents adapts the files table's DynamoDB stream to what
// follows a write: Cleanup hands TTL's removals of file records to the
// files.Expiry use case (their objects are deleted), and Counters applies
// every file record's change to its project's counts.
package streamevents

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// ttlPrincipal is the userIdentity of a REMOVE that TTL (not a client) made.
const ttlPrincipal = "dynamodb.amazonaws.com"

// Cleanup is the cleanup Lambda's handler.
type Cleanup struct {
	Expiry *files.Expiry
	Log    *slog.Logger
}

// Handle processes records in order and stops at the first failure, reporting
// it as the batch item failure: Lambda then resumes from that record, so
// records before it are never reprocessed and records after it are processed
// once, on the retry (ReportBatchItemFailures semantics for streams).
func (c *Cleanup) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	for _, rec := range ev.Records {
		if err := c.record(ctx, rec); err != nil {
			c.Log.ErrorContext(ctx, "cleanup failed; will be retried", "eventId", rec.EventID, "err", err)
			resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: rec.Change.SequenceNumber}}
			return resp, nil
		}
	}
	return resp, nil
}

func (c *Cleanup) record(ctx context.Context, rec events.DynamoDBEventRecord) error {
	if !IsTTLRemove(rec) {
		return nil // the template's filter lets only TTL removes through; be safe anyway
	}
	item, err := ItemFromImage(rec.Change.OldImage)
	if err != nil {
		c.Log.WarnContext(ctx, "skipping unreadable stream image", "eventId", rec.EventID, "err", err)
		return nil // permanent: retrying cannot help
	}
	f, ok := dynamostore.FileFromItem(item)
	if !ok {
		return nil // not a file record (counter, key, idempotency record)
	}
	if err := c.Expiry.Removed(ctx, f); err != nil {
		return err
	}
	c.Log.InfoContext(ctx, "expired file cleaned up", "projectId", f.ProjectID, "fileId", f.ID, "status", f.Status)
	return nil
}

// IsTTLRemove reports whether rec is a REMOVE made by DynamoDB's TTL.
func IsTTLRemove(rec events.DynamoDBEventRecord) bool {
	return rec.EventName == string(events.DynamoDBOperationTypeRemove) &&
		rec.UserIdentity != nil && rec.UserIdentity.Type == "Service" && rec.UserIdentity.PrincipalID == ttlPrincipal
}
