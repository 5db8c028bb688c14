package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/filegate/filegate/infra/localstack/streamfeed"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/streamevents"
)

// counts reads a project's two counts as the listings do.
func counts(t *testing.T, store *dynamostore.Store, projectID string) (int, int) {
	t.Helper()
	_, n, err := store.List(context.Background(), projectID, 1, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	c, err := store.CountCompleted(context.Background(), projectID, files.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return n, c
}

func inserts(from, n int) []files.CountChange {
	var out []files.CountChange
	for i := range n {
		out = append(out, files.CountChange{Seq: strconv.Itoa(from + i), Files: 1, Completed: 1})
	}
	return out
}

// A batch Lambda delivers again counts once, and a redelivery that overlaps
// what was counted (Lambda resumes from a failed record) adds only the rest.
func TestApplyCountsCountsARedeliveredBatchOnce(t *testing.T) {
	_, store := openStore(t)
	ctx := context.Background()
	batch := inserts(98, 4) // 98..101: the mark must compare as a number, not as text
	for range 2 {
		if err := store.ApplyCounts(ctx, projectA, "shard-1", batch); err != nil {
			t.Fatal(err)
		}
	}
	if n, c := counts(t, store, projectA); n != 4 || c != 4 {
		t.Fatalf("after a batch delivered twice: %d files, %d completed; want 4, 4", n, c)
	}
	if err := store.ApplyCounts(ctx, projectA, "shard-1", inserts(100, 5)); err != nil { // 100..104: 100 and 101 counted
		t.Fatal(err)
	}
	if n, c := counts(t, store, projectA); n != 7 || c != 7 {
		t.Fatalf("after an overlapping redelivery: %d files, %d completed; want 7, 7", n, c)
	}
}

// Each shard keeps its own mark: DynamoDB Local has one shard, so the
// shards here are named by hand, as AWS's event source mapping names them.
// Sequence numbers of different shards are not comparable, so a low number
// on one shard is counted after a high one on another, and a replay of
// either is not.
func TestApplyCountsKeepsAMarkPerShard(t *testing.T) {
	_, store := openStore(t)
	ctx := context.Background()
	steps := []struct {
		shard string
		batch []files.CountChange
	}{
		{"shard-a", inserts(500, 3)},
		{"shard-b", inserts(10, 2)},  // lower than shard-a's mark: still new
		{"shard-a", inserts(501, 3)}, // 501, 502 counted; 503 new
		{"shard-b", inserts(10, 2)},  // replay
		{"shard-c", inserts(10, 1)},  // a third shard (after a split)
		{"shard-b", []files.CountChange{{Seq: "12", Files: -1, Completed: -1}}},
	}
	for _, s := range steps {
		if err := store.ApplyCounts(ctx, projectA, s.shard, s.batch); err != nil {
			t.Fatal(err)
		}
	}
	if n, c := counts(t, store, projectA); n != 6 || c != 6 {
		t.Fatalf("%d files, %d completed; want 6, 6 (3+1 on a, 2-1 on b, 1 on c)", n, c)
	}
	if n, _ := counts(t, store, projectB); n != 0 {
		t.Errorf("another project counts %d files", n)
	}
}

// A shard silent for longer than a stream record lives loses its mark, so
// the counter item does not grow with every shard the stream ever had.
func TestApplyCountsDropsMarksOfShardsPastRetention(t *testing.T) {
	tab, store := openStore(t)
	ctx := context.Background()
	if err := store.ApplyCounts(ctx, projectA, "old", inserts(1, 1)); err != nil {
		t.Fatal(err)
	}
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "P#" + projectA}, "sk": &types.AttributeValueMemberS{Value: "COUNT"}}
	old := strconv.FormatInt(time.Now().Add(-26*time.Hour).Unix(), 10)
	if _, err := tab.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(tab.name), Key: key,
		UpdateExpression: aws.String("SET #at = :old"), ExpressionAttributeNames: map[string]string{"#at": "at#old"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":old": &types.AttributeValueMemberN{Value: old}}}); err != nil {
		t.Fatal(err)
	}
	if err := store.ApplyCounts(ctx, projectA, "new", inserts(1, 1)); err != nil {
		t.Fatal(err)
	}
	out, err := tab.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tab.name), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"seq#old", "at#old"} {
		if _, ok := out.Item[name]; ok {
			t.Errorf("%s is still on the counter item", name)
		}
	}
	for _, name := range []string{"seq#new", "at#new"} {
		if _, ok := out.Item[name]; !ok {
			t.Errorf("%s is missing from the counter item", name)
		}
	}
}

// failingOnce fails the first ApplyCounts for one project.
type failingOnce struct {
	*dynamostore.Store
	project string
	failed  bool
}

func (f *failingOnce) ApplyCounts(ctx context.Context, projectID, shard string, ch []files.CountChange) error {
	if projectID == f.project && !f.failed {
		f.failed = true
		return files.Unavailable("storage", errors.New("throttled"))
	}
	return f.Store.ApplyCounts(ctx, projectID, shard, ch)
}

// A batch that fails half-way reports the failed project's first record;
// Lambda redelivers from there (records of projects already counted
// included), and bisects batches on errors: each project still counts every
// record once, through the consumer and the real store.
func TestCountersHalfFailedBatchCountsOnce(t *testing.T) {
	_, store := openStore(t)
	ctx := context.Background()
	projects := []string{projectA, projectB, "5b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e"}
	var recs []events.DynamoDBEventRecord
	for i := range 12 {
		f := pending(projects[i%3], fmt.Sprintf("%d.pdf", i))
		item, err := dynamostore.ItemOf(f)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{
			SequenceNumber: strconv.Itoa(1000 + i), NewImage: streamfeed.StreamImage(item)}})
	}
	flaky := &failingOnce{Store: store, project: projectB}
	h := &streamevents.Counters{Store: flaky, Log: slog.New(slog.DiscardHandler)}
	deliver := func(b []events.DynamoDBEventRecord) events.DynamoDBTimeWindowEventResponse {
		t.Helper()
		ev := events.DynamoDBTimeWindowEvent{DynamoDBEvent: events.DynamoDBEvent{Records: b}}
		ev.ShardID = "shardId-1"
		resp, err := h.Handle(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := deliver(recs)
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "1001" {
		t.Fatalf("failures %+v, want the failed project's first record, 1001", resp.BatchItemFailures)
	}
	deliver(recs[1:]) // Lambda resumes at the failed record
	deliver(recs[:6]) // a bisected retry of the whole batch: first half,
	deliver(recs[6:]) // then the second
	deliver(recs)     // and a redelivery of everything
	for _, p := range projects {
		if n, _ := counts(t, store, p); n != 4 {
			t.Errorf("project %s: %d files, want 4", p, n)
		}
	}
}
