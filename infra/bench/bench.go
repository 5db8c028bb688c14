// Package bench is `make bench`: Filegate against the floor of its
// architecture and the alternatives, as ratios to baselines measured in the
// same run. It writes results/results.md and results.json; the sections and
// what they show are explained once, in README.md.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// Config sizes a run; Full and Quick are the two presets.
type Config struct {
	Root               string `json:"-"` // the repository
	Out                string `json:"-"` // where results.md and results.json go
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
	Sections           map[string]bool      `json:"-"` // nil: all
	Log                func(string, ...any) `json:"-"`
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

// SectionNames are the sections, in results.md's order.
var SectionNames = []string{"size", "coldstart", "hotpath", "floor", "growth", "validation", "throughput", "counterlag", "webhooklag", "largefile", "reconcile", "scan", "cost"}

// Results is everything a run measured: results.json, and results.md rendered from it.
type Results struct {
	Date     string     `json:"date"`
	Machine  [][]string `json:"machine"`
	Config   Config     `json:"config"`
	Budgets  []Budget   `json:"budgets"` // the sections', in section order
	Sections []*Section `json:"sections"`
	Failures []string   `json:"failures,omitempty"`
	Kept     []string   `json:"kept_from_earlier_run,omitempty"` // -only: carried over
	Seconds  float64    `json:"seconds"`
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
	res := &Results{Date: began.UTC().Format(time.RFC3339), Machine: describeMachine(ctx, c.Root), Config: c}
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
	runs := map[string]func(h *harness) (*Section, error){
		"size": func(*harness) (*Section, error) {
			return measureSizes(ctx, c.Root, work, ids, previousSizes(c.Out), logf)
		},
		"hotpath":    func(*harness) (*Section, error) { return runHotPath(ctx, c.Root, c.BenchCount, c.Benchtime, logf) },
		"coldstart":  func(h *harness) (*Section, error) { return h.runColdStart(ctx, c, work, ids) },
		"floor":      func(h *harness) (*Section, error) { return h.runFloor(ctx, c.FloorN) },
		"growth":     func(h *harness) (*Section, error) { return h.runGrowth(ctx, c) },
		"validation": func(h *harness) (*Section, error) { return h.runValidation(ctx, c) },
		"throughput": func(h *harness) (*Section, error) { return h.runLoad(ctx, c) },
		"counterlag": func(h *harness) (*Section, error) { return h.runCounterLag(ctx, c.LagCreates, 32) },
		"webhooklag": func(h *harness) (*Section, error) { return h.runWebhookLag(ctx, c.HookEvents) },
		"largefile":  func(h *harness) (*Section, error) { return h.runLargeFile(ctx, c) },
		"reconcile":  func(h *harness) (*Section, error) { return h.runReconcile(ctx, c.ReconcileLost, c.ReconcileUnrelated) },
		"scan":       func(h *harness) (*Section, error) { return h.runScan(ctx, c) },
		"cost":       func(h *harness) (*Section, error) { return h.runCost(ctx, c) },
	}
	run := func(name string, h *harness) {
		s, err := runs[name](h)
		if s != nil { // what it measured, also when it then failed
			res.Sections = append(res.Sections, s)
		}
		if err != nil {
			fail(name, err)
		}
	}
	// size and hotpath first, without the local stack; the others on one stack.
	onStack := func(s string) bool { return s != "size" && s != "hotpath" && c.on(s) }
	for _, name := range []string{"size", "hotpath"} {
		if c.on(name) {
			run(name, nil)
		}
	}
	if slices.ContainsFunc(SectionNames, onStack) {
		if h, err := startHarness(ctx, c.Root, logf); err != nil {
			fail("local stack", err)
		} else {
			defer h.stop()
			for _, name := range SectionNames {
				if onStack(name) {
					run(name, h)
				}
			}
		}
	}
	if c.Sections != nil {
		keepOthers(c.Out, res, c.on)
	}
	slices.SortStableFunc(res.Sections, func(a, b *Section) int {
		return slices.Index(SectionNames, a.Name) - slices.Index(SectionNames, b.Name)
	})
	for _, s := range res.Sections {
		res.Budgets = append(res.Budgets, s.Budgets...)
	}
	res.Seconds = round2(time.Since(began).Seconds())
	if err := write(c.Out, res); err != nil {
		return res, err
	}
	if len(res.Failures) > 0 {
		return res, errors.New(strings.Join(res.Failures, "\n"))
	}
	return res, nil
}

// keepOthers carries the sections this run skipped over from the previous
// results in dir: an -only run updates its own.
func keepOthers(dir string, r *Results, ran func(string) bool) {
	raw, err := os.ReadFile(filepath.Join(dir, "results.json"))
	var prev Results
	if err != nil || json.Unmarshal(raw, &prev) != nil {
		return
	}
	for _, s := range prev.Sections {
		if !ran(s.Name) {
			r.Sections = append(r.Sections, s)
			r.Kept = append(r.Kept, s.Name)
		}
	}
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
