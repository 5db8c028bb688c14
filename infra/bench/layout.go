package bench

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// The benchmark writes records itself (seeding 100,000 files, and the raw
// baselines' PutItem) in the store's layout, dynamostore.ItemOf; checkLayout
// proves that layout against an item the real API wrote.

// recordItem is the item the store keeps for f.
func recordItem(f *files.File) (map[string]types.AttributeValue, error) { return dynamostore.ItemOf(f) }

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// checkLayout fails unless recordItem reproduces real, an item the store
// wrote, exactly (every attribute, every value).
func checkLayout(real map[string]types.AttributeValue) error {
	f, ok := dynamostore.FileFromItem(real)
	if !ok {
		return fmt.Errorf("the store's FileFromItem does not read its own item")
	}
	mine, err := recordItem(f)
	if err != nil {
		return err
	}
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(real)) {
		if !reflect.DeepEqual(normalise(real[k]), normalise(mine[k])) {
			diffs = append(diffs, fmt.Sprintf("%s: store %s, bench %s", k, render(real[k]), render(mine[k])))
		}
	}
	for k := range mine {
		if _, ok := real[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: only the bench writes it (%s)", k, render(mine[k])))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("the benchmark's copy of the item layout drifted from shared/dynamostore:\n  %s", strings.Join(diffs, "\n  "))
	}
	return nil
}

// normalise makes equal attribute values compare equal (DeepEqual would
// see the SDK's internal no-copy markers): S is a string, N a float64.
func normalise(v types.AttributeValue) any {
	if v == nil {
		return nil
	}
	var m map[string]any
	if err := dynamo.UnmarshalItem(map[string]types.AttributeValue{"v": v}, &m); err != nil {
		return v
	}
	return m["v"]
}

func render(v types.AttributeValue) string {
	if v == nil {
		return "(absent)"
	}
	return fmt.Sprintf("%v", normalise(v))
}
