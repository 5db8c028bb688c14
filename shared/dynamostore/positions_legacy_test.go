package dynamostore_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A table counted before the 12-day level moved onto the counter item kept
// it in nodes (sk=POS#30#<root>, n<child>). Lists add both places, so after
// the upgrade, with files of the old layout removed (their counts there go
// negative on the counter item), every offset is still the full scan's; a
// recount then moves the old nodes' counts onto the counter item.
func TestListReadsTheFirstLevelFromBothLayouts(t *testing.T) {
	ctx := context.Background()
	p := seedPositioned(t, steadyAndBurst()[:300])
	// Back to the old layout: the counter item's c<root>_<child> counts
	// become node POS#30#<root>'s n<child>.
	table := p.tab.db.Table(p.tab.name)
	moved := 0
	for name, v := range countItems(t, p.tab)["COUNT"] {
		root, child, ok := strings.Cut(strings.TrimPrefix(name, "c"), "_")
		if !ok || !strings.HasPrefix(name, "c") {
			continue
		}
		n, err := strconv.Atoi(v.(*types.AttributeValueMemberN).Value)
		if err != nil {
			t.Fatal(err)
		}
		if err := table.Update("pk", "P#"+projectA).Range("sk", "POS#30#"+root).SetExpr("$ = ?", "n"+child, n).Run(ctx); err != nil {
			t.Fatal(err)
		}
		if err := table.Update("pk", "P#"+projectA).Range("sk", "COUNT").RemoveExpr("$", name).Run(ctx); err != nil {
			t.Fatal(err)
		}
		moved++
	}
	if moved == 0 {
		t.Fatal("the counter item holds no first-level counts")
	}
	// Remove the 40 newest files, counted in the new layout.
	for _, id := range p.ids[:40] {
		if err := table.Delete("pk", "P#"+projectA).Range("sk", "F#"+id.String()).Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	p.count(t, p.ids[:40], -1)
	p.ids = p.ids[40:]
	check := func(when string) {
		t.Helper()
		const limit = 7
		for offset := 0; offset <= len(p.ids)-limit; offset++ {
			if got, want := p.page(t, limit, offset), p.ids[offset:offset+limit]; !slices.Equal(got, want) {
				t.Fatalf("%s, offset %d: %v, want %v", when, offset, got, want)
			}
		}
		if w := p.store.FallbackWalks(); w != 0 {
			t.Errorf("%s: %d full pages walked the index; the counts should place them all", when, w)
		}
	}
	check("old and new layouts")
	if _, err := p.store.Recount(ctx, projectA, 0, true); err != nil {
		t.Fatal(err)
	}
	for sk, item := range countItems(t, p.tab) {
		for name, v := range item {
			if strings.HasPrefix(sk, "POS#30#") && strings.HasPrefix(name, "n") {
				t.Errorf("after the recount %s still counts %s = %v", sk, name, v)
			}
		}
	}
	check("after the recount")
}
