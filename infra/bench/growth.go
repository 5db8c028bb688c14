package bench

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/shared/files"
)

// Growth fixtures: the filters match the same files at every scale, so a
// flat design costs the same at 100 and at 100,000 files.
const (
	needleName    = "needle.pdf"
	needleExt     = "needle-ext"
	needleCount   = 20 // files named needleName with external id needleExt
	fileIDsFilter = 10 // ids in the file_ids filter
	nativeLimit   = 25
	fixedOffset   = 75 // the deepest offset the smallest scale has
)

// listing is one query, through the API and in process, and what it cost at each scale.
type listing struct {
	name   string
	path   func(scale int) string
	native bool
	offset func(scale int) int
	first  func(scale int) string // native: the id the page must start with
	q      files.Query            // compat: ProjectID filled in at run time
	rcu    []float64              // per scale
	p50    []float64
	inProc []bool // p50 is one in-process call (too slow for the API)
	last   Snapshot
}

func (s *seeder) queries() []*listing {
	qs := []*listing{
		{name: "native, offset 0", native: true, offset: func(int) int { return 0 }},
		{name: fmt.Sprintf("native, offset %d", fixedOffset), native: true, offset: func(int) int { return fixedOffset }},
		{name: "native, last page (offset files−25)", native: true, offset: func(n int) int { return n - nativeLimit }},
	}
	for _, q := range qs {
		off := q.offset
		q.path = func(n int) string { return fmt.Sprintf("/v1/files?limit=%d&offset=%d", nativeLimit, off(n)) }
		q.first = func(n int) string { return s.ids[n-1-off(n)] } // file i is the i-th oldest
	}
	ids := strings.Join(s.sampleIDs, ",")
	for _, order := range []files.Order{files.OrderCreatedDesc, files.OrderIDAsc, files.OrderNameAsc} {
		for _, f := range []struct {
			label string
			param string
			filt  files.Filter
		}{
			{"no filter", "", files.Filter{}},
			{"file_name", "&file_name=" + url.QueryEscape(needleName), files.Filter{FileName: needleName}},
			{"external_file_id", "&external_file_id=" + needleExt, files.Filter{ExternalFileID: needleExt}},
			{fmt.Sprintf("file_ids (%d)", fileIDsFilter), "&file_ids=" + ids, files.Filter{FileIDs: s.sampleIDs}},
		} {
			path := "/api/v1/beta/files?order_by=" + string(order) + f.param
			qs = append(qs, &listing{
				name: fmt.Sprintf("compat, %s, order_by=%s", f.label, order),
				path: func(int) string { return path },
				q:    files.Query{Filter: f.filt, Order: order, Limit: 50},
			})
		}
	}
	return qs
}

// seeder fills one project with COMPLETED files through the store; the counter consumer counts them.
type seeder struct {
	h         *harness
	org       string
	project   string
	base      time.Time
	n         int
	ids       []string // in creation order
	sampleIDs []string
}

func (s *seeder) file(i int) *files.File {
	created := s.base.Add(time.Duration(i) * time.Second)
	id := files.NewID(created)
	f := &files.File{
		ID: id, ProjectID: s.project, OrganizationID: s.org,
		Declared:  files.Declared{Filename: fmt.Sprintf("doc-%08x.pdf", uint32(i)*2654435761), MimeType: "application/pdf", SizeBytes: int64(1000 + i%50000), Purpose: "parse"},
		Status:    files.StatusPending,
		CreatedAt: created, UpdatedAt: created.Add(2 * time.Second), UploadExpiresAt: created.Add(15 * time.Minute),
		ObjectKey: files.ObjectKey(s.project, id),
	}
	switch {
	case i < 5*needleCount && i%5 == 0:
		f.Filename, f.ExternalFileID = needleName, needleExt
	case i%2 == 0:
		f.ExternalFileID = "ext-" + strconv.Itoa(i)
	}
	return f
}

// grow seeds files s.n … to-1 in parallel as create and complete write them, then waits until the counter consumer counted them.
func (s *seeder) grow(ctx context.Context, to int) error {
	items := make([]*files.File, 0, to-s.n)
	for i := s.n; i < to; i++ {
		f := s.file(i)
		if len(s.sampleIDs) < fileIDsFilter && i%7 == 3 {
			s.sampleIDs = append(s.sampleIDs, f.ID.String())
		}
		items = append(items, f)
		s.ids = append(s.ids, f.ID.String())
	}
	err := parallel(ctx, 8, len(items), func(i int) error {
		f := items[i]
		if err := s.h.store.Create(ctx, f); err != nil {
			return err
		}
		sum := md5.Sum([]byte(f.ID.String()))
		md := hex.EncodeToString(sum[:])
		_, err := s.h.store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCompleted, At: f.UpdatedAt, ETag: `"` + md + `"`, MD5: md})
		return err
	})
	if err != nil {
		return err
	}
	s.n = to
	return waitFor(ctx, 15*time.Minute, 250*time.Millisecond, func() (bool, error) {
		n, err := s.h.fileCount(ctx, s.project)
		if err == nil && n > s.n {
			err = fmt.Errorf("the project counts %d files, want %d", n, s.n)
		}
		return n == s.n, err
	})
}

// runGrowth seeds one project to each scale and measures every listing there (README.md §5).
func (h *harness) runGrowth(ctx context.Context, c Config) (*Section, error) {
	scales := c.Scales
	api, org, project, err := h.tenant(ctx)
	if err != nil {
		return nil, err
	}
	in, err := h.instrumented()
	if err != nil {
		return nil, err
	}
	s := &seeder{h: h, org: org, project: project, base: time.Now().UTC().Add(-time.Duration(scales[len(scales)-1]+3600) * time.Second)}
	var qs []*listing
	var seeding []float64
	for _, scale := range scales {
		start := time.Now()
		if err := s.grow(ctx, scale); err != nil {
			return nil, fmt.Errorf("seeding %d files: %w", scale, err)
		}
		seeding = append(seeding, round2(time.Since(start).Seconds()))
		h.logf("growth: seeded %d files (%s)", scale, time.Since(start).Round(time.Millisecond))
		if qs == nil {
			qs = s.queries()
		}
		if err := h.measureLists(ctx, api, in, project, qs, scale, c.ListReps); err != nil {
			return nil, err
		}
	}
	sec := &Section{Name: "growth"}
	var head []string
	for _, what := range []string{"RCU", "p50"} {
		for _, n := range scales {
			head = append(head, fmt.Sprintf("%s @ %s", what, shortCount(n)))
		}
	}
	t := sec.table(fmt.Sprintf("5. Growth: one project seeded to %s COMPLETED files (seeding %s s); RCU as DynamoDB Local reports them; p50 through the API", joinInts(scales), joinFloats(seeding)),
		"listing | "+strings.Join(head, " | ")+" | RCU growth | flat")
	last := shortCount(scales[len(scales)-1])
	calls := sec.table("DynamoDB calls per listing at "+last+" files", "listing | calls | items returned | items evaluated")
	var grown []string
	worst := 0.0
	for _, q := range qs {
		first, end := q.rcu[0], q.rcu[len(q.rcu)-1]
		flat := end <= 1.25*first+0.5 // flat: RCU at the largest scale ≤ 1.25× (+0.5) the smallest
		if !flat {
			grown = append(grown, fmt.Sprintf("%s: %.1f → %.1f RCU", q.name, first, end))
		}
		p50 := make([]string, len(q.p50))
		for i, v := range q.p50 {
			p50[i] = fmt.Sprintf("%.1f ms", v) + map[bool]string{true: "†"}[q.inProc[i]]
		}
		t.row("%s | %s | %s | %.2f× | %s", q.name, join(q.rcu, "%s", " | ", func(v float64) any { return trimFloat(v) }), strings.Join(p50, " | "), ratio(end, first), yes(flat))
		calls.row("%s | %s | %d | %d", q.name, joinCounts(q.last.Calls, "%s×%d", " + "), q.last.Items, q.last.Scanned)
		if strings.HasPrefix(q.name, "native, last page") {
			for i := range q.rcu {
				worst = max(worst, ratio(q.rcu[i], qs[0].rcu[i]))
			}
		}
	}
	t.note("† one in-process call (too slow to sample through the API).")
	m := fmt.Sprintf("all %d listings flat from %d to %d files", len(qs), scales[0], scales[len(scales)-1])
	if len(grown) > 0 {
		m = fmt.Sprintf("%d of %d flat; grows: %s", len(qs)-len(grown), len(qs), strings.Join(grown, "; "))
	}
	sec.budget("list page cost", "flat from 100 to 100,000 files", len(grown) == 0, "%s", m)
	sec.budget("native list: last page vs first page", "≤ 2× (RCU)", worst <= 2, "worst %.2f× over %s files", worst, joinInts(scales))
	return sec, nil
}

// measureLists: capacity in process, then p50 through the API (slow listings sampled less, README.md §5).
func (h *harness) measureLists(ctx context.Context, api *filegate.Client, in *instrumented, project string, qs []*listing, scale, reps int) error {
	returned, samples := make([]int, len(qs)), make([]int, len(qs))
	lat := make([][]time.Duration, len(qs))
	for i, q := range qs {
		in.meter.Reset()
		start := time.Now()
		if q.native {
			page, _, err := in.records.List(ctx, project, nativeLimit, q.offset(scale))
			if err != nil {
				return err
			}
			if want := q.first(scale); len(page) == 0 || page[0].ID.String() != want {
				return fmt.Errorf("%s at %d files: the page does not start with file %s (the offset's), so its cost is not the listing's", q.name, scale, want)
			}
			returned[i] = len(page)
		} else {
			qq := q.q
			qq.ProjectID = project
			page, err := in.listing.ListCompleted(ctx, qq)
			if err != nil {
				return err
			}
			returned[i] = len(page.Files)
		}
		took := time.Since(start)
		q.last = in.meter.Snapshot()
		q.rcu, q.inProc = append(q.rcu, q.last.RCU), append(q.inProc, took > 5*time.Second)
		switch {
		case took > 5*time.Second:
			lat[i] = []time.Duration{took}
		case took > 250*time.Millisecond:
			samples[i] = min(reps, 5)
		default:
			samples[i] = reps
		}
	}
	for round := range reps {
		for i, q := range qs {
			if round >= samples[i] {
				continue
			}
			start := time.Now()
			n, err := listCall(ctx, api, q.path(scale), q.native)
			if err != nil {
				return err
			}
			lat[i] = append(lat[i], time.Since(start))
			if n != returned[i] {
				return fmt.Errorf("%s at %d files: the API returned %d files, the instrumented service %d", q.name, scale, n, returned[i])
			}
		}
	}
	for i, q := range qs {
		q.p50 = append(q.p50, Summarize(lat[i]).P50)
	}
	h.logf("growth: measured %d listings at %d files", len(qs), scale)
	return nil
}

// listCall GETs a listing and returns how many files it carried.
func listCall(ctx context.Context, api *filegate.Client, path string, native bool) (int, error) {
	var page struct {
		Data  []json.RawMessage `json:"data"`
		Items []json.RawMessage `json:"items"`
	}
	res, err := apitest.Do(ctx, api, http.MethodGet, path, nil, &page)
	if err == nil && res.Status != http.StatusOK {
		err = fmt.Errorf("GET %s: %d %s", path, res.Status, res.Body)
	}
	if native {
		return len(page.Data), err
	}
	return len(page.Items), err
}
