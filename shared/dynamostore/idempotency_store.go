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
	PK         string `dynamo:"pk,hash"`
	SK         string `dynamo:"sk,range"`
	BodyHash   string `dynamo:"bodyHash"`
	Done       bool   `dynamo:"done"`
	LeaseUntil string `dynamo:"leaseUntil"`        // leaseTime
	FirstAt    int64  `dynamo:"firstAt,omitempty"` // Unix milliseconds: a file id's time
	Status     int    `dynamo:"status,omitempty"`
	Type       string `dynamo:"contentType,omitempty"`
	Body       []byte `dynamo:"body,omitempty"`
	TTL        int64  `dynamo:"ttl"`
}

func idemKey(scope, key string) (string, string) { return "I#" + scope, "K#" + key }

// leaseTime spells a lease's end as stored and compared: RFC 3339 in UTC
// with all nine fractional digits, so that DynamoDB's string comparison
// orders it as time. (RFC3339Nano drops trailing zeros, and "…:31Z" or
// "…:31.09Z" sorts after "…:31.091Z": such a lease held its key for up to a
// second too long.) Leases stored before read the same, give or take that.
func leaseTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") }

// readLease reads a stored lease end, in either spelling.
func readLease(v string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, v) // a garbled one reads as long over
	return t
}

// released is the lease of a key nobody holds.
var released = leaseTime(time.Unix(0, 0))

// Begin claims the key unless a finished record or a live lease holds it. A
// record past its ttl holds nothing: DynamoDB's TTL deletes it lazily (often
// days later), so the condition, not the deletion, ends its 24 hours.
//
// The first try claims a key last claimed for the same request, keeping its
// firstAt (if_not_exists), or a new key; the second replaces a record of
// another request, or one past its 24 hours, with a fresh one. Both are
// conditional writes, so two racing claims cannot both win.
func (s *Idempotency) Begin(ctx context.Context, rec *idempotency.Record, now time.Time) (idempotency.Claim, error) {
	pk, sk := idemKey(rec.Scope, rec.Key)
	var it idemItem
	err := s.table.Update("pk", pk).Range("sk", sk).
		Set("bodyHash", rec.BodyHash).Set("done", false).Set("leaseUntil", leaseTime(rec.LeaseUntil)).Set("ttl", rec.TTL).
		SetIfNotExists("firstAt", rec.FirstAt.UnixMilli()).
		If("attribute_not_exists($) OR ($ = ? AND $ = ? AND $ < ? AND $ > ?)", "pk", "bodyHash", rec.BodyHash, "done", false, "leaseUntil", leaseTime(now), "ttl", now.Unix()).
		Value(ctx, &it)
	if err == nil {
		rec.FirstAt = time.UnixMilli(it.FirstAt).UTC()
		return idempotency.Claim{Claimed: true}, nil
	}
	if !dynamo.IsCondCheckFailed(err) {
		return idempotency.Claim{}, classify(err)
	}
	fresh := idemItem{PK: pk, SK: sk, BodyHash: rec.BodyHash, LeaseUntil: leaseTime(rec.LeaseUntil), FirstAt: rec.FirstAt.UnixMilli(), TTL: rec.TTL}
	err = s.table.Put(fresh).If("($ = ? AND $ < ?) OR $ <= ?", "done", false, "leaseUntil", leaseTime(now), "ttl", now.Unix()).Run(ctx)
	if err == nil {
		return idempotency.Claim{Claimed: true}, nil
	}
	if !dynamo.IsCondCheckFailed(err) {
		return idempotency.Claim{}, classify(err)
	}
	var prev idemItem
	if err := s.table.Get("pk", pk).Range("sk", dynamo.Equal, sk).Consistent(true).One(ctx, &prev); err != nil {
		if errors.Is(err, dynamo.ErrNotFound) {
			return idempotency.Claim{}, idempotency.ErrInFlight // it was just freed: retrying will run it
		}
		return idempotency.Claim{}, classify(err)
	}
	holder := &idempotency.Record{Scope: rec.Scope, Key: rec.Key, BodyHash: prev.BodyHash, Done: prev.Done, LeaseUntil: readLease(prev.LeaseUntil),
		FirstAt: time.UnixMilli(prev.FirstAt).UTC(), Status: prev.Status, Type: prev.Type, Body: prev.Body, TTL: prev.TTL}
	return idempotency.Claim{Holder: holder}, nil
}

// Finish stores the response to replay, keeping the record's firstAt,
// unless the key was claimed for another request meanwhile (this one's
// lease over): that one's record is left alone.
func (s *Idempotency) Finish(ctx context.Context, rec *idempotency.Record) error {
	pk, sk := idemKey(rec.Scope, rec.Key)
	u := s.table.Update("pk", pk).Range("sk", sk).Set("done", true).Set("status", rec.Status).Set("contentType", rec.Type).
		If("$ = ?", "bodyHash", rec.BodyHash)
	if len(rec.Body) > 0 {
		u.Set("body", rec.Body)
	}
	if err := u.Run(ctx); !dynamo.IsCondCheckFailed(err) {
		return classify(err)
	}
	return nil
}

// Release frees the key after a failure the client may retry, if rec's lease
// still holds it. The record stays, with its firstAt: a retry of the same
// request must derive the same file id, in case the failed attempt wrote it.
func (s *Idempotency) Release(ctx context.Context, rec *idempotency.Record) error {
	pk, sk := idemKey(rec.Scope, rec.Key)
	err := s.table.Update("pk", pk).Range("sk", sk).Set("leaseUntil", released).
		If("$ = ? AND $ = ?", "done", false, "leaseUntil", leaseTime(rec.LeaseUntil)).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return nil // another attempt holds it now, or finished it
	}
	return classify(err)
}
