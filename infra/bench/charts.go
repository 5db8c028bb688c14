package bench

import (
	"fmt"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// The charts results.md embeds, drawn from the same numbers as its tables
// (gonum.org/v1/plot, SVG, next to results.md).
const (
	chartGrowthRCU      = "growth-rcu.svg"
	chartGrowthLatency  = "growth-latency.svg"
	chartOffsetRCU      = "offset-rcu.svg"
	chartOffsetLatency  = "offset-latency.svg"
	chartColdStart      = "coldstart.svg"
	chartSize           = "size.svg"
	chartWidth          = 8 * vg.Inch
	chartLineHeight     = 4.5 * vg.Inch
	chartBarHeightPerFn = 0.28 * vg.Inch
)

// charted is whether a growth listing is drawn: the native ones and the
// compat ones in creation order (the others cost the same; the table has them).
func charted(query string) bool {
	return strings.HasPrefix(query, "native") || strings.HasSuffix(query, "order_by=created_at")
}

// chartFiles are the charts r has the numbers for, in the order results.md
// shows them.
func chartFiles(r *Results) []string {
	var out []string
	if r.Growth != nil && len(r.Growth.Trends) > 0 {
		out = append(out, chartGrowthRCU, chartGrowthLatency, chartOffsetRCU, chartOffsetLatency)
	}
	if r.ColdStart != nil {
		out = append(out, chartColdStart)
	}
	if r.Size != nil {
		out = append(out, chartSize)
	}
	return out
}

// writeCharts draws every chart r has the numbers for into dir.
func writeCharts(dir string, r *Results) error {
	for _, name := range chartFiles(r) {
		p, height, err := drawChart(name, r)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := p.Save(chartWidth, height, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func drawChart(name string, r *Results) (*plot.Plot, vg.Length, error) {
	switch name {
	case chartGrowthRCU:
		return bySize(r.Growth, "Read capacity per listing page vs project size", "RCU per page", func(t GrowthTrend) []float64 { return t.RCU })
	case chartGrowthLatency:
		return bySize(r.Growth, "Latency per listing page vs project size (p50, local API)", "p50 (ms)", func(t GrowthTrend) []float64 { return t.P50 })
	case chartOffsetRCU:
		return byOffset(r.Growth, "Native list: read capacity vs offset, per project size", "RCU per page", func(p GrowthPoint) float64 { return p.Capacity.RCU })
	case chartOffsetLatency:
		return byOffset(r.Growth, "Native list: latency vs offset, per project size (p50, local API)", "p50 (ms)", func(p GrowthPoint) float64 { return p.Latency.P50 })
	case chartColdStart:
		return coldStartChart(r.ColdStart)
	case chartSize:
		return sizeChart(r.Size)
	}
	return nil, 0, fmt.Errorf("no such chart")
}

// logLogPlot is a plot with both axes logarithmic (sizes and offsets span
// three orders of magnitude).
func logLogPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	return p
}

func bySize(g *GrowthResult, title, y string, values func(GrowthTrend) []float64) (*plot.Plot, vg.Length, error) {
	p := logLogPlot(title, "files in the project", y)
	var lines []any
	for _, t := range g.Trends {
		v := values(t)
		if !charted(t.Query) || len(v) != len(g.Scales) {
			continue
		}
		xy := make(plotter.XYs, len(v))
		for i := range v {
			xy[i] = plotter.XY{X: float64(g.Scales[i]), Y: positive(v[i])}
		}
		lines = append(lines, t.Query, xy)
	}
	return p, chartLineHeight, plotutil.AddLinePoints(p, lines...)
}

// byOffset draws the native listings' points at each project size against
// their offset (offset 0 drawn at 1 on the log axis).
func byOffset(g *GrowthResult, title, y string, value func(GrowthPoint) float64) (*plot.Plot, vg.Length, error) {
	p := logLogPlot(title, "offset (0 drawn at 1)", y)
	var lines []any
	for _, scale := range g.Scales {
		var xy plotter.XYs
		for _, pt := range g.Points {
			if pt.Files == scale && strings.HasPrefix(pt.Query, "native") {
				xy = append(xy, plotter.XY{X: float64(max(pt.Offset, 1)), Y: positive(value(pt))})
			}
		}
		if len(xy) > 0 {
			lines = append(lines, fmt.Sprintf("%s files", shortCount(scale)), xy)
		}
	}
	return p, chartLineHeight, plotutil.AddLinePoints(p, lines...)
}

// positive keeps a log axis defined where a measurement is 0.
func positive(v float64) float64 { return max(v, 0.01) }

// groupedBars is a horizontal bar chart: one row per name, one bar per
// series within it.
func groupedBars(title, x string, names []string, series []string, values [][]float64) (*plot.Plot, vg.Length, error) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text = title, x
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	w := vg.Points(18) / vg.Length(len(series))
	for i, s := range series {
		bars, err := plotter.NewBarChart(plotter.Values(values[i]), w)
		if err != nil {
			return nil, 0, err
		}
		bars.Horizontal = true
		bars.LineStyle.Width = 0
		bars.Color = plotutil.Color(i)
		bars.Offset = w * (vg.Length(i) - vg.Length(len(series)-1)/2)
		p.Add(bars)
		p.Legend.Add(s, bars)
	}
	p.NominalY(names...)
	// Room on the right for the legend, clear of the longest bar.
	longest := 0.0
	for _, v := range values {
		for _, x := range v {
			longest = max(longest, x)
		}
	}
	p.X.Min, p.X.Max = 0, longest*1.45
	return p, vg.Length(len(names)+3) * chartBarHeightPerFn, nil
}

func coldStartChart(c *ColdStartResult) (*plot.Plot, vg.Length, error) {
	rows := append([]ColdRow{c.Hello, c.Node}, c.Rows...)
	names := make([]string, len(rows))
	init, first := make([]float64, len(rows)), make([]float64, len(rows))
	for i, row := range rows {
		names[i], init[i], first[i] = row.Function, row.Init.P50, row.FirstResponse.P50
	}
	return groupedBars("Cold start per function (p50)", "ms", names, []string{"init (start → first /next)", "first response"}, [][]float64{init, first})
}

func sizeChart(s *SizeResult) (*plot.Plot, vg.Length, error) {
	rows := append(append([]SizeRow{}, s.Rows...), s.Hello)
	names := make([]string, len(rows))
	boot, zipped := make([]float64, len(rows)), make([]float64, len(rows))
	for i, row := range rows {
		names[i], boot[i], zipped[i] = row.Function, float64(row.BootstrapBytes)/1e6, float64(row.ZipBytes)/1e6
	}
	return groupedBars("Deployment size per function (linux/arm64)", "MB", names, []string{"bootstrap", "zipped"}, [][]float64{boot, zipped})
}
