package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/filegate/filegate/infra/lambdaruntime"
)

// SizeBudget caps a function's zipped bootstrap (decimal MB, the stricter
// reading; docs/ARCHITECTURE.md "Budgets").
const SizeBudget = 4_000_000

// previousSizes are the bytes in outDir's results.json ("bootstrap F", "zip F"),
// so a run shows what a change did to each function (before it is overwritten).
func previousSizes(outDir string) map[string]float64 {
	raw, err := os.ReadFile(filepath.Join(outDir, "results.json"))
	var prev struct {
		Sections []*Section
		Size     *struct { // results.json written before sections (until the next full run)
			Functions []struct {
				Function  string
				Bootstrap int64 `json:"bootstrap_bytes"`
				Zip       int64 `json:"zip_bytes"`
			}
		}
	}
	if err != nil || json.Unmarshal(raw, &prev) != nil {
		return nil
	}
	for _, s := range prev.Sections {
		if s.Name == "size" {
			return s.Values
		}
	}
	if prev.Size == nil {
		return nil
	}
	out := map[string]float64{}
	for _, f := range prev.Size.Functions {
		out["bootstrap "+f.Function], out["zip "+f.Function] = float64(f.Bootstrap), float64(f.Zip)
	}
	return out
}

// measureSizes builds every function as sam build does and zips it (README.md §1).
func measureSizes(ctx context.Context, root, work string, ids []string, prev map[string]float64, logf func(string, ...any)) (*Section, error) {
	start := time.Now()
	s := &Section{Name: "size", Values: map[string]float64{}}
	var mu sync.Mutex
	measure := func(name, dir string) error {
		b, z, err := artifactSize(ctx, dir)
		mu.Lock()
		defer mu.Unlock()
		s.Values["bootstrap "+name], s.Values["zip "+name] = float64(b), float64(z)
		return err
	}
	// Two builds at a time: the cache is shared, and a 2-core machine is busy with two links.
	if err := parallel(ctx, 2, len(ids), func(i int) (err error) {
		dir := filepath.Join(work, "arm64", ids[i])
		if _, err := command(ctx, root, nil, "make", "--no-print-directory", "build-"+ids[i], "ARTIFACTS_DIR="+dir); err != nil {
			return err
		}
		return measure(ids[i], dir)
	}); err != nil {
		return nil, err
	}
	logf("built %d arm64 functions with make in %s", len(ids), time.Since(start).Round(time.Second))
	// The floor, with the Makefile's exact flags.
	const hello = "hello-world (floor)"
	helloDir := filepath.Join(work, "arm64", "hello")
	if err := goBuild(ctx, root, "linux", "arm64", filepath.Join(helloDir, "bootstrap"), "./infra/bench/hello"); err != nil {
		return nil, err
	}
	if err := measure(hello, helloDir); err != nil {
		return nil, err
	}
	judgeSizes(s, ids, hello, prev)
	return s, nil
}

// judgeSizes tables each function's sizes (and the floor's) beside those in prev, and judges them.
func judgeSizes(s *Section, ids []string, floor string, prev map[string]float64) {
	t := s.table("1. Size: linux/arm64 bootstrap (`make build-<LogicalId>`) and its zip as sam packages it; before = the previous results", "function | bootstrap | before | zipped | before | of 4 MB")
	mbOr := func(key string) string {
		if v, ok := prev[key]; ok {
			return mb(int64(v))
		}
		return "–"
	}
	largest, grown := ids[0], []string{}
	for _, n := range append(slices.Clone(ids), floor) {
		b, z := s.Values["bootstrap "+n], s.Values["zip "+n]
		t.row("%s | %s | %s | %s | %s | %s", n, mb(int64(b)), mbOr("bootstrap "+n), mb(int64(z)), mbOr("zip "+n), pct(z/SizeBudget))
		if n == floor {
			break
		}
		if z > s.Values["zip "+largest] {
			largest = n
		}
		if before, ok := prev["bootstrap "+n]; ok && b > before {
			grown = append(grown, n)
		}
	}
	zip := s.Values["zip "+largest]
	s.budget("zipped bootstrap per function (arm64)", "≤ 4 MB", zip <= SizeBudget, "largest %s: %s (%s)", largest, mb(int64(zip)), pct(zip/SizeBudget))
	if prev != nil {
		s.budget("bootstrap per function vs the previous results", "none grows", len(grown) == 0, "%d of %d grew: %s", len(grown), len(ids), cmp.Or(strings.Join(grown, ", "), "none"))
	}
}

// goBuild builds pkg like the Makefile does (its LAMBDA_BUILD flags, no cgo)
// for goos/goarch into out.
func goBuild(ctx context.Context, root, goos, goarch, out, pkg string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	args := append([]string{"build"}, lambdaruntime.BuildFlags...)
	args = append(args, "-o", out, pkg)
	_, err := command(ctx, root, []string{"CGO_ENABLED=0", "GOOS=" + goos, "GOARCH=" + goarch}, "go", args...)
	return err
}

// artifactSize is the size of the bootstrap in dir and of dir's zip, as sam packages a function.
func artifactSize(ctx context.Context, dir string) (bootstrap, zipped int64, err error) {
	st, err := os.Stat(filepath.Join(dir, "bootstrap"))
	if err != nil {
		return 0, 0, err
	}
	zipped, err = zipSize(ctx, dir)
	return st.Size(), zipped, err
}

// zipSize is the size of zipDir(dir).
func zipSize(ctx context.Context, dir string) (int64, error) {
	b, err := zipDir(ctx, dir)
	return int64(len(b)), err
}

// samZip is how sam packages a function (aws-sam-cli's make_zip): Python's
// zipfile, ZIP_DEFLATED at zlib's default level, every file under the
// folder by its relative path, modes kept. Go's archive/zip deflates less
// tightly (UploadFileFunction: 4,016,693 B against sam's 3,893,598 B), so
// the bench zips with sam's own call rather than an approximation.
const samZip = `import os, sys, zipfile
root = os.path.abspath(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as zf:
    for d, _, names in os.walk(root, followlinks=True):
        for n in names:
            zf.write(os.path.join(d, n), os.path.relpath(os.path.join(d, n), root))
`

// zipDir is dir zipped as sam packages a function (samZip).
func zipDir(ctx context.Context, dir string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "samzip")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "function.zip")
	if _, err := command(ctx, dir, nil, "python3", "-c", samZip, dir, out); err != nil {
		return nil, fmt.Errorf("zipping as sam does needs python3 (sam runs on it): %w", err)
	}
	return os.ReadFile(out)
}
