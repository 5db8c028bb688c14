package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every section with numbers gets its charts: each is an SVG drawn next to
// results.md, and results.md embeds each by name.
func TestChartsAreDrawnAndEmbedded(t *testing.T) {
	dir := t.TempDir()
	scales := []int{100, 10_000}
	var points []GrowthPoint
	for _, n := range scales {
		for _, off := range []int{0, 75, n - 25} {
			points = append(points, GrowthPoint{Query: "native, offset x", Files: n, Offset: off, Capacity: Snapshot{RCU: 26}, Latency: Dist{P50: 7}})
		}
	}
	r := &Results{
		Growth: &GrowthResult{Scales: scales, Points: points, Trends: []GrowthTrend{
			{Query: "native, last page (offset files−25)", RCU: []float64{27.5, 28}, P50: []float64{9, 10}},
			{Query: "compat, no filter, order_by=created_at", RCU: []float64{51.5, 51.5}, P50: []float64{12, 14}},
		}},
		ColdStart: &ColdStartResult{Hello: ColdRow{Function: "hello", Init: Dist{P50: 3}}, Node: ColdRow{Function: "node", Init: Dist{P50: 60}},
			Rows: []ColdRow{{Function: "ListFilesFunction", Init: Dist{P50: 4}, FirstResponse: Dist{P50: 9}}}},
		Size: &SizeResult{Rows: []SizeRow{{Function: "ListFilesFunction", BootstrapBytes: 8e6, ZipBytes: 3e6}}, Hello: SizeRow{Function: "hello", BootstrapBytes: 5e6, ZipBytes: 2e6}},
	}
	if err := write(dir, r); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	names := chartFiles(r)
	if len(names) != 6 {
		t.Fatalf("charts %v, want 6", names)
	}
	for _, name := range names {
		svg, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(svg), "<svg") {
			t.Errorf("%s is not an SVG", name)
		}
		if !strings.Contains(string(md), "]("+name+")") {
			t.Errorf("results.md does not embed %s", name)
		}
	}
	if got := chartFiles(&Results{}); len(got) != 0 {
		t.Errorf("charts %v drawn for a run without numbers", got)
	}
}
