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

// GrowthPoint is one query at one project size.
type GrowthPoint struct {
	Query    string   `json:"query"`
	Files    int      `json:"files"`
	Latency  Dist     `json:"latency"` // through the local API
	Capacity Snapshot `json:"capacity"`
	Returned int      `json:"returned"`
	Offset   int      `json:"offset,omitempty"` // native listings: the page's offset
	Total    int      `json:"total"`
	// InProcessOnly: too slow for the API; Latency is the one in-process call.
	InProcessOnly bool `json:"in_process_only,omitempty"`
}

// GrowthTrend is one query across the scales.
type GrowthTrend struct {
	Query         string    `json:"query"`
	RCU           []float64 `json:"read_units"` // per scale
	P50           []float64 `json:"p50_ms"`     // per scale
	InProcess     []bool    `json:"p50_in_process,omitempty"`
	RCUGrowth     float64   `json:"read_units_growth"`
	LatencyGrowth float64   `json:"p50_growth"`
	Flat          bool      `json:"flat"`
}

// ValidationRow is validation at one object size.
type ValidationRow struct {
	SizeBytes     int64   `json:"size_bytes"`
	BytesRead     int64   `json:"bytes_read"` // S3 response bytes during complete
	S3Requests    int64   `json:"s3_requests"`
	ServiceMs     float64 `json:"service_complete_ms"` // upload.Settlement.Complete, instrumented, in process
	APICompleteMs float64 `json:"api_complete_ms"`     // POST /v1/files/{id}/complete on another file of the size
	UploadMs      float64 `json:"upload_ms"`           // the presigned PUT, for scale
	Reads         Dist    `json:"validation_reads"`    // the range GET as validation makes it, repeated
}

// GrowthResult is section 5.
type GrowthResult struct {
	Scales      []int           `json:"scales"`
	SeedSeconds []float64       `json:"seed_seconds"`
	Points      []GrowthPoint   `json:"points"`
	Trends      []GrowthTrend   `json:"trends"`
	ListFlat    bool            `json:"list_flat"`
	Validation  []ValidationRow `json:"validation"`
	BytesFlat   bool            `json:"validation_bytes_flat"`
}

// listQuery is one listing, through the API and in process.
type listQuery struct {
	name   string
	path   func(scale int) string
	native bool
	offset func(scale int) int
	first  func(scale int) string // native: the id the page must start with
	q      files.Query            // compat: ProjectID filled in at run time
}

func (s *seeder) queries() []listQuery {
	qs := []listQuery{
		{name: "native, offset 0", native: true, offset: func(int) int { return 0 }},
		{name: fmt.Sprintf("native, offset %d", fixedOffset), native: true, offset: func(int) int { return fixedOffset }},
		{name: "native, last page (offset files−25)", native: true, offset: func(n int) int { return n - nativeLimit }},
	}
	for i := range qs {
		off := qs[i].offset
		qs[i].path = func(n int) string { return fmt.Sprintf("/v1/files?limit=%d&offset=%d", nativeLimit, off(n)) }
		qs[i].first = func(n int) string { return s.ids[n-1-off(n)] } // file i is the i-th oldest
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
			qs = append(qs, listQuery{
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
		Status:    files.StatusCompleted,
		CreatedAt: created, UpdatedAt: created.Add(2 * time.Second), UploadExpiresAt: created.Add(15 * time.Minute),
		ObjectKey: files.ObjectKey(s.project, id),
	}
	done := created.Add(2 * time.Second)
	f.CompletedAt = &done
	sum := md5.Sum([]byte(id.String()))
	f.MD5 = hex.EncodeToString(sum[:])
	f.ETag = `"` + f.MD5 + `"`
	switch {
	case i < 5*needleCount && i%5 == 0:
		f.Filename, f.ExternalFileID = needleName, needleExt
	case i%2 == 0:
		f.ExternalFileID = "ext-" + strconv.Itoa(i)
	}
	return f
}

// grow seeds files s.n … to-1 in parallel, then waits until the counter consumer counted them.
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
	if err := parallel(ctx, 8, len(items), func(i int) error { return s.put(ctx, items[i]) }); err != nil {
		return err
	}
	s.n = to
	return s.counted(ctx)
}

// put writes f, a COMPLETED file, as create and complete would.
func (s *seeder) put(ctx context.Context, f *files.File) error {
	pending := *f
	pending.Status, pending.CompletedAt, pending.MD5, pending.ETag = files.StatusPending, nil, "", ""
	if err := s.h.store.Create(ctx, &pending); err != nil {
		return err
	}
	_, err := s.h.store.Transition(ctx, &pending, files.StatusPending, files.Change{To: files.StatusCompleted, At: *f.CompletedAt, ETag: f.ETag, MD5: f.MD5})
	return err
}

// counted waits until the counter consumer has counted every seeded record.
func (s *seeder) counted(ctx context.Context) error {
	deadline := time.Now().Add(15 * time.Minute)
	for {
		n, err := s.h.fileCount(ctx, s.project)
		if err != nil || n == s.n {
			return err
		}
		if n > s.n || time.Now().After(deadline) {
			return fmt.Errorf("the project counts %d files, want %d", n, s.n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// runGrowth seeds one project to each scale and measures every listing there.
func (h *harness) runGrowth(ctx context.Context, scales []int, reps int) (*GrowthResult, error) {
	res := &GrowthResult{Scales: scales}
	api, org, project, err := h.tenant(ctx)
	if err != nil {
		return nil, err
	}
	in, err := h.instrumented()
	if err != nil {
		return nil, err
	}
	s := &seeder{h: h, org: org, project: project, base: time.Now().UTC().Add(-time.Duration(scales[len(scales)-1]+3600) * time.Second)}
	var qs []listQuery
	for _, scale := range scales {
		start := time.Now()
		if err := s.grow(ctx, scale); err != nil {
			return nil, fmt.Errorf("seeding %d files: %w", scale, err)
		}
		res.SeedSeconds = append(res.SeedSeconds, round2(time.Since(start).Seconds()))
		h.logf("growth: seeded %d files (%s)", scale, time.Since(start).Round(time.Millisecond))
		if qs == nil {
			qs = s.queries()
		}
		points, err := h.measureLists(ctx, api, in, project, qs, scale, reps)
		if err != nil {
			return nil, err
		}
		res.Points = append(res.Points, points...)
	}
	res.Trends, res.ListFlat = trends(qs, scales, res.Points)
	return res, nil
}

// measureLists: capacity in process, then p50 through the API (slow listings sampled less, README.md §5).
func (h *harness) measureLists(ctx context.Context, api *filegate.Client, in *instrumented, project string, qs []listQuery, scale, reps int) ([]GrowthPoint, error) {
	points := make([]GrowthPoint, len(qs))
	samples := make([]int, len(qs))
	for i, q := range qs {
		in.meter.Reset()
		start := time.Now()
		var n int
		if q.native {
			page, _, err := in.records.List(ctx, project, nativeLimit, q.offset(scale))
			if err != nil {
				return nil, err
			}
			if want := q.first(scale); len(page) == 0 || page[0].ID.String() != want {
				return nil, fmt.Errorf("%s at %d files: the page does not start with file %s (the offset's), so its cost is not the listing's", q.name, scale, want)
			}
			n = len(page)
		} else {
			qq := q.q
			qq.ProjectID = project
			page, err := in.listing.ListCompleted(ctx, qq)
			if err != nil {
				return nil, err
			}
			n = len(page.Files)
		}
		took := time.Since(start)
		points[i] = GrowthPoint{Query: q.name, Files: scale, Capacity: in.meter.Snapshot(), Returned: n}
		if q.native {
			points[i].Offset = q.offset(scale)
		}
		switch {
		case took > 5*time.Second:
			points[i].Latency = Summarize([]time.Duration{took})
			points[i].InProcessOnly = true
		case took > 250*time.Millisecond:
			samples[i] = min(reps, 5)
		default:
			samples[i] = reps
		}
	}
	lat := make([][]time.Duration, len(qs))
	for round := range reps {
		for i, q := range qs {
			if round >= samples[i] {
				continue
			}
			start := time.Now()
			n, total, err := listCall(ctx, api, q.path(scale), q.native)
			if err != nil {
				return nil, err
			}
			lat[i] = append(lat[i], time.Since(start))
			if n != points[i].Returned {
				return nil, fmt.Errorf("%s at %d files: the API returned %d files, the instrumented service %d", q.name, scale, n, points[i].Returned)
			}
			points[i].Total = total
		}
	}
	for i := range qs {
		if len(lat[i]) > 0 {
			points[i].Latency = Summarize(lat[i])
		}
	}
	h.logf("growth: measured %d listings at %d files", len(qs), scale)
	return points, nil
}

// listCall GETs a listing and returns how many files it carried and its total.
func listCall(ctx context.Context, api *filegate.Client, path string, native bool) (int, int, error) {
	var page struct {
		Data       []json.RawMessage `json:"data"`
		TotalCount int               `json:"totalCount"`
		Items      []json.RawMessage `json:"items"`
		TotalSize  int               `json:"total_size"`
	}
	res, err := apitest.Do(ctx, api, http.MethodGet, path, nil, &page)
	if err == nil && res.Status != http.StatusOK {
		err = fmt.Errorf("GET %s: %d %s", path, res.Status, res.Body)
	}
	if err != nil {
		return 0, 0, err
	}
	if native {
		return len(page.Data), page.TotalCount, nil
	}
	return len(page.Items), page.TotalSize, nil
}

// trends: one row per query; flat is RCU at the largest scale ≤ 1.25× (+0.5) the smallest.
func trends(qs []listQuery, scales []int, points []GrowthPoint) ([]GrowthTrend, bool) {
	all := true
	out := make([]GrowthTrend, 0, len(qs))
	for _, q := range qs {
		t := GrowthTrend{Query: q.name}
		for _, scale := range scales {
			for _, p := range points {
				if p.Query == q.name && p.Files == scale {
					t.RCU = append(t.RCU, p.Capacity.RCU)
					t.P50 = append(t.P50, p.Latency.P50)
					t.InProcess = append(t.InProcess, p.InProcessOnly)
				}
			}
		}
		if len(t.RCU) == 0 {
			continue
		}
		first, last := t.RCU[0], t.RCU[len(t.RCU)-1]
		t.RCUGrowth = ratio(last, first)
		t.LatencyGrowth = ratio(t.P50[len(t.P50)-1], t.P50[0])
		t.Flat = last <= 1.25*first+0.5
		all = all && t.Flat
		out = append(out, t)
	}
	return out, all
}
