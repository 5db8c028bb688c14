package dynamostore

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

// FallbackWalks is how many lists walked the index because the position
// counts could not place their page.
func (s *Store) FallbackWalks() int64 { return s.fallbackWalks.Load() }

// The store's layout, for tests that write the table below the store.

// KeyOf is the primary key of f's record.
func KeyOf(f *files.File) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: projectPK(f.ProjectID)}, "sk": &types.AttributeValueMemberS{Value: fileSK(f.ID)}}
}

// ItemOf is the item the store keeps for f, catalog attributes included when
// f is COMPLETED (tests seed tables with it;
// TestItemOfIsTheStoresOwnLayout keeps it exact).
func ItemOf(f *files.File) (dynamo.Item, error) {
	item, err := dynamo.MarshalItem(toItem(f))
	if err != nil || f.Status != files.StatusCompleted {
		return item, err
	}
	for k, v := range map[string]string{"cpk": projectPK(f.ProjectID), "cid": f.ID.String(), "cname": nameSortKey(f.Filename, f.ID)} {
		item[k] = &types.AttributeValueMemberS{Value: v}
	}
	if f.ExternalFileID != "" {
		item["cxk"] = &types.AttributeValueMemberS{Value: externalPK(f.ProjectID, f.ExternalFileID)}
	}
	return item, nil
}

// CountItemsOf is what the counter consumer keeps for a project whose file
// records are ids, completed of them COMPLETED: the counter item first, then
// the position nodes (without the shards' marks). Tests seed these beside
// records they write below the store; TestCountItemsOfIsWhatApplyCountsKeeps
// keeps them exact.
func CountItemsOf(projectID string, ids []files.FileID, completed int) ([]dynamo.Item, error) {
	pk := projectPK(projectID)
	counter := dynamo.Item{"files": num(len(ids)), "completed": num(completed)}
	byItem := map[string]dynamo.Item{counterSK: counter}
	order := []string{counterSK}
	for _, id := range ids {
		ms, ok := id.Millis()
		if !ok {
			return nil, fmt.Errorf("file id %q carries no time", id)
		}
		for _, p := range positionsOf(ms) {
			item := byItem[p.sk]
			if item == nil {
				item = dynamo.Item{}
				byItem[p.sk] = item
				order = append(order, p.sk)
			}
			item[p.attr] = num(intAttr(item, p.attr) + 1)
		}
	}
	out := make([]dynamo.Item, 0, len(order))
	for _, sk := range order {
		item := byItem[sk]
		item["pk"], item["sk"] = &types.AttributeValueMemberS{Value: pk}, &types.AttributeValueMemberS{Value: sk}
		out = append(out, item)
	}
	return out, nil
}
