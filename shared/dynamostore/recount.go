package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

// A recount rebuilds a project's counts from its file records, for when the
// counter consumer gave records up (CountersDLQ): it counts the records as
// the consumer would have, compares with the count items, and on request
// sets the counts that differ. It is an operator's repair (infra/cmd/recount),
// not a request path: it reads every record of the project.

// CountDrift is one count that differs from what the records say.
type CountDrift struct {
	Item   string // the count item's sort key: COUNT or POS#…
	Attr   string // files, completed, held, bytes, or a position bucket
	Stored int64
	Want   int64
}

// ErrCountsMoved: the project's counts changed while it was recounted (the
// counter consumer is applying changes); recount again when it is quiet.
var ErrCountsMoved = errors.New("the project's counts moved while it was recounted: its files are changing or the counter consumer is catching up; run the recount again")

// Recount compares the project's counts with its records and returns what
// differs, sorted. With fix, it sets each differing count to the records'
// value, conditional on the count still being what was read, so nothing the
// consumer adds meanwhile is overwritten. settle is how long it waits after
// reading the records for the consumer to apply what was written just
// before (its lag, normally 1-2 s); if the counts moved meanwhile, it
// returns ErrCountsMoved.
func (s *Store) Recount(ctx context.Context, projectID string, settle time.Duration, fix bool) ([]CountDrift, error) {
	pk := projectPK(projectID)
	before, err := s.countItems(ctx, pk)
	if err != nil {
		return nil, err
	}
	want, err := s.countsFromRecords(ctx, pk)
	if err != nil {
		return nil, err
	}
	select {
	case <-time.After(settle):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	after, err := s.countItems(ctx, pk)
	if err != nil {
		return nil, err
	}
	if !maps.EqualFunc(before, after, maps.Equal) {
		return nil, ErrCountsMoved
	}
	drift := compareCounts(after, want)
	if !fix {
		return drift, nil
	}
	for sk, ds := range groupBy(drift) {
		u := s.table.Update("pk", pk).Range("sk", sk)
		var conds []string
		var args []any
		for _, d := range ds {
			if d.Want == 0 {
				u.RemoveExpr("$", d.Attr)
			} else {
				u.SetExpr("$ = ?", d.Attr, d.Want)
			}
			if d.Stored != 0 {
				conds, args = append(conds, "$ = ?"), append(args, d.Attr, d.Stored)
			} else { // absent, or kept at 0
				conds, args = append(conds, "(attribute_not_exists($) OR $ = ?)"), append(args, d.Attr, d.Attr, 0)
			}
		}
		err := u.If(strings.Join(conds, " AND "), args...).Run(ctx)
		if dynamo.IsCondCheckFailed(err) {
			return drift, ErrCountsMoved
		}
		if err != nil {
			return drift, classify(err)
		}
	}
	return drift, nil
}

// counts are count items' numbers by sort key and attribute.
type counts map[string]map[string]int64

func (c counts) add(sk, attr string, n int64) {
	if n == 0 {
		return
	}
	if c[sk] == nil {
		c[sk] = map[string]int64{}
	}
	c[sk][attr] += n
}

// countItems reads the project's count items, their counts only (not the
// shards' marks).
func (s *Store) countItems(ctx context.Context, pk string) (counts, error) {
	out := counts{}
	keep := func(it dynamo.Item, isCount func(string) bool) {
		sk := str(it["sk"])
		for name := range it {
			if isCount(name) {
				out.add(sk, name, int64(intAttr(it, name)))
			}
		}
	}
	var counter dynamo.Item
	err := s.table.Get("pk", pk).Range("sk", dynamo.Equal, counterSK).Consistent(true).One(ctx, &counter)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, classify(err)
	}
	keep(counter, isCounterAttr)
	iter := s.table.Get("pk", pk).Range("sk", dynamo.BeginsWith, posPrefix).Consistent(true).Iter()
	var node dynamo.Item
	for iter.Next(ctx, &node) {
		keep(node, func(name string) bool { return isBucketAttr(name, childAttr) })
		node = nil
	}
	return out, classify(iter.Err())
}

func isCounterAttr(name string) bool {
	switch name {
	case "files", "completed", "held", "bytes":
		return true
	}
	if root, child, ok := strings.Cut(strings.TrimPrefix(name, "c"), "_"); ok && strings.HasPrefix(name, "c") && isBucketAttr("r"+root, "r") && isBucketAttr("n"+child, "n") {
		return true // the first node level's counts (positions.go)
	}
	return isBucketAttr(name, rootAttr)
}

// isBucketAttr: name is a bucket count under prefix ("r12", "n63").
func isBucketAttr(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}

// countsFromRecords counts the project's file records as the counter
// consumer does (streamevents.Counters, ApplyCounts).
func (s *Store) countsFromRecords(ctx context.Context, pk string) (counts, error) {
	out := counts{}
	iter := s.table.Get("pk", pk).Range("sk", dynamo.BeginsWith, "F#").Consistent(true).Iter()
	var item dynamo.Item
	for iter.Next(ctx, &item) {
		f, ok := FileFromItem(item)
		item = nil
		if !ok {
			continue
		}
		out.add(counterSK, "files", 1)
		if f.Status == files.StatusCompleted {
			out.add(counterSK, "completed", 1)
		}
		if f.Status == files.StatusPending || f.Status == files.StatusCompleted {
			out.add(counterSK, "held", 1)
			out.add(counterSK, "bytes", f.SizeBytes)
		}
		if ms, ok := f.ID.Millis(); ok {
			for _, p := range positionsOf(ms) {
				out.add(p.sk, p.attr, 1)
			}
		}
	}
	return out, classify(iter.Err())
}

// compareCounts lists what differs between stored and want, by item and
// attribute.
func compareCounts(stored, want counts) []CountDrift {
	var out []CountDrift
	for _, sk := range slices.Sorted(maps.Keys(union(stored, want))) {
		for _, attr := range slices.Sorted(maps.Keys(union(stored[sk], want[sk]))) {
			if a, b := stored[sk][attr], want[sk][attr]; a != b {
				out = append(out, CountDrift{Item: sk, Attr: attr, Stored: a, Want: b})
			}
		}
	}
	return out
}

func union[V any](a, b map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func groupBy(ds []CountDrift) map[string][]CountDrift {
	out := map[string][]CountDrift{}
	for _, d := range ds {
		out[d.Item] = append(out[d.Item], d)
	}
	return out
}

func (d CountDrift) String() string {
	return fmt.Sprintf("%s %s: stored %d, records say %d (%+d)", d.Item, d.Attr, d.Stored, d.Want, d.Want-d.Stored)
}
