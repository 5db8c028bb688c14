package streamfeed

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/eventfilter"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// Sweeper emulates DynamoDB TTL, which DynamoDB Local lacks: it deletes items
// whose ttl attribute has passed and hands the cleanup function the same
// REMOVE stream records AWS would (userIdentity dynamodb.amazonaws.com),
// filtered, batched and retried the way Lambda's event source mapping does
// with the template's FilterCriteria, BatchSize and ReportBatchItemFailures.
// It is an emulator of AWS, not part of Filegate.
type Sweeper struct {
	Client  *dynamodb.Client
	Table   string
	Handler s3wiring.CleanupLambda
	Log     *slog.Logger
	// Filters pass a record matching any of them (none: every record), as
	// the event source mapping's FilterCriteria do; BatchSize is its BatchSize
	// (0: its default, 100).
	Filters   []*eventfilter.EventFilter
	BatchSize int
	Attempts  int // deliveries of a failing record before it is dropped (AWS: MaximumRetryAttempts + 1)
	// Marks, if set, learns of each item the sweeper deletes, so stream
	// feeds can tell its REMOVE records as TTL's (see TTLMarks).
	Marks *TTLMarks
	seq   atomic.Int64
}

// SweepResult counts what one sweep did: items removed, records the filters
// let through and the handler finished, and records dropped after retries.
type SweepResult struct {
	Removed, Filtered, Delivered, Dropped int
}

// Sweep removes every expired item now and delivers its REMOVE record.
func (s *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	records, err := s.expire(ctx)
	if err != nil {
		return res, err
	}
	res.Removed = len(records)
	if records, err = filterRecords(s.Filters, records); err != nil {
		return res, err
	}
	res.Filtered = len(records)
	size := cmpOr(s.BatchSize, 100) // the event source mapping's default for streams
	for start := 0; start < len(records); start += size {
		batch := records[start:min(start+size, len(records))]
		d, dropped, err := deliverBatch(ctx, batch, s.Attempts, s.Log, func(ctx context.Context, b []events.DynamoDBEventRecord) ([]events.DynamoDBBatchItemFailure, error) {
			resp, err := s.Handler(ctx, events.DynamoDBEvent{Records: b})
			if err != nil {
				err = fmt.Errorf("cleanup handler: %w", err)
			}
			return resp.BatchItemFailures, err
		})
		res.Delivered += d
		res.Dropped += dropped
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// filterRecords keeps the records Lambda would pass to the function (those
// matching any filter; every record if there are none); the others are gone,
// as filtered-out stream records are.
func filterRecords(filters []*eventfilter.EventFilter, records []events.DynamoDBEventRecord) ([]events.DynamoDBEventRecord, error) {
	if len(filters) == 0 {
		return records, nil
	}
	var kept []events.DynamoDBEventRecord
	for _, r := range records {
		for _, f := range filters {
			ok, err := f.Match(r)
			if err != nil {
				return nil, fmt.Errorf("stream filter: %w", err)
			}
			if ok {
				kept = append(kept, r)
				break
			}
		}
	}
	return kept, nil
}

// expire deletes items whose ttl passed; the delete is conditioned on the
// same ttl, so an item whose expiry moved meanwhile survives, as with TTL.
func (s *Sweeper) expire(ctx context.Context) ([]events.DynamoDBEventRecord, error) {
	now := strconv.FormatInt(time.Now().Unix(), 10)
	var out []events.DynamoDBEventRecord
	p := dynamodb.NewScanPaginator(s.Client, &dynamodb.ScanInput{
		TableName:                 &s.Table,
		FilterExpression:          aws.String("#ttl <= :now"),
		ExpressionAttributeNames:  map[string]string{"#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: now}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("sweeper scan: %w", err)
		}
		for _, item := range page.Items {
			key := map[string]types.AttributeValue{"pk": item["pk"], "sk": item["sk"]}
			var mark string
			if s.Marks != nil {
				mark = s.Marks.mark(key, item["ttl"])
			}
			del, err := s.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
				TableName: &s.Table, Key: key, ReturnValues: types.ReturnValueAllOld,
				ConditionExpression:       aws.String("#ttl = :ttl"),
				ExpressionAttributeNames:  map[string]string{"#ttl": "ttl"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":ttl": item["ttl"]},
			})
			if err != nil || len(del.Attributes) == 0 {
				if s.Marks != nil {
					s.Marks.unmark(mark)
				}
				continue // changed or gone meanwhile
			}
			out = append(out, s.removeRecord(key, del.Attributes))
		}
	}
	return out, nil
}

func (s *Sweeper) removeRecord(key, old map[string]types.AttributeValue) events.DynamoDBEventRecord {
	n := s.seq.Add(1)
	return events.DynamoDBEventRecord{
		AWSRegion: dynamodblocal.LocalRegion, EventID: fmt.Sprintf("local-%d", n), EventName: string(events.DynamoDBOperationTypeRemove),
		EventSource: "aws:dynamodb", EventVersion: "1.1",
		EventSourceArn: "arn:aws:dynamodb:" + dynamodblocal.LocalRegion + ":000000000000:table/" + s.Table + "/stream/local",
		UserIdentity:   &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"},
		Change: events.DynamoDBStreamRecord{
			ApproximateCreationDateTime: events.SecondsEpochTime{Time: time.Now()},
			Keys:                        StreamImage(key), OldImage: StreamImage(old),
			SequenceNumber: fmt.Sprintf("%021d", n), StreamViewType: string(events.DynamoDBStreamViewTypeNewAndOldImages),
		},
	}
}

// deliverBatch invokes a stream handler like an event source mapping: on a
// reported failure it retries from that record on (records before it are
// done), and drops a record that failed every one of its attempts.
func deliverBatch(ctx context.Context, batch []events.DynamoDBEventRecord, maxAttempts int, log *slog.Logger,
	invoke func(context.Context, []events.DynamoDBEventRecord) ([]events.DynamoDBBatchItemFailure, error)) (delivered, dropped int, err error) {
	attempts := 0
	for len(batch) > 0 {
		if err := ctx.Err(); err != nil {
			return delivered, dropped, err // the stack is stopping
		}
		done, err := deliverOnce(ctx, batch, invoke)
		if err != nil {
			return delivered, dropped, err
		}
		delivered += done
		if done == len(batch) {
			return delivered, dropped, nil
		}
		batch = batch[done:]
		if attempts++; attempts >= max(maxAttempts, 1) {
			log.Error("stream: dropping a stream record after retries (the DLQ on AWS)", "eventId", batch[0].EventID)
			batch, dropped, attempts = batch[1:], dropped+1, 0
		}
	}
	return delivered, dropped, nil
}

// deliverOnce invokes a stream handler with batch once: done counts the
// records before the first one it reported failed (all of them when it
// reported none); a handler error fails the whole batch.
func deliverOnce(ctx context.Context, batch []events.DynamoDBEventRecord,
	invoke func(context.Context, []events.DynamoDBEventRecord) ([]events.DynamoDBBatchItemFailure, error)) (done int, err error) {
	failures, err := invoke(ctx, batch)
	if err != nil {
		return 0, err
	}
	done = len(batch)
	for _, f := range failures {
		for i, r := range batch[:done] {
			if r.Change.SequenceNumber == f.ItemIdentifier {
				done = i
				break
			}
		}
	}
	return done, nil
}

// StreamImage converts SDK attribute values to a stream image as Lambda
// passes it (aws-lambda-go's representation).
func StreamImage(item map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	out := make(map[string]events.DynamoDBAttributeValue, len(item))
	for k, v := range item {
		out[k] = streamValue(v)
	}
	return out
}

func streamValue(v types.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	case *types.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			l[i] = streamValue(e)
		}
		return events.NewListAttribute(l)
	case *types.AttributeValueMemberM:
		return events.NewMapAttribute(StreamImage(v.Value))
	default:
		return events.NewNullAttribute()
	}
}
