package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

// A project's counts (its counter item, sk=COUNT) follow the table's stream,
// not the requests: the counter consumer (shared/streamevents) adds each
// batch's changes with one UpdateItem per project. The item also holds, per
// stream shard, the sequence number of the last record it counted
// (seq#<shard>) and when (at#<shard>), so a batch Lambda redelivers, whole,
// from a failed record on, or bisected, counts once.

// CountChange is what one stream record changes in its project's counts.
type CountChange struct {
	Seq       string // the record's sequence number in its shard
	Files     int    // +1 a file record appeared, -1 one was removed
	Completed int    // +1 a file entered COMPLETED, -1 one left it
}

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

// ApplyCounts adds changes (one shard's records of one project, in stream
// order) to the project's counts, once: the update is conditional on the
// shard's mark being below the first change's sequence number. If it is not
// (a redelivery of records already counted), the changes after the mark are
// applied, conditional on the mark still being what was read.
func (s *Store) ApplyCounts(ctx context.Context, projectID, shard string, changes []CountChange) error {
	seqAttr, atAttr := seqAttrPrefix+shard, atAttrPrefix+shard
	pk := projectPK(projectID)
	var mark *string // the shard's mark as last read; nil: not read
	for range 3 {
		if len(changes) == 0 {
			return nil
		}
		first, err := padSeq(changes[0].Seq)
		if err != nil {
			return err
		}
		last, err := padSeq(changes[len(changes)-1].Seq)
		if err != nil {
			return err
		}
		var nFiles, nCompleted int
		for _, c := range changes {
			nFiles, nCompleted = nFiles+c.Files, nCompleted+c.Completed
		}
		if nFiles == 0 && nCompleted == 0 {
			return nil // nothing to add; later records carry later marks
		}
		now := time.Now()
		u := s.table.Update("pk", pk).Range("sk", counterSK).
			Add("files", nFiles).Add("completed", nCompleted).
			SetExpr("$ = ?", seqAttr, last).SetExpr("$ = ?", atAttr, now.Unix()) // names with '#' and '-' need placeholders
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
			return s.pruneShards(ctx, pk, after, now)
		}
		if !dynamo.IsCondCheckFailed(err) {
			return classify(err)
		}
		// Some of these records were counted before: keep the rest.
		m, err := s.shardMark(ctx, pk, seqAttr)
		if err != nil {
			return err
		}
		for len(changes) > 0 {
			if p, _ := padSeq(changes[0].Seq); p > m {
				break
			}
			changes = changes[1:]
		}
		mark = &m
	}
	return files.Unavailable("storage", errors.New("counter updates kept racing on one shard's mark"))
}

// shardMark is the shard's last counted sequence number ("" if none).
func (s *Store) shardMark(ctx context.Context, pk, seqAttr string) (string, error) {
	var item dynamo.Item
	err := s.table.Get("pk", pk).Range("sk", dynamo.Equal, counterSK).Consistent(true).One(ctx, &item)
	if err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return "", classify(err)
	}
	return str(item[seqAttr]), nil
}

// pruneShards removes the marks of shards silent for longer than a record
// lives, so the counter item does not grow with every shard the stream ever
// had (DynamoDB rolls shards over every few hours).
func (s *Store) pruneShards(ctx context.Context, pk string, item dynamo.Item, now time.Time) error {
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
	u := s.table.Update("pk", pk).Range("sk", counterSK)
	for _, name := range stale {
		u.RemoveExpr("$", name)
	}
	return classify(u.Run(ctx))
}
