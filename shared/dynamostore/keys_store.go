package dynamostore

import (
	"context"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/files"
)

// Keys implements auth.KeyStore in the files table.
type Keys struct{ table dynamo.Table }

var _ auth.KeyStore = (*Keys)(nil)

// NewKeys returns the key store on the named table.
func NewKeys(db *dynamo.DB, table string) *Keys { return &Keys{table: db.Table(table)} }

type keyItem struct {
	PK             string     `dynamo:"pk,hash"`
	SK             string     `dynamo:"sk,range"`
	OrganizationID string     `dynamo:"organizationId"`
	ProjectID      string     `dynamo:"projectId"`
	Scopes         []string   `dynamo:"scopes"`
	CreatedAt      time.Time  `dynamo:"createdAt"`
	RevokedAt      *time.Time `dynamo:"revokedAt,omitempty"`
}

func keyPK(hash string) string { return "K#" + hash }

// GetKey reads a key by its hash.
func (k *Keys) GetKey(ctx context.Context, hash string) (*auth.Key, error) {
	var it keyItem
	err := k.table.Get("pk", keyPK(hash)).Range("sk", dynamo.Equal, keySK).One(ctx, &it)
	if errors.Is(err, dynamo.ErrNotFound) {
		return nil, auth.ErrKeyNotFound
	}
	if err != nil {
		return nil, classify(err)
	}
	return &auth.Key{Hash: hash, OrganizationID: it.OrganizationID, ProjectID: it.ProjectID, Scopes: it.Scopes, CreatedAt: it.CreatedAt, RevokedAt: it.RevokedAt}, nil
}

// RevokeKey sets revokedAt on an existing key.
func (k *Keys) RevokeKey(ctx context.Context, hash string, at time.Time) error {
	err := classify(k.table.Update("pk", keyPK(hash)).Range("sk", keySK).Set("revokedAt", at.UTC()).If("attribute_exists($)", "pk").Run(ctx))
	if errors.Is(err, files.ErrConditionFailed) {
		return auth.ErrKeyNotFound
	}
	return err
}

// PutKey stores a new key; an existing hash is never overwritten.
func (k *Keys) PutKey(ctx context.Context, key *auth.Key) error {
	it := keyItem{PK: keyPK(key.Hash), SK: keySK, OrganizationID: key.OrganizationID, ProjectID: key.ProjectID, Scopes: key.Scopes, CreatedAt: key.CreatedAt, RevokedAt: key.RevokedAt}
	return classify(k.table.Put(it).If("attribute_not_exists($)", "pk").Run(ctx))
}
