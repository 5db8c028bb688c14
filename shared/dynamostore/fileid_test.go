package dynamostore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// A record whose id attribute is not a file id in its stored spelling (here
// its UUID spelling, and garbage) is an error on every read, never a record
// without an id and never a panic.
func TestUnreadableStoredIDIsAnError(t *testing.T) {
	tab, store := openStore(t)
	ctx := context.Background()
	for _, bad := range []string{"", "fil_nope", files.NewID(t0).UUID()} {
		f := pending(projectA, "a.pdf")
		if err := store.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
		if _, err := tab.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(tab.name), Key: dynamostore.KeyOf(f),
			UpdateExpression:          aws.String("SET #id = :bad"),
			ExpressionAttributeNames:  map[string]string{"#id": "id"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":bad": &types.AttributeValueMemberS{Value: bad}},
		}); err != nil {
			t.Fatal(err)
		}
		if got, err := store.Get(ctx, projectA, f.ID); err == nil || errors.Is(err, files.ErrNotFound) || got != nil {
			t.Errorf("Get of a record with id %q: %+v, %v; want an error", bad, got, err)
		}
		if got, err := store.GetMany(ctx, projectA, []files.FileID{f.ID}); err == nil || got != nil {
			t.Errorf("GetMany of a record with id %q: %d records, %v; want an error", bad, len(got), err)
		}
		if got, ok := dynamostore.FileFromItem(tab.item(t, f)); ok {
			t.Errorf("FileFromItem of a record with id %q: %+v, want none", bad, got)
		}
	}
}
