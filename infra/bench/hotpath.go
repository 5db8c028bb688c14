package bench

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Hot-path budgets (docs/ARCHITECTURE.md "Budgets"): presigning one URL.
const (
	PresignBudgetNs     = 250_000
	PresignBudgetAllocs = 400
)

// HotPathPackages hold the *bench_test.go files `make bench` runs.
var HotPathPackages = []string{"./shared/s3storage", "./shared/nativeapi", "./shared/compatapi", "./shared/dynamostore"}

// BenchRow is one Go benchmark: the median over -count runs (min and max of
// ns/op beside it).
type BenchRow struct {
	Name                                           string
	NsPerOp, NsMin, NsMax, BytesPerOp, AllocsPerOp float64
	Runs                                           int
}

// runHotPath runs the packages' Go benchmarks (README.md §3).
func runHotPath(ctx context.Context, root string, count int, benchtime string, logf func(string, ...any)) (*Section, error) {
	s := &Section{Name: "hotpath"}
	t := s.table(fmt.Sprintf("3. Hot path: `go test -bench -benchmem -count %d -benchtime %s`, median of the runs (ns/op range beside it)", count, benchtime),
		"package | benchmark | ns/op | range | B/op | allocs/op")
	ns := map[string]BenchRow{}
	for _, pkg := range HotPathPackages {
		start := time.Now()
		args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", strconv.Itoa(count), "-benchtime", benchtime, pkg}
		out, err := command(ctx, root, nil, "go", args...)
		if err != nil {
			return nil, err
		}
		rows := ParseBenchOutput(string(out))
		if len(rows) == 0 {
			return nil, fmt.Errorf("go %s printed no benchmarks:\n%s", strings.Join(args, " "), out)
		}
		for _, r := range rows {
			t.row("%s | %s | %s | %s–%s | %.0f | %.0f", strings.TrimPrefix(pkg, "./"), r.Name, num(r.NsPerOp), num(r.NsMin), num(r.NsMax), r.BytesPerOp, r.AllocsPerOp)
			ns[r.Name] = r
		}
		logf("hot path %s: %d benchmarks in %s", pkg, len(rows), time.Since(start).Round(time.Second))
	}
	p := ns["PresignUpload"]
	if p.Runs == 0 {
		return s, fmt.Errorf("BenchmarkPresignUpload did not run")
	}
	t.note("PresignUpload vs the SDK presigning a bare PutObject: %.2f×; vs hand-made SigV4: %.2f×.", ratio(p.NsPerOp, ns["PresignSDKBare"].NsPerOp), ratio(p.NsPerOp, ns["PresignCryptoFloor"].NsPerOp))
	s.budget("presign one URL", "≤ 0.25 ms, ≤ 400 allocs", p.NsPerOp <= PresignBudgetNs && p.AllocsPerOp <= PresignBudgetAllocs, "%.3f ms, %.0f allocs", p.NsPerOp/1e6, p.AllocsPerOp)
	return s, nil
}

// ParseBenchOutput reads `go test -bench -benchmem` output and folds repeated
// runs of a benchmark (-count) into their medians, in first-seen order.
func ParseBenchOutput(out string) []BenchRow {
	type acc struct{ ns, b, allocs []float64 }
	var order []string
	runs := map[string]*acc{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i] // the GOMAXPROCS suffix
			}
		}
		a := runs[name]
		if a == nil {
			a = &acc{}
			runs[name] = a
			order = append(order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				a.ns = append(a.ns, v)
			case "B/op":
				a.b = append(a.b, v)
			case "allocs/op":
				a.allocs = append(a.allocs, v)
			}
		}
	}
	rows := make([]BenchRow, 0, len(order))
	for _, name := range order {
		a := runs[name]
		if len(a.ns) == 0 {
			continue
		}
		rows = append(rows, BenchRow{
			Name: name, NsPerOp: round2(Median(a.ns)), NsMin: slices.Min(a.ns), NsMax: slices.Max(a.ns),
			BytesPerOp: Median(a.b), AllocsPerOp: Median(a.allocs), Runs: len(a.ns),
		})
	}
	return rows
}
