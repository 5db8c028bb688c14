package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
)

func TestRevokedAndRotatedKeysStopWorking(t *testing.T) {
	t.Parallel()
	c := newTenant(t)
	keys := dynamostore.NewKeys(dynamo.NewFromIface(stack.DynamoClient()), localstack.TableName)
	ctx := context.Background()
	f := c.Create("k.pdf", "application/pdf", 10, "")

	fresh, err := auth.Rotate(ctx, keys, c.Key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if st := call(t, c.Key, "GET", "/v1/files", nil, nil); st != http.StatusUnauthorized {
		t.Errorf("rotated-out key: %d, want 401", st)
	}
	if st := call(t, fresh, "GET", "/v1/files/"+f.ID, nil, nil); st != http.StatusOK {
		t.Errorf("rotated-in key reads the same project: %d", st)
	}
	if err := keys.RevokeKey(ctx, auth.Hash(fresh), time.Now()); err != nil {
		t.Fatal(err)
	}
	if st := call(t, fresh, "GET", "/v1/files", nil, nil); st != http.StatusUnauthorized {
		t.Errorf("revoked key: %d, want 401", st)
	}
	if err := keys.RevokeKey(ctx, auth.Hash("fgk_unknown"), time.Now()); err == nil {
		t.Error("revoking an unknown key succeeded")
	}
}
