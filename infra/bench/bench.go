// Package bench is `make bench`: Filegate against the floor of its
// architecture and the alternatives, as ratios to baselines measured in the
// same run. It writes results/results.md and results.json; the sections and
// what they show are explained once, in README.md.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// Config sizes a run; Full and Quick are the two presets.
type Config struct {
	Root               string // the repository
	Out                string // where results.md and results.json go
	ColdStarts         int
	BenchCount         int
	Benchtime          string
	FloorN             int
	Scales             []int
	ListReps           int
	ObjectSizes        []int64
	LoadClients        []int
	LoadDuration       time.Duration
	LagCreates         int // counterlag's burst
	HookEvents         int // files webhooklag completes
	LargeFile          int64
	LargeValidation    []int64 // multipart objects largefile validates
	ReconcileLost      int     // lost events repaired beside each ReconcileUnrelated
	ReconcileUnrelated []int
	ScanSizes          []int64
	ScanRounds         int
	CostUploads        int // 1 MiB uploads priced one at a time and from CostClients
	CostClients        int
	Sections           map[string]bool // nil: all
	Log                func(string, ...any)
}

// Full is `make bench`.
func Full(root string) Config {
	return Config{Root: root, Out: filepath.Join(root, "infra", "bench", "results"), ColdStarts: 30, BenchCount: 5, Benchtime: "500ms",
		FloorN: 200, Scales: []int{100, 10_000, 100_000}, ListReps: 15,
		ObjectSizes: []int64{1 << 10, 100 << 20, 1 << 30}, LoadClients: []int{8, 32}, LoadDuration: 20 * time.Second, LagCreates: 1000, HookEvents: 200,
		LargeFile: 1 << 30, LargeValidation: []int64{16 << 20, 256 << 20},
		ReconcileLost: 1000, ReconcileUnrelated: []int{1000, 20_000},
		ScanSizes: []int64{1 << 20, 100 << 20}, ScanRounds: 5, CostUploads: 1000, CostClients: 16}
}

// Quick is a smoke run of every section (minutes, not a result to quote).
func Quick(root string) Config {
	return Config{Root: root, Out: filepath.Join(root, "infra", "bench", "results"), ColdStarts: 3, BenchCount: 1, Benchtime: "100ms",
		FloorN: 20, Scales: []int{100, 1_000}, ListReps: 3,
		ObjectSizes: []int64{1 << 10, 8 << 20}, LoadClients: []int{4}, LoadDuration: 3 * time.Second, LagCreates: 100, HookEvents: 20,
		LargeFile: 64 << 20, LargeValidation: []int64{16 << 20},
		ReconcileLost: 50, ReconcileUnrelated: []int{50, 1000},
		ScanSizes: []int64{1 << 20, 8 << 20}, ScanRounds: 2, CostUploads: 30, CostClients: 4}
}

// SectionNames are the sections, in run order.
var SectionNames = []string{"size", "hotpath", "coldstart", "floor", "validation", "growth", "throughput", "counterlag", "webhooklag", "largefile", "reconcile", "scan", "cost"}

// Results is everything a run measured (results.json).
type Results struct {
	Machine    Machine           `json:"machine"`
	Config     map[string]any    `json:"config"`
	Budgets    []Budget          `json:"budgets"`
	Size       *SizeResult       `json:"size,omitempty" section:"size"`
	LargeFile  *LargeFileResult  `json:"large_file,omitempty" section:"largefile"`
	Reconcile  *ReconcileResult  `json:"reconcile,omitempty" section:"reconcile"`
	Scan       *ScanBenchResult  `json:"malware_scan,omitempty" section:"scan"`
	Sections   []*Section        `json:"sections,omitempty"`
	Failures   []string          `json:"failures,omitempty"`
	Kept       []string          `json:"kept_from_earlier_run,omitempty"` // -only: carried over
	Seconds    float64           `json:"seconds"`
}

// Budget is one line of docs/ARCHITECTURE.md "Budgets", judged.
type Budget struct {
	What     string `json:"what"`
	Budget   string `json:"budget"`
	Measured string `json:"measured"`
	Met      bool   `json:"met"`
}

func (c Config) on(section string) bool { return c.Sections == nil || c.Sections[section] }

// Run measures every selected section and writes the results, also when a
// section failed (its failure is recorded); the error lists the failures.
func Run(ctx context.Context, c Config) (*Results, error) {
	logf := c.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	began := time.Now()
	res := &Results{Machine: describeMachine(ctx, c.Root), Config: map[string]any{
		"cold_starts": c.ColdStarts, "bench_count": c.BenchCount, "benchtime": c.Benchtime, "floor_iterations": c.FloorN,
		"scales": c.Scales, "list_repetitions": c.ListReps, "object_sizes": c.ObjectSizes,
		"load_clients": c.LoadClients, "load_seconds": c.LoadDuration.Seconds(),
	}}
	fail := func(section string, err error) {
		res.Failures = append(res.Failures, section+": "+err.Error())
		logf("FAILED %s: %v", section, err)
	}
	work, err := os.MkdirTemp("", "filegate-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	tpl, err := samtemplate.ReadTemplate(filepath.Join(c.Root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	ids := slices.Sorted(maps.Keys(tpl.Functions))
	if c.on("size") {
		if res.Size, err = measureSizes(ctx, c.Root, work, ids, previousSizes(c.Out), logf); err != nil {
			fail("size", err)
		}
	}
	if c.on("hotpath") {
		if err := res.add(runHotPath(ctx, c.Root, c.BenchCount, c.Benchtime, logf)); err != nil {
			fail("hotpath", err)
		}
	}
	if slices.ContainsFunc(SectionNames[2:], c.on) { // all but size and hotpath need the stack
		if err := runWithStack(ctx, c, res, work, tpl, ids, fail, logf); err != nil {
			fail("local stack", err)
		}
	}
	if c.Sections != nil {
		keepOthers(c.Out, res, c.on)
	}
	res.Budgets = judge(res)
	res.Seconds = round2(time.Since(began).Seconds())
	if err := write(c.Out, res); err != nil {
		return res, err
	}
	if len(res.Failures) > 0 {
		return res, errors.New(strings.Join(res.Failures, "\n"))
	}
	return res, nil
}

func runWithStack(ctx context.Context, c Config, res *Results, work string, tpl *samtemplate.Template, ids []string, fail func(string, error), logf func(string, ...any)) error {
	h, err := startHarness(ctx, c.Root, logf)
	if err != nil {
		return err
	}
	defer h.stop()
	for _, s := range []struct {
		name string
		run  func() error
	}{
		{"coldstart", func() error { return res.add(h.runColdStart(ctx, c, work, ids)) }},
		{"floor", func() error { return res.add(h.runFloor(ctx, c.FloorN)) }},
		{"validation", func() error { return res.add(h.runValidation(ctx, c)) }},
		{"growth", func() error { return res.add(h.runGrowth(ctx, c)) }},
		{"throughput", func() error { return res.add(h.runLoad(ctx, c)) }},
		{"counterlag", func() error { return res.add(h.runCounterLag(ctx, c.LagCreates, 32)) }},
		{"webhooklag", func() error { return res.add(h.runWebhookLag(ctx, c.HookEvents)) }},
		{"largefile", func() (err error) {
			res.LargeFile, err = h.runLargeFile(ctx, c.Root, c.LargeFile, c.LargeValidation)
			return
		}},
		{"reconcile", func() (err error) {
			res.Reconcile, err = h.runReconcile(ctx, c.ReconcileLost, c.ReconcileUnrelated)
			return
		}},
		{"scan", func() (err error) { res.Scan, err = h.runScan(ctx, c); return }},
		{"cost", func() error { return res.add(h.runCost(ctx, c)) }},
	} {
		if c.on(s.name) {
			if err := s.run(); err != nil {
				fail(s.name, err)
			}
		}
	}
	return nil
}

// judge states each budget against what was measured.
func judge(r *Results) []Budget {
	var out []Budget
	if s := r.Size; s != nil {
		out = append(out, Budget{"zipped bootstrap per function (arm64)", "≤ 4 MB",
			fmt.Sprintf("largest %s: %s (%s)", s.Max.Function, mb(s.Max.ZipBytes), pct(s.Max.OfBudget)), s.Met})
		if s.Grown != nil {
			m := fmt.Sprintf("none of %d grew", len(s.Rows))
			if len(s.Grown) > 0 {
				m = fmt.Sprintf("%d of %d grew: %s", len(s.Grown), len(s.Rows), strings.Join(s.Grown, ", "))
			}
			out = append(out, Budget{"bootstrap per function vs the previous results", "none grows", m, len(s.Grown) == 0})
		}
	}
	if s := r.Scan; s != nil && len(s.Rows) > 0 {
		big := s.Rows[len(s.Rows)-1]
		var parts []string
		for _, row := range s.Rows {
			parts = append(parts, fmt.Sprintf("%s +%.0f ms", sizeLabel(row.SizeBytes), row.AddedMs))
		}
		out = append(out, Budget{"malware scan (ClamAV locally): added PUT → COMPLETED; object streamed", "reported per MiB; never whole in memory",
			fmt.Sprintf("%s (%.2f ms/MiB at %s; INSTREAM %.2f ms/MiB); %s allocated to stream %s", strings.Join(parts, ", "), big.AddedMsPerMiB, sizeLabel(big.SizeBytes),
				big.ScanMsPerMiB, mb(s.StreamedAllocBytes), sizeLabel(s.StreamedOfSize)),
			s.StreamedAllocBytes < s.StreamedOfSize/4})
	}
	if rc := r.Reconcile; rc != nil && len(rc.Rows) > 0 {
		first, last := rc.Rows[0], rc.Rows[len(rc.Rows)-1]
		out = append(out, Budget{fmt.Sprintf("reconcile of %d lost S3 events", rc.LostEvents), "same calls beside more unrelated objects; no bucket listing",
			fmt.Sprintf("%d calls beside %d objects, %d beside %d (same: %s); %d listings; %d and %d repaired", first.Total, first.Unrelated, last.Total, last.Unrelated, yes(rc.SameCalls), rc.Listings, first.Repaired, last.Repaired), rc.Met})
	}
	if l := r.LargeFile; l != nil {
		out = append(out, Budget{fmt.Sprintf("CLI transfer of %s vs s5cmd, same proxy", sizeLabel(l.SizeBytes)), "≥ 1.0× s5cmd's throughput",
			fmt.Sprintf("up %.2f× (%.1f vs %.1f s), down %.2f× (%.1f vs %.1f s)", l.UpOfS5cmd, l.CLIUp, l.S5cmdUp, l.DownOfS5cmd, l.CLIDown, l.S5cmdDown), l.Met})
	}
	for _, s := range r.Sections {
		out = append(out, s.Budgets...)
	}
	return out
}

// add keeps what a section measured, also when it then failed.
func (r *Results) add(s *Section, err error) error {
	if s != nil {
		r.Sections = append(r.Sections, s)
	}
	return err
}

// keepOthers carries the sections this run skipped (fields tagged section)
// over from the previous results in dir: an -only run updates its own.
func keepOthers(dir string, r *Results, ran func(string) bool) {
	raw, err := os.ReadFile(filepath.Join(dir, "results.json"))
	var prev Results
	if err != nil || json.Unmarshal(raw, &prev) != nil {
		return
	}
	cur, old := reflect.ValueOf(r).Elem(), reflect.ValueOf(prev)
	for i := range cur.NumField() {
		name := cur.Type().Field(i).Tag.Get("section")
		if name == "" || ran(name) || old.Field(i).IsNil() {
			continue
		}
		cur.Field(i).Set(old.Field(i))
		r.Kept = append(r.Kept, name)
	}
	for _, s := range prev.Sections {
		if !ran(s.Name) {
			r.Sections = append(r.Sections, s)
			r.Kept = append(r.Kept, s.Name)
		}
	}
	slices.SortStableFunc(r.Sections, func(a, b *Section) int {
		return slices.Index(SectionNames, a.Name) - slices.Index(SectionNames, b.Name)
	})
}

func write(dir string, r *Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(raw, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "results.md"), []byte(Markdown(r)), 0o644)
}
