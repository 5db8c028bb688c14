package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/filegate/filegate/infra/lambdaruntime"
)

// SizeBudget is DESIGN §8's cap on a function's zipped bootstrap (decimal MB,
// the stricter reading).
const SizeBudget = 4_000_000

// SizeRow is one function's deployment artifact for provided.al2023 arm64.
type SizeRow struct {
	Function       string  `json:"function"`
	BootstrapBytes int64   `json:"bootstrap_bytes"`
	ZipBytes       int64   `json:"zip_bytes"`
	OfBudget       float64 `json:"zip_of_budget"` // ZipBytes / SizeBudget
}

// SizeResult is section 1.
type SizeResult struct {
	Rows  []SizeRow `json:"functions"`
	Hello SizeRow   `json:"hello_world"` // the floor, same flags
	Max   SizeRow   `json:"largest"`
	Met   bool      `json:"budget_met"`
}

// measureSizes builds every function as `sam build` does — `make
// build-<LogicalId> ARTIFACTS_DIR=...` — and zips each artifacts directory
// with deflate, as sam does before upload.
func measureSizes(ctx context.Context, root, work string, ids []string, logf func(string, ...any)) (*SizeResult, error) {
	res := &SizeResult{Rows: make([]SizeRow, len(ids))}
	errs := make([]error, len(ids))
	// Two builds at a time: each compiles little (the cache is shared) and
	// links alone; a 2-core machine is busy with two links.
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	start := time.Now()
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			dir := filepath.Join(work, "arm64", id)
			cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "build-"+id, "ARTIFACTS_DIR="+dir)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("make build-%s: %w\n%s", id, err, out)
				return
			}
			row, err := artifactSize(id, dir)
			res.Rows[i], errs[i] = row, err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
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
	for _, r := range res.Rows {
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

// zipDir is a deflate zip of dir's regular files (names relative to dir,
// modes kept so bootstrap stays executable), as sam packages a function.
func zipDir(dir string) ([]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		path := filepath.Join(dir, name)
		info, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		h, err := zip.FileInfoHeader(info)
		if err != nil {
			return nil, err
		}
		h.Name, h.Method = name, zip.Deflate
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(w, f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func runtimeGOOS() string   { return runtime.GOOS }
func runtimeGOARCH() string { return runtime.GOARCH }
