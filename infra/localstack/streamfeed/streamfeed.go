// Package streamfeed feeds the table's DynamoDB stream to the stream-triggered
// functions as Lambda's event source mapping does (batches, filters, retries,
// checkpoints), and emulates DynamoDB TTL (the Sweeper), whose removals reach
// the same feeds.
package streamfeed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/filegate/filegate/infra/localstack/eventfilter"
	"github.com/filegate/filegate/shared/wiring"
)

// StreamFeed emulates the counter consumer's event source mapping: it reads
// every INSERT, MODIFY and REMOVE from the table's stream as DynamoDB Local
// serves it, and hands them to the handler the way Lambda does with the
// template's FilterCriteria, BatchSize, TumblingWindowInSeconds (each event
// names its shard), ReportBatchItemFailures (a batch is retried from the
// failed record), BisectBatchOnFunctionError, MaximumRetryAttempts and
// MaximumRecordAgeInSeconds: a shard whose batch failed is retried from
// that record at the next poll (the mapping's backoff), half the failed
// batch at a time if Bisect, and nothing after it is delivered before it;
// a record is given up after Attempts failed deliveries on its own (bisected
// retries do not count) or once older than MaxAge. On AWS what is given up
// goes to the mapping's queue as pointers into the stream; the local stack
// has no queue and logs it instead. The TTL sweeper's own DeleteItem shows here as a REMOVE
// like any other, and is counted once: its synthetic TTL record goes only to
// the cleanup function. It is an emulator of AWS, not part of Filegate.
type StreamFeed struct {
	Streams   *dynamodbstreams.Client
	StreamARN string
	Handler   wiring.CountersLambda
	Log       *slog.Logger
	Filters   []*eventfilter.EventFilter
	BatchSize int           // 0: the mapping's default, 100
	Attempts  int           // deliveries of a failing record before it is dropped; 0: never
	Bisect    bool          // a failed batch is retried in halves
	MaxAge    time.Duration // records older are dropped undelivered; 0: never
	Now       func() time.Time
	// Records, if Handler is nil, is the handler: one taking plain stream
	// batches (no tumbling window), such as the events consumer's.
	Records func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
	// TTL, if set, marks the sweeper's removals as TTL's (see TTLMarks).
	TTL *TTLMarks
	// Checkpoint, if set, is a file keeping each shard's last delivered
	// record across restarts, as an event source mapping keeps its position:
	// a feed started on it resumes after that record instead of at the
	// stream's start (see checkpoint.go).
	Checkpoint string

	mu     sync.Mutex // one poll at a time, as one mapping reads a shard
	shards map[string]*shardReader
}

type shardReader struct {
	iterator  string
	last      string                       // sequence number of the last record read
	delivered string                       // sequence number of the last record delivered
	done      bool                         // closed and read to its end
	pending   []events.DynamoDBEventRecord // read, filtered, not yet delivered
	attempts  int                          // failed deliveries of pending[0]
	bisected  int                          // the size of the next batch after a failure (Bisect); 0: the full size
}

// Poll reads every shard to its current end and delivers what it read and
// what earlier polls could not; it returns the records delivered.
func (f *StreamFeed) Poll(ctx context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.shards == nil {
		f.shards = map[string]*shardReader{}
		for shard, seq := range readCheckpoint(f.Checkpoint, f.Log) {
			f.shards[shard] = &shardReader{last: seq, delivered: seq}
		}
	}
	desc, err := f.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: &f.StreamARN})
	if err != nil {
		return 0, fmt.Errorf("stream feed: %w", err)
	}
	delivered := 0
	for _, sh := range desc.StreamDescription.Shards {
		id := aws.ToString(sh.ShardId)
		r := f.shards[id]
		if r == nil {
			r = &shardReader{}
			f.shards[id] = r
		}
		if !r.done {
			records, err := f.read(ctx, id, r)
			if err != nil {
				return delivered, err
			}
			if records, err = filterRecords(f.Filters, records); err != nil {
				return delivered, err
			}
			r.pending = append(r.pending, records...)
		}
		before := r.delivered
		d, err := f.deliver(ctx, id, r)
		delivered += d
		if r.delivered != before {
			f.saveCheckpoint()
		}
		if err != nil {
			return delivered, err
		}
	}
	return delivered, nil
}

// deliver hands the shard's pending records to the handler in batches, in
// order, until one fails: that one waits for the next poll, and is dropped
// (the DLQ on AWS) after Attempts failed deliveries. The error is only the
// stack stopping.
func (f *StreamFeed) deliver(ctx context.Context, shard string, r *shardReader) (int, error) {
	delivered := 0
	for len(r.pending) > 0 {
		if f.tooOld(r.pending[0]) {
			f.Log.Error("stream: dropping a stream record older than the mapping's MaximumRecordAgeInSeconds (the DLQ on AWS)", "eventId", r.pending[0].EventID)
			r.delivered = r.pending[0].Change.SequenceNumber
			r.pending, r.attempts = r.pending[1:], 0
			continue
		}
		size := cmpOr(f.BatchSize, 100)
		if r.bisected > 0 {
			size = r.bisected
		}
		batch := r.pending[:min(size, len(r.pending))]
		done, err := deliverOnce(ctx, batch, func(ctx context.Context, b []events.DynamoDBEventRecord) ([]events.DynamoDBBatchItemFailure, error) {
			if f.Handler == nil {
				resp, err := f.Records(ctx, events.DynamoDBEvent{Records: b})
				return resp.BatchItemFailures, err
			}
			ev := events.DynamoDBTimeWindowEvent{DynamoDBEvent: events.DynamoDBEvent{Records: b}}
			ev.ShardID, ev.EventSourceARN = shard, f.StreamARN
			resp, err := f.Handler(ctx, ev)
			return resp.BatchItemFailures, err
		})
		if cerr := ctx.Err(); cerr != nil {
			return delivered, cerr // the stack is stopping
		}
		delivered += done
		if done > 0 {
			r.delivered = r.pending[done-1].Change.SequenceNumber
		}
		r.pending = r.pending[done:]
		if done == len(batch) {
			r.attempts, r.bisected = 0, 0
			continue
		}
		if done > 0 {
			r.attempts = 0 // a new record failed
		}
		if rest := len(batch) - done; f.Bisect && rest > 1 {
			r.bisected = (rest + 1) / 2 // close in on the failing record; not an attempt of its own
			break
		}
		r.attempts++
		f.Log.Warn("stream: counters batch failed; retrying it at the next poll", "shard", shard, "attempt", r.attempts, "err", err)
		if f.Attempts == 0 || r.attempts < f.Attempts {
			break
		}
		f.Log.Error("stream: dropping a stream record after retries (the DLQ on AWS)", "eventId", r.pending[0].EventID)
		r.delivered = r.pending[0].Change.SequenceNumber
		r.pending, r.attempts = r.pending[1:], 0
	}
	return delivered, nil
}

// tooOld: rec is past the mapping's MaximumRecordAgeInSeconds.
func (f *StreamFeed) tooOld(rec events.DynamoDBEventRecord) bool {
	at := rec.Change.ApproximateCreationDateTime.Time
	if f.MaxAge <= 0 || at.IsZero() {
		return false
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	return now().Sub(at) > f.MaxAge
}

// read returns the shard's records after the last one read.
func (f *StreamFeed) read(ctx context.Context, shard string, r *shardReader) ([]events.DynamoDBEventRecord, error) {
	var out []events.DynamoDBEventRecord
	for {
		if r.iterator == "" {
			in := &dynamodbstreams.GetShardIteratorInput{StreamArn: &f.StreamARN, ShardId: &shard, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon}
			if r.last != "" {
				in.ShardIteratorType, in.SequenceNumber = streamtypes.ShardIteratorTypeAfterSequenceNumber, &r.last
			}
			it, err := f.Streams.GetShardIterator(ctx, in)
			if err != nil && r.last != "" && r.last == r.delivered && len(out) == 0 && r.iterator == "" && f.Checkpoint != "" {
				// A checkpoint the stream no longer knows: from its start.
				f.Log.Warn("stream feed: the checkpoint is not in the stream; reading it from its start", "shard", shard, "err", err)
				r.last, r.delivered = "", ""
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("stream feed: shard iterator: %w", err)
			}
			r.iterator = aws.ToString(it.ShardIterator)
		}
		page, err := f.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: &r.iterator})
		var expired *streamtypes.ExpiredIteratorException
		if errors.As(err, &expired) {
			r.iterator = ""
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("stream feed: records: %w", err)
		}
		for _, rec := range page.Records {
			ev, err := eventRecord(rec, f.StreamARN)
			if err != nil {
				return nil, err
			}
			if f.TTL != nil {
				f.TTL.annotate(&ev)
			}
			out = append(out, ev)
			r.last = ev.Change.SequenceNumber
		}
		if page.NextShardIterator == nil {
			r.done, r.iterator = true, ""
			return out, nil
		}
		r.iterator = aws.ToString(page.NextShardIterator)
		if len(page.Records) == 0 {
			return out, nil // the shard's current end
		}
	}
}

// eventRecord is a stream record as Lambda passes it.
func eventRecord(rec streamtypes.Record, arn string) (events.DynamoDBEventRecord, error) {
	d := rec.Dynamodb
	keys, err := attributevalue.FromDynamoDBStreamsMap(d.Keys)
	if err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	oldImg, err := attributevalue.FromDynamoDBStreamsMap(d.OldImage)
	if err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	newImg, err := attributevalue.FromDynamoDBStreamsMap(d.NewImage)
	if err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	ev := events.DynamoDBEventRecord{
		AWSRegion: aws.ToString(rec.AwsRegion), EventID: aws.ToString(rec.EventID), EventName: string(rec.EventName),
		EventSource: "aws:dynamodb", EventVersion: aws.ToString(rec.EventVersion), EventSourceArn: arn,
		Change: events.DynamoDBStreamRecord{
			Keys: StreamImage(keys), OldImage: StreamImage(oldImg), NewImage: StreamImage(newImg),
			SequenceNumber: aws.ToString(d.SequenceNumber), SizeBytes: aws.ToInt64(d.SizeBytes), StreamViewType: string(d.StreamViewType),
		},
	}
	if d.ApproximateCreationDateTime != nil {
		ev.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: *d.ApproximateCreationDateTime}
	}
	if u := rec.UserIdentity; u != nil {
		ev.UserIdentity = &events.DynamoDBUserIdentity{Type: aws.ToString(u.Type), PrincipalID: aws.ToString(u.PrincipalId)}
	}
	return ev, nil
}

func cmpOr(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}
