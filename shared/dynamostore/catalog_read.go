package dynamostore

import (
	"context"
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
	if q.After != nil {
		start, err := p.startKey(q.ProjectID, q.After)
		if err != nil {
			return nil, nil, err
		}
		dq.StartFrom(start)
	}
	var rows []dynamo.Item
	lek, err := dq.AllWithLastEvaluatedKey(ctx, &rows)
	if err != nil {
		return nil, nil, classify(err)
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

// CursorAfter is the cursor of f's entry in q's plan: its keys follow from
// the record (project, id, and the immutable name and external id).
func (s *Store) CursorAfter(q files.Query, f *files.File) files.Cursor {
	p := planFor(q)
	c := files.Cursor{"pk": projectPK(f.ProjectID), "sk": fileSK(f.ID), p.hashAttr: p.hashValue, p.rangeAttr: f.ID}
	if p.rangeAttr == "cname" {
		c["cname"] = nameSortKey(f.Filename, f.ID)
	}
	return c
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
		if err == dynamo.ErrNotFound {
			return 0, nil
		}
		return max(c.Completed, 0), classify(err)
	}
	n, err := planFor(files.Query{ProjectID: projectID, Filter: f, Order: files.OrderIDAsc}).query(s.table).Count(ctx)
	return n, classify(err)
}

// GetMany is a consistent batch read of the project's records by id.
func (s *Store) GetMany(ctx context.Context, projectID string, ids []string) ([]*files.File, error) {
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
	if err := s.table.Batch("pk", "sk").Get(keyed...).Consistent(true).All(ctx, &items); err != nil && err != dynamo.ErrNotFound {
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

// cursor keeps the key attributes of a plan's index entry: the table key and
// the index key, all strings.
func (p plan) cursor(item dynamo.Item) files.Cursor {
	c := files.Cursor{}
	for _, a := range []string{"pk", "sk", p.hashAttr, p.rangeAttr} {
		c[a] = str(item[a])
	}
	return c
}

// startKey turns a cursor back into an ExclusiveStartKey after checking that
// it is an entry of exactly this plan's partition and range: a cursor never
// starts a read anywhere the query itself could not reach.
func (p plan) startKey(projectID string, c files.Cursor) (dynamo.PagingKey, error) {
	want := []string{"pk", "sk", p.hashAttr, p.rangeAttr}
	if len(c) != len(want) {
		return nil, files.ErrInvalidCursor
	}
	id, ok := strings.CutPrefix(c["sk"], "F#")
	ok = ok && files.ValidID(id) && c["pk"] == projectPK(projectID) && p.samePartition(projectID, c)
	switch r := c[p.rangeAttr]; p.rangeAttr {
	case "cid":
		ok = ok && r == id
	case "cname":
		ok = ok && strings.HasSuffix(r, "\x00"+id) && strings.HasPrefix(r, p.prefix)
	}
	if !ok {
		return nil, files.ErrInvalidCursor
	}
	key := dynamo.PagingKey{p.hashAttr: &types.AttributeValueMemberS{Value: p.hashValue}}
	for _, a := range []string{"pk", "sk", p.rangeAttr} {
		key[a] = &types.AttributeValueMemberS{Value: c[a]}
	}
	return key, nil
}

// samePartition: the cursor was read from the plan's partition. Tokens of
// file_name + external_file_id listings issued before those read the
// external id's partition name the project's catalog partition (cpk)
// instead, with the same range values: they resume here too.
func (p plan) samePartition(projectID string, c files.Cursor) bool {
	if c[p.hashAttr] == p.hashValue {
		return true
	}
	return p.index == IndexExternalName && p.prefix != "" && c["cpk"] == projectPK(projectID)
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
