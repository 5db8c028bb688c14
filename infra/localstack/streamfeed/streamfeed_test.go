package streamfeed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// flakyCounters fails every batch while down, then reports the failure of
// one record once; it keeps the sequence numbers of what it finished.
type flakyCounters struct {
	down      bool
	failOnce  string
	finished  []string
	shardSeen string
}

func (h *flakyCounters) handle(_ context.Context, ev events.DynamoDBTimeWindowEvent) (events.DynamoDBTimeWindowEventResponse, error) {
	h.shardSeen = ev.ShardID
	if h.down {
		return events.DynamoDBTimeWindowEventResponse{}, errors.New("table unavailable")
	}
	for _, r := range ev.Records {
		if seq := r.Change.SequenceNumber; seq == h.failOnce {
			h.failOnce = ""
			return events.DynamoDBTimeWindowEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: seq}}}, nil
		} else {
			h.finished = append(h.finished, seq)
		}
	}
	return events.DynamoDBTimeWindowEventResponse{}, nil
}

func streamRecords(n int) ([]events.DynamoDBEventRecord, []string) {
	var recs []events.DynamoDBEventRecord
	var seqs []string
	for i := range n {
		seq := fmt.Sprintf("%021d", i+1)
		recs = append(recs, events.DynamoDBEventRecord{EventID: seq, Change: events.DynamoDBStreamRecord{SequenceNumber: seq}})
		seqs = append(seqs, seq)
	}
	return recs, seqs
}

// An outage longer than any burst of retries loses no count: the feed keeps
// a failed batch for the next poll, as the template's mapping retries until
// MaximumRetryAttempts, and delivers nothing after it first; a record a
// handler reports failed is retried from there.
func TestStreamFeedKeepsFailedRecordsForTheNextPoll(t *testing.T) {
	ctx := context.Background()
	h := &flakyCounters{down: true}
	f := &StreamFeed{Handler: h.handle, Log: slog.New(slog.DiscardHandler), BatchSize: 4, Attempts: 10001}
	recs, want := streamRecords(10)
	r := &shardReader{pending: recs}
	for poll := range 20 { // 5 s of polls with the table down
		if n, err := f.deliver(ctx, "shard-1", r); err != nil || n != 0 {
			t.Fatalf("poll %d while down: %d delivered, %v", poll, n, err)
		}
	}
	if len(r.pending) != 10 {
		t.Fatalf("%d records pending after the outage, want 10: the feed dropped some", len(r.pending))
	}
	h.down, h.failOnce = false, want[5]
	n, _ := f.deliver(ctx, "shard-1", r)
	if n != 5 || len(r.pending) != 5 {
		t.Fatalf("first poll after: %d delivered, %d pending; want 5 and 5 (stopped at the reported failure)", n, len(r.pending))
	}
	if n, _ := f.deliver(ctx, "shard-1", r); n != 5 || len(r.pending) != 0 {
		t.Fatalf("second poll after: %d delivered, %d pending; want 5 and 0", n, len(r.pending))
	}
	if !slices.Equal(h.finished, want) || h.shardSeen != "shard-1" {
		t.Fatalf("finished %v on %q, want every record once, in order, on shard-1", h.finished, h.shardSeen)
	}
}

// Past the mapping's attempts a record goes (to the DLQ on AWS), and the
// ones after it follow.
func TestStreamFeedDropsARecordAfterItsAttempts(t *testing.T) {
	ctx := context.Background()
	recs, want := streamRecords(3)
	h := &flakyCounters{}
	failing := func(ctx context.Context, ev events.DynamoDBTimeWindowEvent) (events.DynamoDBTimeWindowEventResponse, error) {
		if ev.Records[0].Change.SequenceNumber == want[0] {
			return events.DynamoDBTimeWindowEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: want[0]}}}, nil
		}
		return h.handle(ctx, ev)
	}
	f := &StreamFeed{Handler: failing, Log: slog.New(slog.DiscardHandler), Attempts: 3}
	r := &shardReader{pending: recs}
	for range 3 {
		_, _ = f.deliver(ctx, "shard-1", r)
	}
	if !slices.Equal(h.finished, want[1:]) {
		t.Fatalf("finished %v, want %v: the poisoned record dropped after 3 attempts, the rest delivered", h.finished, want[1:])
	}
}
