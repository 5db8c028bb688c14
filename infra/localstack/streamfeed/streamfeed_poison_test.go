package streamfeed

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// perProject answers as the counter consumer does (streamevents.Counters):
// a batch's records are counted per project, projects in the order of their
// first record; a project whose update fails (here: one holding the poison
// record) stops the batch and its first record is the batch item failure.
type perProject struct {
	poison  string
	counted map[string]int // sequence number -> times counted
	calls   int
}

func (h *perProject) handle(_ context.Context, ev events.DynamoDBTimeWindowEvent) (events.DynamoDBTimeWindowEventResponse, error) {
	h.calls++
	var order []string
	byProject := map[string][]string{}
	for _, r := range ev.Records {
		p := r.Change.Keys["pk"].String()
		if byProject[p] == nil {
			order = append(order, p)
		}
		byProject[p] = append(byProject[p], r.Change.SequenceNumber)
	}
	for _, p := range order {
		if slices.Contains(byProject[p], h.poison) {
			return events.DynamoDBTimeWindowEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: byProject[p][0]}}}, nil
		}
		for _, seq := range byProject[p] {
			h.counted[seq]++
		}
	}
	return events.DynamoDBTimeWindowEventResponse{}, nil
}

// records of 3 projects, interleaved, made at made.
func projectRecords(n int, made time.Time) []events.DynamoDBEventRecord {
	var recs []events.DynamoDBEventRecord
	for i := range n {
		seq := fmt.Sprintf("%021d", i+1)
		recs = append(recs, events.DynamoDBEventRecord{EventID: seq, Change: events.DynamoDBStreamRecord{
			SequenceNumber: seq, ApproximateCreationDateTime: events.SecondsEpochTime{Time: made},
			Keys: map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(fmt.Sprintf("P#%d", i%3))},
		}})
	}
	return recs
}

// A record the counter consumer can never count costs its shard a bounded
// number of polls, not the stream's 24 h: the feed, set as the template sets
// the counters' mapping, splits the failing batch until the poison record
// fails alone, gives it up after its attempts, and every other record of
// the shard (its own project's too) is counted.
func TestStreamFeedGivesUpAPoisonRecordAndCountsTheRest(t *testing.T) {
	f := samtemplate.Repo(t).Functions["CountersFunction"]
	if f == nil || !f.StreamBisect || f.StreamAttempts == 0 || f.StreamAttempts > 101 {
		t.Fatalf("CountersFunction's mapping: %+v, want BisectBatchOnFunctionError and at most 100 retries", f)
	}
	recs := projectRecords(100, time.Now())
	h := &perProject{poison: recs[57].Change.SequenceNumber, counted: map[string]int{}}
	feed := &StreamFeed{Handler: h.handle, Log: slog.New(slog.DiscardHandler), BatchSize: f.StreamBatch,
		Attempts: f.StreamAttempts, Bisect: f.StreamBisect, MaxAge: f.StreamMaxAge}
	r := &shardReader{pending: recs}
	polls := 0
	for len(r.pending) > 0 && polls < 1000 {
		polls++
		if _, err := feed.deliver(context.Background(), "shard-1", r); err != nil {
			t.Fatal(err)
		}
	}
	if len(r.pending) != 0 {
		t.Fatalf("%d records still pending after %d polls: the poison record stalls the shard", len(r.pending), polls)
	}
	// Bisecting 100 records takes about 2 x log2(100) polls; then its attempts.
	if limit := f.StreamAttempts + 15; polls > limit {
		t.Errorf("%d polls to get past the poison record, want at most %d", polls, limit)
	}
	for _, rec := range recs {
		seq := rec.Change.SequenceNumber
		if seq == h.poison && h.counted[seq] != 0 || seq != h.poison && h.counted[seq] == 0 {
			t.Errorf("record %s counted %d times (poison %s)", seq, h.counted[seq], h.poison)
		}
	}
}

// Past the mapping's MaximumRecordAgeInSeconds a failing record is given up
// whatever its attempts: an outage or a poison record holds a shard back at
// most that long.
func TestStreamFeedGivesUpRecordsPastTheirAge(t *testing.T) {
	now := time.Now()
	recs := projectRecords(10, now.Add(-2*time.Hour))
	recs = append(recs, projectRecords(1, now)...)
	recs[10].Change.SequenceNumber = fmt.Sprintf("%021d", 11)
	h := &flakyCounters{down: true}
	feed := &StreamFeed{Handler: h.handle, Log: slog.New(slog.DiscardHandler), Attempts: 10001, MaxAge: time.Hour, Now: func() time.Time { return now }}
	r := &shardReader{pending: recs}
	if _, err := feed.deliver(context.Background(), "shard-1", r); err != nil {
		t.Fatal(err)
	}
	if len(r.pending) != 1 || r.pending[0].Change.SequenceNumber != recs[10].Change.SequenceNumber {
		t.Fatalf("%d pending, want only the record younger than MaxAge", len(r.pending))
	}
	h.down = false
	if n, _ := feed.deliver(context.Background(), "shard-1", r); n != 1 || len(r.pending) != 0 {
		t.Fatalf("after the outage: %d delivered, %d pending; want the young record delivered", n, len(r.pending))
	}
}
