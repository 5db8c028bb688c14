package localstack

import (
	"context"
	"path/filepath"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
	"github.com/filegate/filegate/infra/localstack/streamfeed"
	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
)

// eventsFeed is the events consumer's event source mapping: the table's
// stream, filtered and batched as the template's mapping says, with the
// sweeper's removals marked as TTL's and its position kept in the data
// dir across restarts (checkpoint.go), as Lambda keeps a mapping's.
func (s *Stack) eventsFeed(f *samtemplate.TemplateFunction, fn eventwiring.EventsLambda, marks *streamfeed.TTLMarks, o Options) (*streamfeed.StreamFeed, error) {
	arn, err := s.streamARN(context.Background())
	if err != nil {
		return nil, err
	}
	feed := &streamfeed.StreamFeed{Streams: s.StreamsClient(), StreamARN: arn, Records: fn, Log: o.Log, BatchSize: f.StreamBatch, Attempts: f.StreamAttempts, Bisect: f.StreamBisect, MaxAge: f.StreamMaxAge,
		TTL: marks, Checkpoint: filepath.Join(s.dataDir, "stream-positions", f.LogicalID+".json")}
	if feed.Filters, err = f.EventFilters(); err != nil {
		return nil, err
	}
	return feed, nil
}

// SendWebhooks runs the scheduled webhook sender once, as its schedule
// does (the template's timeout is the run's deadline): every delivery due
// gets its attempt.
func (s *Stack) SendWebhooks(ctx context.Context) (fileevents.SendReport, error) {
	ctx, cancel := context.WithTimeout(ctx, s.senderTimeout)
	defer cancel()
	return s.Sender(ctx, scheduledEvent)
}
