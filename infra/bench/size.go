package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/filegate/filegate/infra/lambdaruntime"
)

// SizeBudget caps a function's zipped bootstrap (decimal MB, the stricter
// reading; docs/ARCHITECTURE.md "Budgets").
const SizeBudget = 4_000_000

// SizeRow is one function's deployment artifact for provided.al2023 arm64,
// beside the same function's in the previous results (0: none).
type SizeRow struct {
	Function        string  `json:"function"`
	BootstrapBytes  int64   `json:"bootstrap_bytes"`
	ZipBytes        int64   `json:"zip_bytes"`
	OfBudget        float64 `json:"zip_of_budget"` // ZipBytes / SizeBudget
	BootstrapBefore int64   `json:"bootstrap_bytes_before,omitempty"`
	ZipBefore       int64   `json:"zip_bytes_before,omitempty"`
}

// SizeResult is section 1.
type SizeResult struct {
	Rows  []SizeRow `json:"functions"`
	Hello SizeRow   `json:"hello_world"` // the floor, same flags
	Max   SizeRow   `json:"largest"`
	Met   bool      `json:"budget_met"`
	// Grown lists the functions whose bootstrap is larger than in the
	// previous results; nil when there were none to compare with.
	Grown []string `json:"grown,omitempty"`
}

// previousSizes are the sizes in outDir's results.json, by function, so a
// run shows what a change did to each function (before it is overwritten).
func previousSizes(outDir string) map[string]SizeRow {
	raw, err := os.ReadFile(filepath.Join(outDir, "results.json"))
	if err != nil {
		return nil
	}
	var prev Results
	if json.Unmarshal(raw, &prev) != nil || prev.Size == nil {
		return nil
	}
	out := map[string]SizeRow{}
	for _, r := range append(prev.Size.Rows, prev.Size.Hello) {
		out[r.Function] = r
	}
	return out
}

// measureSizes builds every function as sam build does and zips it (README.md §1).
func measureSizes(ctx context.Context, root, work string, ids []string, prev map[string]SizeRow, logf func(string, ...any)) (*SizeResult, error) {
	res := &SizeResult{Rows: make([]SizeRow, len(ids))}
	start := time.Now()
	// Two builds at a time: the cache is shared, and a 2-core machine is busy with two links.
	if err := parallel(ctx, 2, len(ids), func(i int) (err error) {
		dir := filepath.Join(work, "arm64", ids[i])
		cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "build-"+ids[i], "ARTIFACTS_DIR="+dir)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("make build-%s: %w\n%s", ids[i], err, out)
		}
		res.Rows[i], err = artifactSize(ids[i], dir)
		return err
	}); err != nil {
		return nil, err
	}
	logf("built %d arm64 functions with make in %s", len(ids), time.Since(start).Round(time.Second))
	// The floor, with the Makefile's exact flags.
	helloDir := filepath.Join(work, "arm64", "hello")
	if err := goBuild(ctx, root, "linux", "arm64", filepath.Join(helloDir, "bootstrap"), "./infra/bench/hello"); err != nil {
		return nil, err
	}
	hello, err := artifactSize("hello-world (floor)", helloDir)
	if err != nil {
		return nil, err
	}
	res.Hello = hello
	res.Met = true
	if prev != nil {
		res.Grown = []string{}
	}
	for i, r := range res.Rows {
		if p, ok := prev[r.Function]; ok {
			res.Rows[i].BootstrapBefore, res.Rows[i].ZipBefore = p.BootstrapBytes, p.ZipBytes
			if r.BootstrapBytes > p.BootstrapBytes {
				res.Grown = append(res.Grown, r.Function)
			}
		}
		if r.ZipBytes > res.Max.ZipBytes {
			res.Max = r
		}
		res.Met = res.Met && r.ZipBytes <= SizeBudget
	}
	return res, nil
}

// goBuild builds pkg like the Makefile does (its LAMBDA_BUILD flags, no cgo)
// for goos/goarch into out.
func goBuild(ctx context.Context, root, goos, goarch, out, pkg string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	args := append([]string{"build"}, lambdaruntime.BuildFlags...)
	args = append(args, "-o", out, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}

// artifactSize zips dir's files the way sam packages a function.
func artifactSize(name, dir string) (SizeRow, error) {
	st, err := os.Stat(filepath.Join(dir, "bootstrap"))
	if err != nil {
		return SizeRow{}, err
	}
	n, err := zipSize(dir)
	if err != nil {
		return SizeRow{}, err
	}
	return SizeRow{Function: name, BootstrapBytes: st.Size(), ZipBytes: n, OfBudget: round2(float64(n) / SizeBudget)}, nil
}

// zipSize is the size of zipDir(dir).
func zipSize(dir string) (int64, error) {
	b, err := zipDir(dir)
	return int64(len(b)), err
}

// zipDir is a deflate zip of dir's files (names relative to dir, modes
// kept so bootstrap stays executable), as sam packages a function.
func zipDir(dir string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if err := zw.AddFS(os.DirFS(dir)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
