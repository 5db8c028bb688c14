package dynamostore_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
)

// positioned is a project seeded below the store, counted through
// ApplyCounts as the counter consumer would, one batch of 100 at a time.
type positioned struct {
	tab     testTable
	store   *dynamostore.Store
	ids     []files.FileID // newest first: what a full scan of the index returns
	created []files.FileID // in creation order, as the stream delivered them
	seq     int
}

// steadyAndBurst are the creation times of a project that grew steadily
// (files hours, seconds and tens of milliseconds apart, so they spread over
// every level of buckets) and then took a burst of 1,000 files in one second
// (a millisecond apart: many to a 64 ms bucket).
func steadyAndBurst() []time.Time {
	var at []time.Time
	t := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for _, step := range []time.Duration{5 * time.Hour, 37 * time.Minute, 3 * time.Second, 70 * time.Millisecond} {
		for range 60 {
			t = t.Add(step)
			at = append(at, t)
		}
	}
	t = t.Add(time.Minute)
	for range 1000 {
		t = t.Add(time.Millisecond)
		at = append(at, t)
	}
	return at
}

func seedPositioned(t *testing.T, at []time.Time) *positioned {
	t.Helper()
	tab, store := openStore(t)
	p := &positioned{tab: tab, store: store}
	var items []any
	for _, when := range at {
		f := pending(projectA, "a.pdf")
		f.ID, f.CreatedAt = files.NewID(when), when
		item, err := dynamostore.ItemOf(f)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item)
		p.ids = append(p.ids, f.ID)
	}
	if _, err := tab.db.Table(tab.name).Batch().Write().Put(items...).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.created = slices.Clone(p.ids)
	p.count(t, p.created, 1)
	slices.SortFunc(p.ids, files.FileID.Compare)
	slices.Reverse(p.ids)
	return p
}

// count applies ids' creations (files +1) or removals (-1) to the counts.
func (p *positioned) count(t *testing.T, ids []files.FileID, delta int) {
	t.Helper()
	for len(ids) > 0 {
		n := min(100, len(ids))
		var batch []files.CountChange
		for _, id := range ids[:n] {
			p.seq++
			batch = append(batch, files.CountChange{Seq: strconv.Itoa(p.seq), ID: id, Files: delta})
		}
		if err := p.store.ApplyCounts(context.Background(), projectA, "shard-1", batch); err != nil {
			t.Fatal(err)
		}
		ids = ids[n:]
	}
}

func (p *positioned) page(t *testing.T, limit, offset int) []files.FileID {
	t.Helper()
	page, _, err := p.store.List(context.Background(), projectA, limit, offset)
	if err != nil {
		t.Fatal(err)
	}
	return idsOf(page)
}

// With no concurrent writes, every offset of a project that grew steadily
// and in a burst returns exactly the files a full scan would, in order, and
// only the end of the list (where a page is short or empty, which the counts
// cannot vouch for while they may lag) walks the index.
func TestListEveryOffsetIsTheFullScans(t *testing.T) {
	p := seedPositioned(t, steadyAndBurst())
	const limit = 7
	for offset := 0; offset <= len(p.ids)+1; offset++ {
		want := p.ids[min(offset, len(p.ids)):min(offset+limit, len(p.ids))]
		if got := p.page(t, limit, offset); !slices.Equal(got, want) {
			t.Fatalf("offset %d: %v, want %v", offset, got, want)
		}
	}
	// The short pages (offsets past len-limit) walked; no full page did.
	if w := p.store.FallbackWalks(); w != limit+1 {
		t.Errorf("%d lists walked the index; want %d (the short and empty pages at the end)", w, limit+1)
	}
}

// Counts lag the stream: with files created and deleted that the counts do
// not show yet, every page is still full wherever the project has the rows
// (never short or empty because a count lags), and it is a run of the full
// scan shifted by at most the files created or deleted since.
func TestListUnderLaggingCountsShiftsByTheWritesSince(t *testing.T) {
	at := steadyAndBurst()
	p := seedPositioned(t, at[:len(at)-1000+200]) // the steady part and 200 of the burst
	ctx := context.Background()
	const created, deleted = 25, 15
	now := at[len(at)-1].Add(time.Second)
	for i := range created {
		f := pending(projectA, "new.pdf")
		f.ID = files.NewID(now.Add(time.Duration(i) * time.Millisecond))
		if err := p.store.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
		p.ids = append([]files.FileID{f.ID}, p.ids...)
	}
	for i := range deleted {
		victim := p.ids[created+17*i+3] // spread over the list
		if err := p.store.Delete(ctx, &files.File{ProjectID: projectA, ID: victim, Status: files.StatusPending}); err != nil {
			t.Fatal(err)
		}
		p.ids = slices.DeleteFunc(p.ids, func(id files.FileID) bool { return id == victim })
	}
	const limit = 9
	for offset := 0; offset <= len(p.ids); offset++ {
		got := p.page(t, limit, offset)
		if want := min(limit, len(p.ids)-offset); len(got) != want {
			t.Fatalf("offset %d: %d files, want %d", offset, len(got), want)
		}
		if len(got) == 0 {
			continue
		}
		at := slices.Index(p.ids, got[0])
		if at < 0 || !slices.Equal(p.ids[at:at+len(got)], got) {
			t.Fatalf("offset %d: %v is not a run of the full scan", offset, got)
		}
		if shift := at - offset; shift < -(created+deleted) || shift > created+deleted {
			t.Fatalf("offset %d: page starts at %d, shifted by %d; at most %d writes happened since", offset, at, shift, created+deleted)
		}
	}
}

// CountItemsOf, what tests seed, is what ApplyCounts keeps for the
// same files, including after a redelivered batch and removals: every count
// attribute of every count item, marks aside.
func TestCountItemsOfIsWhatApplyCountsKeeps(t *testing.T) {
	at := steadyAndBurst()
	p := seedPositioned(t, at[:300])
	// Redeliver the first batch, whole: counted once.
	p.seq = 0
	p.count(t, p.created[:100], 1)
	removed := p.ids[:40]
	p.seq = 1000
	p.count(t, removed, -1)
	kept := p.ids[40:]
	want, err := dynamostore.CountItemsOf(projectA, kept, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := countItems(t, p.tab)
	if len(got) < len(want) {
		t.Fatalf("%d count items stored, want at least %d", len(got), len(want))
	}
	for _, w := range want {
		sk := w["sk"].(*types.AttributeValueMemberS).Value
		g := got[sk]
		for name, v := range w {
			if name == "completed" {
				continue // no change here was a completion
			}
			if gv, ok := g[name]; !ok || fmt.Sprint(gv) != fmt.Sprint(v) {
				t.Errorf("%s.%s = %v, want %v", sk, name, show(gv), show(v))
			}
		}
		for name, v := range g {
			if _, ok := w[name]; !ok && !strings.Contains(name, "#") && fmt.Sprint(v) != fmt.Sprint(&types.AttributeValueMemberN{Value: "0"}) {
				t.Errorf("%s.%s = %v is not in CountItemsOf", sk, name, show(v))
			}
		}
	}
}

// countItems are a project's stored items that are not file records, by sk.
func countItems(t *testing.T, tab testTable) map[string]dynamo.Item {
	t.Helper()
	out, err := tab.client.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(tab.name),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "P#" + projectA}}})
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]dynamo.Item{}
	for _, it := range out.Items {
		if sk := it["sk"].(*types.AttributeValueMemberS).Value; !strings.HasPrefix(sk, "F#") {
			items[sk] = it
		}
	}
	return items
}
