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
	prev := &Results{Size: &SizeResult{Rows: []SizeRow{{Function: "A", BootstrapBytes: 100, ZipBytes: 50}, {Function: "B", BootstrapBytes: 100, ZipBytes: 50}}}}
	if err := write(dir, prev); err != nil {
		t.Fatal(err)
	}
	before := previousSizes(dir)
	if before["A"].BootstrapBytes != 100 || before["B"].ZipBytes != 50 {
		t.Fatalf("previous sizes %+v", before)
	}
	if previousSizes(t.TempDir()) != nil {
		t.Error("sizes read from a directory without results")
	}
	r := &Results{Size: &SizeResult{Rows: []SizeRow{{Function: "A", BootstrapBytes: 90, ZipBytes: 40, BootstrapBefore: 100, ZipBefore: 50}}, Grown: []string{"B"}}}
	var grew *Budget
	for _, b := range judge(r) {
		if strings.Contains(b.What, "previous") {
			grew = &b
		}
	}
	if grew == nil || grew.Met || !strings.Contains(grew.Measured, "B") {
		t.Errorf("budget %+v, want B named as grown", grew)
	}
	if md := Markdown(r); !strings.Contains(md, "| A | 0.00 MB | 0.00 MB |") {
		t.Errorf("size table without the previous size:\n%s", md)
	}
}

func TestZipSize(t *testing.T) {
	dir := t.TempDir()
	body := bytes.Repeat([]byte("filegate "), 10_000)
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), body, 0o755); err != nil {
		t.Fatal(err)
	}
	n, err := zipSize(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n <= 0 || n >= int64(len(body))/10 {
		t.Errorf("zip of %d repetitive bytes is %d bytes", len(body), n)
	}
	row, err := artifactSize("f", dir)
	if err != nil || row.BootstrapBytes != int64(len(body)) || row.ZipBytes != n {
		t.Errorf("%+v %v", row, err)
	}
	// The archive is what sam would upload: bootstrap, deflated, executable.
	raw, err := zipDir(dir)
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

func TestMarkdownRendersEverySection(t *testing.T) {
	r := &Results{
		Size:       &SizeResult{Rows: []SizeRow{{Function: "F", BootstrapBytes: 1, ZipBytes: 5_000_000, OfBudget: 1.25}}, Max: SizeRow{Function: "F", ZipBytes: 5_000_000, OfBudget: 1.25}},
		Reconcile: &ReconcileResult{LostEvents: 10, Listings: 1, Rows: []ReconcileRow{{Unrelated: 10, Calls: map[string]int{"S3.ListObjectsV2": 1}, Total: 1, Repaired: 10},
			{Unrelated: 200, Calls: map[string]int{"S3.ListObjectsV2": 1}, Total: 1, Repaired: 10}}},
		LargeFile: &LargeFileResult{SizeBytes: 1 << 30, CLIUp: 2, S5cmdUp: 1, UpOfS5cmd: 0.5, CLIDown: 1, S5cmdDown: 1, DownOfS5cmd: 1, OneGET: 1},
		Config:    map[string]any{"list_repetitions": 15},
	}
	r.Budgets = judge(r)
	md := Markdown(r)
	for _, want := range []string{"## 1. Size", "**no**", "## 9. Reconcile", "S3.ListObjectsV2",
		"reconcile of 10 lost S3 events", 
		"## 8. Bulk transfer", "up 0.50× (2.0 vs 1.0 s)", "≥ 1.0× s5cmd's throughput | up 0.50×"} {
		if !strings.Contains(md, want) {
			t.Errorf("results.md lacks %q", want)
		}
	}
}

// An -only run keeps the sections it did not measure from the results it replaces.
func TestOnlyRunKeepsTheOtherSections(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir, &Results{Sections: []*Section{{Name: "cost", Values: map[string]float64{"x": 1}}}, Size: &SizeResult{}}); err != nil {
		t.Fatal(err)
	}
	r := &Results{Size: &SizeResult{Met: true}}
	keepOthers(dir, r, func(s string) bool { return s == "size" })
	if len(r.Sections) != 1 || r.Sections[0].Values["x"] != 1 || !r.Size.Met || fmt.Sprint(r.Kept) != "[cost]" {
		t.Errorf("after an -only size run: sections %v, size %v, kept %v; want the earlier cost, this run's size, kept [cost]", r.Sections, r.Size, r.Kept)
	}
}
