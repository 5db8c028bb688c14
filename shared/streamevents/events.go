package streamevents

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/fileevents"
)

// Events is the events consumer's handler: every change to a file record
// goes to fileevents.Dispatcher, which makes it an event (if it is one),
// publishes it and delivers it to the project's webhook endpoints.
type Events struct {
	Dispatcher *fileevents.Dispatcher
	Log        *slog.Logger
}

// Handle dispatches the batch in order. The first change not done is
// reported as the batch item failure: Lambda redelivers from that record,
// so nothing stored is lost; records before it are never redelivered.
func (e *Events) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	changes := make([]fileevents.Change, len(ev.Records))
	for i, rec := range ev.Records {
		before, errOld := fileOf(rec.Change.OldImage)
		after, errNew := fileOf(rec.Change.NewImage)
		if errOld != nil || errNew != nil {
			e.Log.WarnContext(ctx, "skipping unreadable stream image", "eventId", rec.EventID, "errOld", errOld, "errNew", errNew)
			continue // permanent: retrying cannot help; no event
		}
		changes[i] = fileevents.Change{Old: before, New: after, ByTTL: IsTTLRemove(rec), At: rec.Change.ApproximateCreationDateTime.Time}
	}
	done, err := e.Dispatcher.Dispatch(ctx, changes)
	if err != nil && done < len(ev.Records) {
		e.Log.ErrorContext(ctx, "events: batch not done; will be retried", "done", done, "of", len(ev.Records), "err", err)
		resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: ev.Records[done].Change.SequenceNumber}}
	}
	return resp, nil
}
