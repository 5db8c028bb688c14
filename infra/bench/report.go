package bench

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Markdown renders results.md: the measured tables, each under a one-line
// heading saying what was measured; infra/bench/README.md says what they show.
func Markdown(r *Results) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# Filegate benchmark results\n\nMeasured by `make bench` (infra/bench) on %s in %.0f s; [README.md](../README.md) explains them, "+
		"[results.json](results.json) has every number. Ratios are to baselines measured in the same run.\n\n| machine | |\n|---|---|\n", r.Date, r.Seconds)
	for _, row := range r.Machine {
		p("| %s |\n", strings.Join(row, " | "))
	}
	p("\n")
	if len(r.Kept) > 0 {
		p("Sections from the earlier run this one updated (not measured now): %s.\n\n", strings.Join(r.Kept, ", "))
	}
	if len(r.Failures) > 0 {
		p("**Sections that failed:**\n\n")
		for _, f := range r.Failures {
			p("- `%s`\n", strings.ReplaceAll(firstLine(f), "`", "'"))
		}
		p("\n")
	}
	budgets := &Table{Title: "Budgets (docs/ARCHITECTURE.md)", Header: []string{"what", "budget", "measured", "met"}}
	for _, bu := range r.Budgets {
		budgets.Rows = append(budgets.Rows, []string{bu.What, bu.Budget, bu.Measured, yes(bu.Met)})
	}
	budgets.markdown(&b)
	for _, s := range r.Sections {
		for _, t := range s.Tables {
			t.markdown(&b)
		}
	}
	return b.String()
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

func pct(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

func num(f float64) string {
	if f >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.1f", f)
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}

func sizeLabel(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func shortCount(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// join formats each of v, f's []any spread over format, and joins them with sep.
func join[T any](v []T, format, sep string, f func(T) any) string {
	s := make([]string, len(v))
	for i, x := range v {
		a, ok := f(x).([]any)
		if !ok {
			a = []any{f(x)}
		}
		s[i] = fmt.Sprintf(format, a...)
	}
	return strings.Join(s, sep)
}

func same[T any](x T) any { return x }

func joinInts(v []int) string       { return join(v, "%d", ", ", same) }
func joinFloats(v []float64) string { return join(v, "%.1f", " / ", same) }
func calls(m map[string]int) string { return joinCounts(m, "%s×%d", " + ") }

func joinCounts[V any](m map[string]V, format, sep string) string {
	var s []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s = append(s, fmt.Sprintf(format, k, m[k]))
	}
	return strings.Join(s, sep)
}

// total is the sum of m's counts.
func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func trimNum(f float64) string {
	s := fmt.Sprintf("%.4f", f)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}
