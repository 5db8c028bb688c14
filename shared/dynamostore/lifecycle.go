package dynamostore

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

type cursorItem struct {
	PK     string `dynamo:"pk,hash"`
	SK     string `dynamo:"sk,range"`
	Cursor string `dynamo:"cursor"`
}

func jobPK(job string) string { return "JOB#" + job }

// Cursor returns a background job's resume point ("" to start over).
func (s *Store) Cursor(ctx context.Context, job string) (string, error) {
	var it cursorItem
	err := s.table.Get("pk", jobPK(job)).Range("sk", dynamo.Equal, "CURSOR").Consistent(true).One(ctx, &it)
	if errors.Is(err, dynamo.ErrNotFound) {
		return "", nil
	}
	return it.Cursor, classify(err)
}

// SaveCursor stores a background job's resume point.
func (s *Store) SaveCursor(ctx context.Context, job, cursor string) error {
	return classify(s.table.Put(cursorItem{PK: jobPK(job), SK: "CURSOR", Cursor: cursor}).Run(ctx))
}

// leaseItem is a background job's lease: one run at a time holds it, until
// its deadline at the latest (epoch milliseconds).
type leaseItem struct {
	PK     string `dynamo:"pk,hash"`
	SK     string `dynamo:"sk,range"`
	Holder string `dynamo:"holder"`
	Until  int64  `dynamo:"until"`
}

const leaseSK = "LEASE"

// AcquireLease writes holder's lease unless a live one exists: the condition
// is the whole mutual exclusion, so two runs racing cannot both hold it.
func (s *Store) AcquireLease(ctx context.Context, job, holder string, now, until time.Time) (bool, error) {
	err := s.table.Put(leaseItem{PK: jobPK(job), SK: leaseSK, Holder: holder, Until: until.UnixMilli()}).
		If("attribute_not_exists($) OR $ <= ?", "pk", "until", now.UnixMilli()).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return false, nil
	}
	return err == nil, classify(err)
}

// ReleaseLease deletes holder's lease, and nobody else's.
func (s *Store) ReleaseLease(ctx context.Context, job, holder string) error {
	err := s.table.Delete("pk", jobPK(job)).Range("sk", leaseSK).If("$ = ?", "holder", holder).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return nil // expired and taken over, or already gone
	}
	return classify(err)
}

// BreakLease deletes job's lease whoever holds it: only for a caller that
// knows no run can be live (the local stack, which has just started the
// DynamoDB Local whose data a killed run left its lease in).
func (s *Store) BreakLease(ctx context.Context, job string) error {
	return classify(s.table.Delete("pk", jobPK(job)).Range("sk", leaseSK).Run(ctx))
}

// FileFromItem decodes a raw item (e.g. a stream image); ok is false for
// items that are not file records.
func FileFromItem(item dynamo.Item) (*files.File, bool) {
	var it fileItem
	if err := dynamo.UnmarshalItem(item, &it); err != nil || !strings.HasPrefix(it.SK, "F#") {
		return nil, false
	}
	f, err := it.toFile()
	return f, err == nil
}
