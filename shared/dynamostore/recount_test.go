package dynamostore_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// countedProject makes n files of projectA (every third COMPLETED, spread
// over a few days so that they touch several position nodes) and counts
// them as the counter consumer would.
func countedProject(t *testing.T, store *dynamostore.Store, n int) {
	t.Helper()
	ctx := context.Background()
	var changes []files.CountChange
	for i := range n {
		f := pending(projectA, fmt.Sprintf("f%d.pdf", i))
		made := time.Now().Add(-time.Duration(i) * 7 * time.Hour).UTC().Truncate(time.Millisecond)
		f.ID, f.CreatedAt = files.NewID(made), made
		f.ObjectKey = files.ObjectKey(projectA, f.ID)
		ch := files.CountChange{Seq: fmt.Sprint(i + 1), ID: f.ID, Files: 1, Held: 1, Bytes: f.SizeBytes}
		if i%3 == 0 {
			f.Status, ch.Completed = files.StatusCompleted, 1
		}
		if err := store.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
		changes = append(changes, ch)
	}
	if err := store.ApplyCounts(ctx, projectA, "shard-1", changes); err != nil {
		t.Fatal(err)
	}
}

// projectItems are the project's raw items, as text, by sort key.
func projectItems(t *testing.T, tab testTable) map[string]string {
	t.Helper()
	out, err := tab.client.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(tab.name), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "P#" + projectA}}})
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]string{}
	for _, it := range out.Items {
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(it)) {
			fmt.Fprintf(&b, "%s=%v ", k, it[k])
		}
		items[it["sk"].(*types.AttributeValueMemberS).Value] = b.String()
	}
	return items
}

// The recount counts what the counter consumer counts: on counts the
// consumer kept, it finds nothing to fix. With drift injected (records the
// consumer gave up), a dry run names every count that is off and writes
// nothing; the fix makes the counts the records' again, so the next recount
// finds nothing and the native list's total and deep pages are right.
func TestRecountShowsDriftAndFixesIt(t *testing.T) {
	ctx := context.Background()
	tab, store := openStore(t)
	countedProject(t, store, 12)
	if drift, err := store.Recount(ctx, projectA, 0, false); err != nil || len(drift) != 0 {
		t.Fatalf("recount of counts the consumer kept: %v, %v; want no drift", drift, err)
	}
	// Drift: a creation the consumer gave up (counted nowhere), and a
	// completion counted twice.
	lost := pending(projectA, "lost.pdf")
	if err := store.Create(ctx, lost); err != nil {
		t.Fatal(err)
	}
	if err := store.ApplyCounts(ctx, projectA, "shard-2", []files.CountChange{{Seq: "1", Completed: 1}}); err != nil {
		t.Fatal(err)
	}
	before := projectItems(t, tab)
	drift, err := store.Recount(ctx, projectA, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, d := range drift {
		got[d.Item+" "+d.Attr] = d.Want - d.Stored
	}
	for _, want := range []string{"COUNT files", "COUNT held", "COUNT bytes"} {
		if got[want] <= 0 {
			t.Errorf("dry run: %s not shown as short: %v", want, drift)
		}
	}
	if got["COUNT completed"] != -1 {
		t.Errorf("dry run: the completion counted twice not shown: %v", drift)
	}
	leaves := 0
	for k := range got {
		if strings.HasPrefix(k, "POS#6#") {
			leaves++
		}
	}
	if leaves != 1 {
		t.Errorf("dry run: %d leaf position counts off, want the lost file's one: %v", leaves, drift)
	}
	if after := projectItems(t, tab); !maps.Equal(before, after) {
		t.Fatalf("the dry run wrote:\nbefore %v\nafter  %v", before, after)
	}

	if _, err := store.Recount(ctx, projectA, 0, true); err != nil {
		t.Fatal(err)
	}
	if drift, err := store.Recount(ctx, projectA, 0, false); err != nil || len(drift) != 0 {
		t.Fatalf("after the fix: %v, %v; want no drift", drift, err)
	}
	for _, offset := range []int{0, 11, 12} {
		page, total, err := store.List(ctx, projectA, 1, offset)
		if err != nil || total != 13 || len(page) != 1 {
			t.Fatalf("list at offset %d after the fix: %d files of %d, %v; want 1 of 13", offset, len(page), total, err)
		}
	}
	// The consumer's marks survive the fix: a redelivery still counts once.
	if err := store.ApplyCounts(ctx, projectA, "shard-2", []files.CountChange{{Seq: "1", Completed: 1}}); err != nil {
		t.Fatal(err)
	}
	if drift, err := store.Recount(ctx, projectA, 0, false); err != nil || len(drift) != 0 {
		t.Fatalf("a redelivery after the fix counted again: %v, %v", drift, err)
	}
}
