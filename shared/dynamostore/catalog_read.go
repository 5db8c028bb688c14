package dynamostore

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

var _ files.Catalog = (*Store)(nil)

// plan is how one listing reads the catalog: one partition of one index,
// optionally one begins_with range of it, forwards or backwards.
type plan struct {
	index     string
	hashAttr  string
	hashValue string
	rangeAttr string
	prefix    string // begins_with on the range key; "" reads the whole partition
	order     dynamo.Order
	name      string // exact filename filter (the projected attribute)
	ext       string // exact externalFileId filter (the projected attribute)
}

// planFor picks the index that narrows a query most. Every plan reads a
// single partition in key order, so a page costs its entries plus one batch
// read, however many files the project has:
//   - no filter, by id or created_at: ByCompletedId (cpk=project), forwards
//     or backwards; IDs are time-ordered, so backwards is newest first.
//   - no filter, by name: ByCompletedName (cpk=project), either direction.
//   - file_name and external_file_id: ByExternalName on the partition
//     cxk=project+external id, begins_with(cname, name+"\x00"): both filters
//     are in the key, so nothing read is filtered out. One name's files are
//     one range sorted by id, so every order reads it forwards or backwards.
//   - file_name alone (or with a name longer than the name key):
//     ByCompletedName, the same range; names sharing the key's first 900
//     bytes share the range too, and the projected filename (and
//     externalFileId) attributes filter them out on the server.
//   - external_file_id alone: ByExternalId or, by name, ByExternalName.
func planFor(q files.Query) plan {
	order := dynamo.Ascending
	if q.Order.Descending() {
		order = dynamo.Descending
	}
	catalog := plan{hashAttr: "cpk", hashValue: projectPK(q.ProjectID), order: order}
	external := plan{hashAttr: "cxk", hashValue: externalPK(q.ProjectID, q.Filter.ExternalFileID), order: order}
	byName := func(p plan, index string) plan {
		p.index, p.rangeAttr = index, "cname"
		return p
	}
	byID := func(p plan, index string) plan {
		p.index, p.rangeAttr = index, "cid"
		return p
	}
	f := q.Filter
	switch {
	case f.FileName != "" && f.ExternalFileID != "" && len(f.FileName) <= nameKeyBytes:
		p := byName(external, IndexExternalName)
		p.prefix = nameKey(f.FileName) + "\x00"
		return p
	case f.FileName != "":
		p := byName(catalog, IndexCompletedName)
		p.prefix, p.name, p.ext = nameKey(f.FileName)+"\x00", f.FileName, f.ExternalFileID
		return p
	case f.ExternalFileID != "" && q.Order.ByName():
		return byName(external, IndexExternalName)
	case f.ExternalFileID != "":
		return byID(external, IndexExternalID)
	case q.Order.ByName():
		return byName(catalog, IndexCompletedName)
	default:
		return byID(catalog, IndexCompletedID)
	}
}

func (p plan) query(t dynamo.Table) *dynamo.Query {
	q := t.Get(p.hashAttr, p.hashValue).Index(p.index).Order(p.order)
	if p.prefix != "" {
		q.Range(p.rangeAttr, dynamo.BeginsWith, p.prefix)
	}
	if p.name != "" {
		q.Filter("$ = ?", "filename", p.name)
	}
	if p.ext != "" {
		q.Filter("$ = ?", "externalFileId", p.ext)
	}
	return q
}

// QueryCompleted reads up to q.Limit entries of the plan's index (one
// request), then their records by key.
func (s *Store) QueryCompleted(ctx context.Context, q files.Query) ([]*files.File, files.Cursor, error) {
	p := planFor(q)
	dq := p.query(s.table).SearchLimit(q.Limit)
	if q.After != "" {
		start, err := p.startKey(q.ProjectID, q.After)
		if err != nil {
			return nil, "", err
		}
		dq.StartFrom(start)
	}
	var rows []dynamo.Item
	lek, err := dq.AllWithLastEvaluatedKey(ctx, &rows)
	if err != nil {
		return nil, "", classify(err)
	}
	var next files.Cursor
	if lek != nil {
		next = p.cursor(dynamo.Item(lek))
	}
	keys := make([]itemKey, len(rows))
	for i, r := range rows {
		keys[i] = itemKey{PK: str(r["pk"]), SK: str(r["sk"])}
	}
	found, err := s.getKeys(ctx, keys)
	return found, next, err
}

// CursorAfter is the cursor of f's entry in q's plan: its range key, which
// follows from the record (its id, and its immutable name).
func (s *Store) CursorAfter(q files.Query, f *files.File) files.Cursor {
	if planFor(q).rangeAttr == "cname" {
		return files.Cursor(nameSortKey(f.Filename, f.ID))
	}
	return files.Cursor(f.ID.String())
}

// CountCompleted reads the project's completed counter when nothing is
// filtered; otherwise it counts the plan's keys (Select COUNT), a cost that
// grows with the matches, not the project.
func (s *Store) CountCompleted(ctx context.Context, projectID string, f files.Filter) (int, error) {
	if f.FileName == "" && f.ExternalFileID == "" {
		var c struct {
			Completed int `dynamo:"completed"`
		}
		err := s.table.Get("pk", projectPK(projectID)).Range("sk", dynamo.Equal, counterSK).One(ctx, &c)
		if errors.Is(err, dynamo.ErrNotFound) {
			return 0, nil
		}
		return max(c.Completed, 0), classify(err)
	}
	n, err := planFor(files.Query{ProjectID: projectID, Filter: f, Order: files.OrderIDAsc}).query(s.table).Count(ctx)
	return n, classify(err)
}

// GetMany is a consistent batch read of the project's records by id.
func (s *Store) GetMany(ctx context.Context, projectID string, ids []files.FileID) ([]*files.File, error) {
	keys := make([]itemKey, len(ids))
	for i, id := range ids {
		keys[i] = itemKey{PK: projectPK(projectID), SK: fileSK(id)}
	}
	return s.getKeys(ctx, keys)
}

// getKeys reads items by key, strongly consistent so a record deleted or
// changed since the (eventually consistent) index read shows as it is now;
// results keep the keys' order and skip missing records.
func (s *Store) getKeys(ctx context.Context, keys []itemKey) ([]*files.File, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	keyed := make([]dynamo.Keyed, len(keys))
	for i, k := range keys {
		keyed[i] = k
	}
	var items []fileItem
	if err := s.table.Batch("pk", "sk").Get(keyed...).Consistent(true).All(ctx, &items); err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, classify(err)
	}
	bySK := make(map[string]*fileItem, len(items))
	for i := range items {
		bySK[items[i].SK] = &items[i]
	}
	out := make([]*files.File, 0, len(keys))
	for _, k := range keys {
		if it, ok := bySK[k.SK]; ok {
			f, err := it.toFile()
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// cursor is an index entry's position: its range key alone (the file id, or
// name key and id). The rest of the entry's key follows from the plan and
// the record's id, so a cursor names no partition and no attribute.
func (p plan) cursor(item dynamo.Item) files.Cursor {
	return files.Cursor(str(item[p.rangeAttr]))
}

// startKey turns a cursor back into an ExclusiveStartKey of this plan's
// partition (the caller's project, the plan's index key), after checking
// that it is a position in the plan's range: a cursor can only move a read
// within what the query itself reads.
func (p plan) startKey(projectID string, c files.Cursor) (dynamo.PagingKey, error) {
	r := string(c)
	stored := r
	if p.rangeAttr == "cname" {
		i := strings.LastIndexByte(r, 0)
		if i < 0 || !strings.HasPrefix(r, p.prefix) {
			return nil, files.ErrInvalidCursor
		}
		stored = r[i+1:]
	}
	id, ok := files.StoredFileID(stored)
	if !ok {
		return nil, files.ErrInvalidCursor
	}
	return dynamo.PagingKey{
		p.hashAttr:  &types.AttributeValueMemberS{Value: p.hashValue},
		p.rangeAttr: &types.AttributeValueMemberS{Value: r},
		"pk":        &types.AttributeValueMemberS{Value: projectPK(projectID)},
		"sk":        &types.AttributeValueMemberS{Value: fileSK(id)},
	}, nil
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
