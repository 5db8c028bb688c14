package dynamostore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/ratelimit"
)

// A rate-limit bucket's one item:
//
//	pk=RATE#<org>#<category> (or RATE#<org>#<project>#<category>) sk=BUCKET  full, ttl
//
// full is when the bucket is full again, in Unix microseconds. Every
// request path may write it (the one item they share: docs/ARCHITECTURE.md
// "Limits and lifetimes"), but each instance only once per batch of tokens
// it leases (ratelimit.Limiter), so the item's writes stay at or under the
// bucket's own rate. Each bucket is a partition of its own: one tenant's
// traffic never heats another's.
const bucketSK = "BUCKET"

func bucketPK(key string) string { return "RATE#" + key }

// bucketKeep is how long an idle bucket's item outlives its fullness: a
// full bucket and a missing item mean the same, so TTL may remove it.
const bucketKeep = time.Hour

// RateBuckets implements ratelimit.Buckets on the table.
type RateBuckets struct {
	client bucketClient
	table  string
}

// bucketClient is the SDK's client, for what guregu/dynamo does not expose:
// the item a refused conditional write found.
type bucketClient interface {
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

var _ ratelimit.Buckets = (*RateBuckets)(nil)

// NewRateBuckets returns the buckets on the named table.
func NewRateBuckets(db *dynamo.DB, table string) *RateBuckets {
	return &RateBuckets{client: db.Client(), table: table}
}

// Take is one conditional UpdateItem: GCRA's max(full, now) + n/rate needs
// a max that update expressions lack, so the two cases are two expressions,
// tried in the order hint suggests. A refusal returns the item as it was
// (ReturnValuesOnConditionCheckFailure; read back where a store does not),
// which tells whether the other case applies: a second write only when the
// caller's view was stale, a third only if another instance changed the
// case meanwhile.
//
// What DynamoDB Local cannot show: it serialises every write and never
// throttles, so locally a take never meets the 1,000-writes-a-second cap
// of one item, nor the throttling (ThrottlingException) a hot partition
// gets on DynamoDB, and racing takes only ever lose their condition, never
// time out. On DynamoDB, leasing keeps a bucket's writes near rate/batch a
// second, far under that cap; a throttled or failed take is an error the
// Limiter answers by admitting (fail open), and conditional failures from
// racing instances cost one more write each, bounded by the random backoff
// (ratelimit.Limiter.take).
func (b *RateBuckets) Take(ctx context.Context, key string, rate, n int, now, hint time.Time) (time.Time, bool, error) {
	if rate <= 0 || n <= 0 || n > rate {
		return time.Time{}, false, errors.New("ratelimit: a take needs 0 < n <= rate")
	}
	nowUS := now.UnixMicro()
	cost := (int64(n)*1_000_000 + int64(rate) - 1) / int64(rate) // rounded up: never a token too many
	// The take fits if max(full, now) + cost <= now + 1 s.
	limit := nowUS + 1_000_000 - cost
	k := map[string]types.AttributeValue{"pk": attrS(bucketPK(key)), "sk": attrS(bucketSK)}
	refilled := hint.IsZero() || hint.UnixMicro() <= nowUS
	for range 3 {
		in := &dynamodb.UpdateItemInput{
			TableName:                           aws.String(b.table),
			Key:                                 k,
			ExpressionAttributeNames:            map[string]string{"#f": "full", "#t": "ttl"},
			ReturnValues:                        types.ReturnValueAllNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}
		if refilled { // the bucket is full: the take starts from now
			in.UpdateExpression = aws.String("SET #f = :next, #t = :ttl")
			in.ConditionExpression = aws.String("attribute_not_exists(#f) OR #f <= :now")
			in.ExpressionAttributeValues = map[string]types.AttributeValue{
				":next": attrN(nowUS + cost), ":now": attrN(nowUS), ":ttl": attrN(ttlOf(nowUS + cost))}
		} else { // it refills: the take queues behind what it lacks
			in.UpdateExpression = aws.String("SET #f = #f + :cost, #t = :ttl")
			in.ConditionExpression = aws.String("#f > :now AND #f <= :limit")
			in.ExpressionAttributeValues = map[string]types.AttributeValue{
				":cost": attrN(cost), ":now": attrN(nowUS), ":limit": attrN(limit), ":ttl": attrN(ttlOf(limit + cost))}
		}
		out, err := b.client.UpdateItem(ctx, in)
		if err == nil {
			full, err := fullOf(out.Attributes)
			return full, err == nil, err
		}
		var failed *types.ConditionalCheckFailedException
		if !errors.As(err, &failed) {
			return time.Time{}, false, classify(err)
		}
		item := failed.Item
		if item == nil {
			got, err := b.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(b.table), Key: k, ConsistentRead: aws.Bool(true)})
			if err != nil {
				return time.Time{}, false, classify(err)
			}
			item = got.Item
		}
		full, err := fullOf(item)
		if err != nil {
			return time.Time{}, false, err
		}
		if full.UnixMicro() > limit {
			return full, false, nil // it holds fewer than n tokens
		}
		refilled = full.IsZero() || full.UnixMicro() <= nowUS
	}
	return time.Time{}, false, classify(errors.New("ratelimit: the bucket changed under three takes in a row"))
}

func ttlOf(fullUS int64) int64 { return time.UnixMicro(fullUS).Add(bucketKeep).Unix() }

func attrS(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func attrN(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// fullOf reads an item's full (zero time: no item, or no value).
func fullOf(item map[string]types.AttributeValue) (time.Time, error) {
	v, ok := item["full"].(*types.AttributeValueMemberN)
	if !ok {
		return time.Time{}, nil
	}
	us, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMicro(us), nil
}
