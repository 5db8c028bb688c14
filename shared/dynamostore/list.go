package dynamostore

import (
	"context"
	"errors"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

type itemKey struct {
	PK string `dynamo:"pk"`
	SK string `dynamo:"sk"`
}

func (k itemKey) HashKey() any  { return k.PK }
func (k itemKey) RangeKey() any { return k.SK }

// List pages a project newest-first. Access pattern: skip `offset` keys on the
// keys-only ByProjectNewest index (cheap: keys, not items), read `limit` keys,
// then BatchGet those items. The total comes from the project's counter
// item, which the stream keeps (counters.go), so no call counts or scans the
// project; it lags writes, so the rows never depend on it, and it is never
// less than the rows this page shows were there.
func (s *Store) List(ctx context.Context, projectID string, limit, offset int) ([]*files.File, int, error) {
	pk := projectPK(projectID)
	total, err := s.count(ctx, pk)
	if err != nil {
		return nil, 0, err
	}
	var start dynamo.PagingKey
	if offset > 0 {
		var skipped []itemKey
		start, err = s.newest(pk).Limit(offset).Project("pk", "sk", "lpk", "lsk").AllWithLastEvaluatedKey(ctx, &skipped)
		if err != nil {
			return nil, 0, classify(err)
		}
		if start == nil || len(skipped) < offset {
			return nil, max(total, len(skipped)), nil
		}
	}
	var keys []itemKey
	q := s.newest(pk).Limit(limit)
	if start != nil {
		q = q.StartFrom(start)
	}
	if err := q.All(ctx, &keys); err != nil {
		return nil, 0, classify(err)
	}
	page, err := s.getKeys(ctx, keys)
	return page, max(total, offset+len(page)), err
}

func (s *Store) newest(pk string) *dynamo.Query {
	return s.table.Get("lpk", pk).Index(IndexNewest).Order(dynamo.Descending)
}

func (s *Store) count(ctx context.Context, pk string) (int, error) {
	var c struct {
		Files int `dynamo:"files"`
	}
	err := s.table.Get("pk", pk).Range("sk", dynamo.Equal, counterSK).One(ctx, &c)
	if errors.Is(err, dynamo.ErrNotFound) {
		return 0, nil
	}
	return max(c.Files, 0), classify(err)
}
