package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

// A project's counts (its counter item, sk=COUNT, and its position nodes,
// positions.go) follow the table's stream, not the requests: the counter
// consumer (shared/streamevents) adds each batch's changes with one
// UpdateItem per project and count item it touches. Each item also holds, per
// stream shard, the sequence number of the last record it counted
// (seq#<shard>) and when (at#<shard>), so a batch Lambda redelivers, whole,
// from a failed record on, or bisected, counts once.

const (
	seqAttrPrefix = "seq#"
	atAttrPrefix  = "at#"
	// seqWidth zero-pads sequence numbers (decimal strings, up to 40 digits)
	// so that DynamoDB's string comparison orders them as numbers.
	seqWidth = 48
	// shardKeep outlives a stream record (24 h retention): a shard not
	// written for that long can deliver nothing more, so its mark goes.
	shardKeep = 25 * time.Hour
)

// padSeq is a sequence number in its comparable form.
func padSeq(seq string) (string, error) {
	if seq == "" || len(seq) > seqWidth || strings.Trim(seq, "0123456789") != "" {
		return "", fmt.Errorf("stream sequence number %q is not a decimal of at most %d digits", seq, seqWidth)
	}
	return strings.Repeat("0", seqWidth-len(seq)) + seq, nil
}

// itemChange is what one stream record adds to one count item's attributes.
type itemChange struct {
	seq  string
	adds map[string]int
}

// ApplyCounts adds changes (one shard's records of one project, in stream
// order) to the project's counts, once. Each count item it touches (the
// counter item, with files, completed and the root position buckets; the
// position nodes of the files' times, positions.go) takes one UpdateItem,
// conditional on that item's mark for the shard being below the first
// change's sequence number. If it is not (a redelivery of records already
// counted), the changes after the mark are applied, conditional on the mark
// still being what was read. The counter item goes last, so the total never
// runs ahead of the positions.
func (s *Store) ApplyCounts(ctx context.Context, projectID, shard string, changes []files.CountChange) error {
	pk := projectPK(projectID)
	byItem := map[string][]itemChange{}
	var nodes []string
	for _, c := range changes {
		add := func(sk, attr string, n int) {
			if n == 0 {
				return
			}
			ch := byItem[sk]
			if len(ch) == 0 || ch[len(ch)-1].seq != c.Seq {
				if len(ch) == 0 && sk != counterSK {
					nodes = append(nodes, sk)
				}
				ch = append(ch, itemChange{seq: c.Seq, adds: map[string]int{}})
			}
			ch[len(ch)-1].adds[attr] += n
			byItem[sk] = ch
		}
		add(counterSK, "files", c.Files)
		add(counterSK, "completed", c.Completed)
		add(counterSK, "held", c.Held)
		add(counterSK, "bytes", int(c.Bytes))
		if ms, ok := c.ID.Millis(); ok {
			for _, p := range positionsOf(ms) {
				add(p.sk, p.attr, c.Files)
			}
		}
	}
	for _, sk := range append(nodes, counterSK) {
		if err := s.applyOnce(ctx, pk, sk, shard, byItem[sk]); err != nil {
			return err
		}
	}
	return nil
}

// applyOnce adds changes to one count item, once per shard sequence number.
func (s *Store) applyOnce(ctx context.Context, pk, sk, shard string, changes []itemChange) error {
	seqAttr, atAttr := seqAttrPrefix+shard, atAttrPrefix+shard
	var mark *string // the shard's mark as last read; nil: not read
	for range 3 {
		if len(changes) == 0 {
			return nil
		}
		first, err := padSeq(changes[0].seq)
		if err != nil {
			return err
		}
		last, err := padSeq(changes[len(changes)-1].seq)
		if err != nil {
			return err
		}
		sums := map[string]int{}
		for _, c := range changes {
			for attr, n := range c.adds {
				sums[attr] += n
			}
		}
		now := time.Now()
		u := s.table.Update("pk", pk).Range("sk", sk)
		empty := true
		for _, attr := range slices.Sorted(maps.Keys(sums)) {
			if sums[attr] != 0 {
				u.Add(attr, sums[attr])
				empty = false
			}
		}
		if empty {
			return nil // nothing to add; later records carry later marks
		}
		u.SetExpr("$ = ?", seqAttr, last).SetExpr("$ = ?", atAttr, now.Unix()) // names with '#' and '-' need placeholders
		switch {
		case mark == nil:
			u.If("attribute_not_exists($) OR $ < ?", seqAttr, seqAttr, first)
		case *mark == "":
			u.If("attribute_not_exists($)", seqAttr)
		default:
			u.If("$ = ?", seqAttr, *mark)
		}
		var after dynamo.Item
		err = u.Value(ctx, &after)
		if err == nil {
			return s.pruneShards(ctx, pk, sk, after, now)
		}
		if !dynamo.IsCondCheckFailed(err) {
			return classify(err)
		}
		// Some of these records were counted before: keep the rest.
		m, err := s.shardMark(ctx, pk, sk, seqAttr)
		if err != nil {
			return err
		}
		for len(changes) > 0 {
			if p, _ := padSeq(changes[0].seq); p > m {
				break
			}
			changes = changes[1:]
		}
		mark = &m
	}
	return files.Unavailable("storage", errors.New("counter updates kept racing on one shard's mark"))
}

// shardMark is the shard's last counted sequence number ("" if none).
func (s *Store) shardMark(ctx context.Context, pk, sk, seqAttr string) (string, error) {
	var item dynamo.Item
	err := s.table.Get("pk", pk).Range("sk", dynamo.Equal, sk).Consistent(true).One(ctx, &item)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return "", classify(err)
	}
	return str(item[seqAttr]), nil
}

// pruneShards removes the marks of shards silent for longer than a record
// lives, so the counter item does not grow with every shard the stream ever
// had (DynamoDB rolls shards over every few hours).
func (s *Store) pruneShards(ctx context.Context, pk, sk string, item dynamo.Item, now time.Time) error {
	var stale []string
	for name, v := range item {
		shard, ok := strings.CutPrefix(name, atAttrPrefix)
		n, isNum := v.(*types.AttributeValueMemberN)
		if !ok || !isNum {
			continue
		}
		if at, err := strconv.ParseInt(n.Value, 10, 64); err == nil && now.Sub(time.Unix(at, 0)) > shardKeep {
			stale = append(stale, seqAttrPrefix+shard, name)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	u := s.table.Update("pk", pk).Range("sk", sk)
	for _, name := range stale {
		u.RemoveExpr("$", name)
	}
	return classify(u.Run(ctx))
}
