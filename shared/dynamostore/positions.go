package dynamostore

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// Position counts let a native list find where offset N starts without
// walking N keys. They count a project's files per creation-time bucket (a
// file's time is its ID's: IDs sort by it, so the ByProjectNewest index
// orders by it too), in a tree of buckets whose widths are powers of two
// milliseconds, each 64 times its children's:
//
//	root, on the counter item:      r<t>>36>   files per 2^36 ms (~2.2 years)
//	12-day level, on the counter item: c<t>>36>_<(t>>30)&63> files per 2^30 ms
//	node, item sk=POS#<s>#<t>>(s+6)>: n<(t>>s)&63> files per 2^s ms, s =
//	                                 24 (4.7 h), 18 (4.4 min), 12 (4.1 s), 6 (64 ms)
//
// A list reads the root and one node per level newest-first (six small
// GetItems), then the index from the end of one 64 ms leaf: it skips at most
// the files created in 64 ms, which DynamoDB's ~1,000 writes/s per partition
// key keeps near 64. The counter consumer keeps them (ApplyCounts) with the
// other counts, so they lag writes like totalCount does.
//
// The 12-day level lives on the counter item, which every change writes
// anyway, so a file's creation or removal writes 5 items, not 6 (the
// counter item grows by about 30 attributes a year). Tables counted before
// kept that level in nodes sk=POS#30#<t>>36> (n<child>); a list adds both
// (a file counted there and removed since is -1 here), so no migration is
// needed, and a recount moves the old nodes' counts onto the counter item.
const (
	posPrefix = "POS#"
	rootAttr  = "r"
	childAttr = "n"
	rootShift = 36
	fanBits   = 6
	leafShift = 6
)

// nodeShifts are the node levels' child widths, coarsest first.
var nodeShifts = []uint{30, 24, 18, 12, leafShift}

// posCount is one bucket count: item sk and attribute.
type posCount struct{ sk, attr string }

// positionsOf are the bucket counts a file made at ms adds to, root first.
func positionsOf(ms int64) []posCount {
	out := []posCount{
		{counterSK, rootAttr + strconv.FormatInt(ms>>rootShift, 10)},
		{counterSK, firstLevelAttr(ms>>rootShift) + strconv.FormatInt((ms>>nodeShifts[0])&(1<<fanBits-1), 10)},
	}
	for _, s := range nodeShifts[1:] {
		out = append(out, posCount{nodeSK(s, ms>>(s+fanBits)), childAttr + strconv.FormatInt((ms>>s)&(1<<fanBits-1), 10)})
	}
	return out
}

// firstLevelAttr is the attribute prefix, on the counter item, of the
// first node level's children under root bucket root.
func firstLevelAttr(root int64) string { return "c" + strconv.FormatInt(root, 10) + "_" }

// nodeSK is the item of the node whose children are 2^s ms wide and whose
// range is prefix<<(s+6) … (prefix+1)<<(s+6) - 1.
func nodeSK(s uint, prefix int64) string { return fmt.Sprintf("%s%d#%d", posPrefix, s, prefix) }

// buckets are an item's bucket counts under attribute prefix attr, newest
// (highest) bucket first; empty buckets are left out.
func buckets(item dynamo.Item, attr string) []bucket { return nonEmpty(bucketCounts(item, attr)) }

// bucketCounts are an item's bucket counts under attribute prefix attr, by
// bucket, as stored (a count may be negative where a level is kept in two
// places, positions.go).
func bucketCounts(item dynamo.Item, attr string) map[int64]int {
	out := map[int64]int{}
	for name, v := range item {
		rest, ok := strings.CutPrefix(name, attr)
		n, isNum := v.(*types.AttributeValueMemberN)
		if !ok || !isNum {
			continue
		}
		k, errK := strconv.ParseInt(rest, 10, 64)
		c, errC := strconv.Atoi(n.Value)
		if errK == nil && errC == nil {
			out[k] += c
		}
	}
	return out
}

// nonEmpty are the buckets of counts above 0, newest (highest) first.
func nonEmpty(counts map[int64]int) []bucket {
	var out []bucket
	for k, c := range counts {
		if c > 0 {
			out = append(out, bucket{k, c})
		}
	}
	slices.SortFunc(out, func(a, b bucket) int { return cmp.Compare(b.key, a.key) })
	return out
}

type bucket struct {
	key   int64
	count int
}

func num(n int) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.Itoa(n)}
}

// intAttr is a number attribute of item (0 if absent).
func intAttr(item dynamo.Item, name string) int {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(v.Value)
	return n
}
