package dynamostore

import (
	"context"
	"errors"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/idempotency"
)

// Idempotency implements idempotency.Store: one item per (scope, key), in the
// scope's own partition (scopes start with the project ID), expiring by TTL.
type Idempotency struct{ table dynamo.Table }

var _ idempotency.Store = (*Idempotency)(nil)

// NewIdempotency returns the store on the named table.
func NewIdempotency(db *dynamo.DB, table string) *Idempotency {
	return &Idempotency{table: db.Table(table)}
}

type idemItem struct {
	PK         string    `dynamo:"pk,hash"`
	SK         string    `dynamo:"sk,range"`
	BodyHash   string    `dynamo:"bodyHash"`
	Done       bool      `dynamo:"done"`
	LeaseUntil time.Time `dynamo:"leaseUntil"`
	Status     int       `dynamo:"status,omitempty"`
	Type       string    `dynamo:"contentType,omitempty"`
	Body       []byte    `dynamo:"body,omitempty"`
	TTL        int64     `dynamo:"ttl"`
}

func idemKey(scope, key string) (string, string) { return "I#" + scope, "K#" + key }

// Begin claims the key unless a finished record or a live lease holds it. A
// record past its ttl holds nothing: DynamoDB's TTL deletes it lazily (often
// days later), so the condition, not the deletion, ends its 24 hours.
func (s *Idempotency) Begin(ctx context.Context, rec *idempotency.Record, now time.Time) (*idempotency.Record, error) {
	pk, sk := idemKey(rec.Scope, rec.Key)
	it := idemItem{PK: pk, SK: sk, BodyHash: rec.BodyHash, LeaseUntil: rec.LeaseUntil, TTL: rec.TTL}
	err := s.table.Put(it).If("attribute_not_exists($) OR ($ = ? AND $ < ?) OR $ <= ?", "pk", "done", false, "leaseUntil", now, "ttl", now.Unix()).Run(ctx)
	if err == nil {
		return nil, nil
	}
	if !dynamo.IsCondCheckFailed(err) {
		return nil, classify(err)
	}
	var prev idemItem
	if err := s.table.Get("pk", pk).Range("sk", dynamo.Equal, sk).Consistent(true).One(ctx, &prev); err != nil {
		if errors.Is(err, dynamo.ErrNotFound) {
			return nil, idempotency.ErrInFlight // it was just freed: retrying will run it
		}
		return nil, classify(err)
	}
	return &idempotency.Record{Scope: rec.Scope, Key: rec.Key, BodyHash: prev.BodyHash, Done: prev.Done, LeaseUntil: prev.LeaseUntil, Status: prev.Status, Type: prev.Type, Body: prev.Body, TTL: prev.TTL}, nil
}

// Finish stores the response to replay.
func (s *Idempotency) Finish(ctx context.Context, rec *idempotency.Record) error {
	pk, sk := idemKey(rec.Scope, rec.Key)
	it := idemItem{PK: pk, SK: sk, BodyHash: rec.BodyHash, Done: true, LeaseUntil: rec.LeaseUntil, Status: rec.Status, Type: rec.Type, Body: rec.Body, TTL: rec.TTL}
	return classify(s.table.Put(it).Run(ctx))
}

// Abandon frees the key after a failure the client may retry.
func (s *Idempotency) Abandon(ctx context.Context, scope, key string) error {
	pk, sk := idemKey(scope, key)
	return classify(s.table.Delete("pk", pk).Range("sk", sk).Run(ctx))
}
