package dynamostore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/infra/sdkcalls"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// The counter consumer's writes per upload, counted on DynamoDB Local
// through the SDK (`go test ./shared/dynamostore -run
// TestCounterWritesPerUpload -v` prints them): each step of an upload's life
// (create: INSERT PENDING; complete: MODIFY to COMPLETED; delete: REMOVE)
// alone in its stream batch, as at low rates, and the same for 100 uploads a
// second apart in one batch each step. The bounds are today's design
// (ApplyCounts: one UpdateItem per count item a batch touches, positions.go:
// the counter item + 5 position levels), so a change that writes more fails.
func TestCounterWritesPerUpload(t *testing.T) {
	ctx := context.Background()
	tab := mustOpenTable(t)
	var calls sdkcalls.Counter
	client := dynamodb.New(tab.client.Options(), func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, calls.Add) })
	store := dynamostore.New(dynamo.NewFromIface(client), tab.name)
	seq := 0
	apply := func(changes []files.CountChange) int {
		t.Helper()
		for i := range changes {
			seq++
			changes[i].Seq = fmt.Sprint(seq)
		}
		calls.Reset()
		if err := store.ApplyCounts(ctx, projectA, "shard-1", changes); err != nil {
			t.Fatal(err)
		}
		got := calls.Snapshot()
		for op := range got {
			if op != "DynamoDB.UpdateItem" {
				t.Errorf("a first delivery made calls besides UpdateItem: %v", got)
			}
		}
		return got["DynamoDB.UpdateItem"]
	}
	steps := func(id files.FileID) [3]files.CountChange {
		return [3]files.CountChange{
			{ID: id, Files: 1, Held: 1, Bytes: 1 << 20},
			{ID: id, Completed: 1},
			{ID: id, Files: -1, Completed: -1, Held: -1, Bytes: -1 << 20},
		}
	}
	names := [3]string{"create", "complete", "delete"}
	bounds := [3]int{5, 1, 5}
	start := time.Now().Add(-time.Hour)

	// One upload per batch: 20 uploads a minute apart.
	var single [3]int
	const uploads = 20
	for i := range uploads {
		st := steps(files.NewID(start.Add(time.Duration(i) * time.Minute)))
		for k := range st {
			single[k] += apply([]files.CountChange{st[k]})
		}
	}
	// 100 uploads a second apart, each step one batch.
	var batched [3]int
	const perBatch = 100
	var all [perBatch][3]files.CountChange
	for i := range perBatch {
		all[i] = steps(files.NewID(start.Add(30*time.Minute + time.Duration(i)*time.Second)))
	}
	for k := range 3 {
		var batch []files.CountChange
		for i := range perBatch {
			batch = append(batch, all[i][k])
		}
		batched[k] = apply(batch)
	}
	for k, name := range names {
		per := float64(single[k]) / uploads
		t.Logf("%-8s UpdateItems per upload: %.2f alone in its batch, %.2f in a batch of %d uploads a second apart", name, per, float64(batched[k])/perBatch, perBatch)
		if per > float64(bounds[k]) {
			t.Errorf("%s: %.2f UpdateItems per upload, want at most %d", name, per, bounds[k])
		}
	}
}
