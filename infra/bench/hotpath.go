package bench

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
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
	Package     string  `json:"package"`
	Name        string  `json:"name"`
	NsPerOp     float64 `json:"ns_per_op"`
	NsMin       float64 `json:"ns_per_op_min"`
	NsMax       float64 `json:"ns_per_op_max"`
	BytesPerOp  float64 `json:"bytes_per_op"`
	AllocsPerOp float64 `json:"allocs_per_op"`
	Runs        int     `json:"runs"`
}

// HotPathResult is section 3.
type HotPathResult struct {
	Count     int        `json:"count"`
	Benchtime string     `json:"benchtime"`
	Rows      []BenchRow `json:"benchmarks"`
	// Presign is BenchmarkPresignUpload; the ratios are against the SDK
	// presigning a bare PutObject and against hand-made SigV4.
	Presign          BenchRow `json:"presign_upload"`
	PresignVsSDKBare float64  `json:"presign_vs_sdk_bare"`
	PresignVsCrypto  float64  `json:"presign_vs_crypto_floor"`
	Met              bool     `json:"budget_met"`
}

func runHotPath(ctx context.Context, root string, count int, benchtime string, logf func(string, ...any)) (*HotPathResult, error) {
	res := &HotPathResult{Count: count, Benchtime: benchtime}
	for _, pkg := range HotPathPackages {
		start := time.Now()
		args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", strconv.Itoa(count), "-benchtime", benchtime, pkg}
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
		}
		rows := ParseBenchOutput(string(out))
		if len(rows) == 0 {
			return nil, fmt.Errorf("go %s printed no benchmarks:\n%s", strings.Join(args, " "), out)
		}
		for i := range rows {
			rows[i].Package = strings.TrimPrefix(pkg, "./")
		}
		res.Rows = append(res.Rows, rows...)
		logf("hot path %s: %d benchmarks in %s", pkg, len(rows), time.Since(start).Round(time.Second))
	}
	find := func(name string) BenchRow {
		for _, r := range res.Rows {
			if r.Name == name {
				return r
			}
		}
		return BenchRow{}
	}
	res.Presign = find("PresignUpload")
	if res.Presign.Runs == 0 {
		return res, fmt.Errorf("BenchmarkPresignUpload did not run")
	}
	res.PresignVsSDKBare = ratio(res.Presign.NsPerOp, find("PresignSDKBare").NsPerOp)
	res.PresignVsCrypto = ratio(res.Presign.NsPerOp, find("PresignCryptoFloor").NsPerOp)
	res.Met = res.Presign.NsPerOp <= PresignBudgetNs && res.Presign.AllocsPerOp <= PresignBudgetAllocs
	return res, nil
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
