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

// walkMax is the deepest offset a list walks to directly: skipping this many
// keys of the keys-only index costs about what the position counts' six
// reads do, in one call.
const walkMax = 100

// List pages a project newest-first. Access pattern: read the project's
// counter item (the total and the root position buckets); for an offset past
// walkMax, descend the position counts (positions.go) to the 64 ms bucket
// where the offset falls and read the index from that bucket's end, skipping
// only the page's predecessors inside it; otherwise skip `offset` keys on the
// keys-only ByProjectNewest index. Then BatchGet the page's items.
//
// The counts follow the stream, so they lag writes by about a second: a page
// found through them is shifted by at most the files created or deleted
// within that lag, as offset paging shifts under any concurrent write. They
// never make a page short or empty: where the counts cannot place the offset
// (it is past their total) or the page they place comes back short (the end
// of the list, which only the index knows exactly while counts lag), the list
// walks the index as it did before the counts existed (the Store's
// fallbackWalks counts those). The total is never less than the rows this
// page shows were there.
func (s *Store) List(ctx context.Context, projectID string, limit, offset int) ([]*files.File, int, error) {
	pk := projectPK(projectID)
	counter, err := s.counter(ctx, pk)
	if err != nil {
		return nil, 0, err
	}
	total := max(intAttr(counter, "files"), 0)
	if offset > walkMax {
		keys, ok, err := s.keysAt(ctx, pk, counter, limit, offset)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			page, err := s.getKeys(ctx, keys)
			return page, max(total, offset+len(page)), err
		}
		s.fallbackWalks.Add(1)
	}
	keys, skipped, err := s.walk(ctx, pk, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	if skipped < offset {
		return nil, max(total, skipped), nil
	}
	page, err := s.getKeys(ctx, keys)
	return page, max(total, offset+len(page)), err
}

// walk skips offset keys of the index, then reads limit keys; skipped is
// how many it could skip.
func (s *Store) walk(ctx context.Context, pk string, limit, offset int) (keys []itemKey, skipped int, err error) {
	var start dynamo.PagingKey
	if offset > 0 {
		var skip []itemKey
		start, err = s.newest(pk).Limit(offset).Project("pk", "sk", "lpk", "lsk").AllWithLastEvaluatedKey(ctx, &skip)
		if err != nil {
			return nil, 0, classify(err)
		}
		if start == nil || len(skip) < offset {
			return nil, len(skip), nil
		}
	}
	q := s.newest(pk).Limit(limit)
	if start != nil {
		q = q.StartFrom(start)
	}
	if err := q.All(ctx, &keys); err != nil {
		return nil, 0, classify(err)
	}
	return keys, offset, nil
}

// keysAt is the page of keys at offset found through the position counts;
// ok is false where the counts cannot place it or the page is short.
func (s *Store) keysAt(ctx context.Context, pk string, counter dynamo.Item, limit, offset int) ([]itemKey, bool, error) {
	prefix, rest, ok := within(buckets(counter, rootAttr), offset)
	if !ok {
		return nil, false, nil
	}
	for i, shift := range nodeShifts {
		var node dynamo.Item
		err := s.table.Get("pk", pk).Range("sk", dynamo.Equal, nodeSK(shift, prefix)).One(ctx, &node)
		if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
			return nil, false, classify(err)
		}
		counts := bucketCounts(node, childAttr)
		if i == 0 { // kept on the counter item, and in a node by tables counted before (positions.go)
			for k, c := range bucketCounts(counter, firstLevelAttr(prefix)) {
				counts[k] += c
			}
		}
		children := nonEmpty(counts)
		var child int64
		if child, rest, ok = within(children, rest); !ok {
			return nil, false, nil // the node disagrees with its parent: counts mid-update
		}
		prefix = prefix<<fanBits | child
	}
	end := files.LastIDAt((prefix+1)<<leafShift - 1)
	var keys []itemKey
	err := s.table.Get("lpk", pk).Range("lsk", dynamo.LessOrEqual, end).Index(IndexNewest).Order(dynamo.Descending).
		Limit(rest+limit).Project("pk", "sk", "lpk", "lsk").All(ctx, &keys)
	if err != nil {
		return nil, false, classify(err)
	}
	if len(keys) < rest+limit {
		return nil, false, nil
	}
	return keys[rest:], true, nil
}

// within finds the bucket (newest first) holding position offset, and the
// position inside it.
func within(bs []bucket, offset int) (key int64, rest int, ok bool) {
	for _, b := range bs {
		if offset < b.count {
			return b.key, offset, true
		}
		offset -= b.count
	}
	return 0, 0, false
}

func (s *Store) newest(pk string) *dynamo.Query {
	return s.table.Get("lpk", pk).Index(IndexNewest).Order(dynamo.Descending)
}

// counter is the project's counter item (empty if it has none yet).
func (s *Store) counter(ctx context.Context, pk string) (dynamo.Item, error) {
	var item dynamo.Item
	err := s.table.Get("pk", pk).Range("sk", dynamo.Equal, counterSK).One(ctx, &item)
	if errors.Is(err, dynamo.ErrNotFound) {
		return dynamo.Item{}, nil
	}
	return item, classify(err)
}
