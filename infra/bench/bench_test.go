package bench

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseBenchOutput(t *testing.T) {
	out := `goos: linux
BenchmarkPresignUpload-2   	   11650	    103941 ns/op	   29212 B/op	     376 allocs/op
BenchmarkPresignUpload-2   	   11650	    100000 ns/op	   29212 B/op	     376 allocs/op
BenchmarkPresignUpload-2   	   11650	    120000 ns/op	   29210 B/op	     376 allocs/op
BenchmarkDecode-8          	  435921	      2685 ns/op	    1680 B/op	      15 allocs/op
PASS
ok  	github.com/filegate/filegate/shared/s3storage	4.796s
`
	rows := ParseBenchOutput(out)
	want := []BenchRow{
		{Name: "PresignUpload", NsPerOp: 103941, NsMin: 100000, NsMax: 120000, BytesPerOp: 29212, AllocsPerOp: 376, Runs: 3},
		{Name: "Decode", NsPerOp: 2685, NsMin: 2685, NsMax: 2685, BytesPerOp: 1680, AllocsPerOp: 15, Runs: 1},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("got %+v\nwant %+v", rows, want)
	}
}

func TestSummarize(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	s := Summarize(d)
	if s.N != 100 || s.P50 != 50 || s.P90 != 90 || s.P99 != 99 || s.Min != 1 || s.Max != 100 || s.Mean != 50.5 {
		t.Errorf("%+v", s)
	}
	if s := Summarize([]time.Duration{3 * time.Millisecond}); s.P50 != 3 || s.P99 != 3 {
		t.Errorf("one sample: %+v", s)
	}
	if Median([]float64{4, 1, 3, 2}) != 2.5 || Median([]float64{5, 1, 3}) != 3 {
		t.Error("median")
	}
}

// A run compares each function's size with the previous results: the
// table shows both, and a function that grew is named in the budget.
func TestSizesAgainstThePreviousRun(t *testing.T) {
	dir := t.TempDir()
	prev := &Results{Sections: []*Section{{Name: "size", Values: map[string]float64{"bootstrap A": 100, "zip A": 50, "bootstrap B": 100, "zip B": 50}}}}
	if err := write(dir, prev); err != nil {
		t.Fatal(err)
	}
	before := previousSizes(dir)
	if before["bootstrap A"] != 100 || before["zip B"] != 50 {
		t.Fatalf("previous sizes %+v", before)
	}
	if previousSizes(t.TempDir()) != nil {
		t.Error("sizes read from a directory without results")
	}
	// results.json as written before sections.
	legacy := t.TempDir()
	if err := os.WriteFile(filepath.Join(legacy, "results.json"), []byte(`{"machine":{"cpu":"x"},"size":{"functions":[{"function":"A","bootstrap_bytes":7,"zip_bytes":3}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if old := previousSizes(legacy); old["bootstrap A"] != 7 || old["zip A"] != 3 {
		t.Errorf("sizes from a results.json without sections: %+v", old)
	}
	s := &Section{Name: "size", Values: map[string]float64{"bootstrap A": 90, "zip A": 40, "bootstrap B": 110, "zip B": 5_000_000, "bootstrap floor": 10, "zip floor": 5}}
	judgeSizes(s, []string{"A", "B"}, "floor", before)
	var grew, largest *Budget
	for i, b := range s.Budgets {
		switch {
		case strings.Contains(b.What, "previous"):
			grew = &s.Budgets[i]
		case strings.Contains(b.What, "zipped"):
			largest = &s.Budgets[i]
		}
	}
	if grew == nil || grew.Met || !strings.Contains(grew.Measured, "B") || strings.Contains(grew.Measured, "A") {
		t.Errorf("budget %+v, want B named as grown", grew)
	}
	if largest == nil || largest.Met || !strings.Contains(largest.Measured, "largest B: 5.00 MB") {
		t.Errorf("budget %+v, want B over 4 MB", largest)
	}
	if md := Markdown(&Results{Sections: []*Section{s}}); !strings.Contains(md, "| A | 0.00 MB | 0.00 MB |") || !strings.Contains(md, "| floor | 0.00 MB | – |") {
		t.Errorf("size table without the previous size:\n%s", md)
	}
}

func TestZipSize(t *testing.T) {
	dir := t.TempDir()
	body := bytes.Repeat([]byte("filegate "), 10_000)
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), body, 0o755); err != nil {
		t.Fatal(err)
	}
	n, err := zipSize(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if n <= 0 || n >= int64(len(body))/10 {
		t.Errorf("zip of %d repetitive bytes is %d bytes", len(body), n)
	}
	boot, zipped, err := artifactSize(t.Context(), dir)
	if err != nil || boot != int64(len(body)) || zipped != n {
		t.Errorf("%d %d %v", boot, zipped, err)
	}
	// The archive is what sam would upload: bootstrap, deflated, executable.
	raw, err := zipDir(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Method != zip.Deflate || zr.File[0].Mode()&0o111 == 0 {
		t.Errorf("zip entries %+v", zr.File[0].FileHeader)
	}
}

func TestPDFStream(t *testing.T) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(newPDFStream(10_000))
	if err != nil || n != 10_000 || !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-1.7")) {
		t.Errorf("%d bytes, %v, starts %q", n, err, buf.Bytes()[:8])
	}
	buf.Reset()
	if n, _ := buf.ReadFrom(newPDFStream(3)); n != 3 || buf.String() != "%PD" {
		t.Errorf("short stream: %q", buf.String())
	}
}

// results.md and results.json are written from the same sections: every
// table, note and budget in one is in the other.
func TestMarkdownRendersEverySection(t *testing.T) {
	a := &Section{Name: "floor"}
	ta := a.table("4. Against the floor", "operation | p50 | ratio")
	ta.row("create | %.2f ms | %.2f×", 4.97, 3.0)
	ta.note("First flow error at %d clients: `%s`", 8, "x")
	a.budget("create-file p50", "≤ 1.5×", false, "%.2f×", 3.0)
	b := &Section{Name: "reconcile"}
	b.table("9. Reconcile", "unrelated objects | by operation").row("%d | %s", 10, calls(map[string]int{"S3.ListObjectsV2": 1}))
	b.budget("reconcile of 10 lost S3 events", "no bucket listing", true, "%d listings", 1)
	r := &Results{Sections: []*Section{a, b}, Budgets: append(a.Budgets, b.Budgets...), Failures: []string{"scan: clamd\nmissing"}, Kept: []string{"cost"}}
	md := Markdown(r)
	for _, want := range []string{"## Budgets", "| create-file p50 | ≤ 1.5× | 3.00× | **no** |", "| reconcile of 10 lost S3 events | no bucket listing | 1 listings | yes |",
		"## 4. Against the floor", "| operation | p50 | ratio |\n|---|---:|---:|\n| create | 4.97 ms | 3.00× |", "\nFirst flow error at 8 clients: `x`\n",
		"## 9. Reconcile", "| 10 | S3.ListObjectsV2×1 |", "- `scan: clamd`", "not measured now): cost."} {
		if !strings.Contains(md, want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
	dir := t.TempDir()
	if err := write(dir, r); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"4.97 ms"`, `"First flow error at 8 clients: `, `"S3.ListObjectsV2×1"`, `"met": false`, `"name": "reconcile"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("results.json lacks %s", want)
		}
	}
}

// An -only run keeps the sections it did not measure from the results it replaces.
func TestOnlyRunKeepsTheOtherSections(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir, &Results{Sections: []*Section{{Name: "size"}, {Name: "cost", Values: map[string]float64{"x": 1}}}}); err != nil {
		t.Fatal(err)
	}
	r := &Results{Sections: []*Section{{Name: "size", Values: map[string]float64{"now": 1}}}}
	keepOthers(dir, r, func(s string) bool { return s == "size" })
	if len(r.Sections) != 2 || r.Sections[0].Values["now"] != 1 || r.Sections[1].Name != "cost" || r.Sections[1].Values["x"] != 1 || fmt.Sprint(r.Kept) != "[cost]" {
		t.Errorf("after an -only size run: sections %+v, kept %v; want this run's size, the earlier cost, kept [cost]", r.Sections, r.Kept)
	}
}
