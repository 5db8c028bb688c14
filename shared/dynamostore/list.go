package dynamostore

import (
	"context"

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
// then BatchGet those items; the total comes from the project's counter item,
// so no call counts or scans the project.
func (s *Store) List(ctx context.Context, projectID string, limit, offset int) ([]*files.File, int, error) {
	pk := projectPK(projectID)
	total, err := s.count(ctx, pk)
	if err != nil || offset >= total {
		return nil, total, err
	}
	var start dynamo.PagingKey
	if offset > 0 {
		var skipped []itemKey
		start, err = s.newest(pk).Limit(offset).Project("pk", "sk", "lpk", "lsk").AllWithLastEvaluatedKey(ctx, &skipped)
		if err != nil {
			return nil, 0, classify(err)
		}
		if start == nil || len(skipped) < offset {
			return nil, total, nil
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
	page, err := s.batchGet(ctx, keys)
	return page, total, err
}

func (s *Store) newest(pk string) *dynamo.Query {
	return s.table.Get("lpk", pk).Index(IndexNewest).Order(dynamo.Descending)
}

func (s *Store) count(ctx context.Context, pk string) (int, error) {
	var c struct {
		Files int `dynamo:"files"`
	}
	err := s.table.Get("pk", pk).Range("sk", dynamo.Equal, counterSK).One(ctx, &c)
	if err == dynamo.ErrNotFound {
		return 0, nil
	}
	return c.Files, classify(err)
}

// batchGet reads items by key and returns them in the keys' order; a record
// deleted between the index read and this read is skipped.
func (s *Store) batchGet(ctx context.Context, keys []itemKey) ([]*files.File, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	keyed := make([]dynamo.Keyed, len(keys))
	for i, k := range keys {
		keyed[i] = k
	}
	var items []fileItem
	if err := s.table.Batch("pk", "sk").Get(keyed...).All(ctx, &items); err != nil && err != dynamo.ErrNotFound {
		return nil, classify(err)
	}
	bySK := make(map[string]*fileItem, len(items))
	for i := range items {
		bySK[items[i].SK] = &items[i]
	}
	out := make([]*files.File, 0, len(keys))
	for _, k := range keys {
		if it, ok := bySK[k.SK]; ok {
			out = append(out, it.toFile())
		}
	}
	return out, nil
}
