package bench

import (
	"fmt"
	"strings"
)

// Section is what one section measured: its tables and the budgets it
// judged. results.md and results.json are both written from it.
type Section struct {
	Name    string   `json:"name"`
	Tables  []*Table `json:"tables"`
	Budgets []Budget `json:"budgets,omitempty"`
	// Values are exact numbers a later run reads back (size: bytes by function).
	Values map[string]float64 `json:"values,omitempty"`
}

// Table is one table of results.md: a heading, a header and rows of cells, notes below.
type Table struct {
	Title  string     `json:"title"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
	Notes  []string   `json:"notes,omitempty"`
}

// table starts a table; header's cells are separated by "|".
func (s *Section) table(title, header string) *Table {
	t := &Table{Title: title, Header: cells(header)}
	s.Tables = append(s.Tables, t)
	return t
}

// row adds a row: format's cells are separated by "|".
func (t *Table) row(format string, a ...any) {
	t.Rows = append(t.Rows, cells(fmt.Sprintf(format, a...)))
}

func (t *Table) note(format string, a ...any) { t.Notes = append(t.Notes, fmt.Sprintf(format, a...)) }

// budget judges one line of docs/ARCHITECTURE.md "Budgets".
func (s *Section) budget(what, budget string, met bool, format string, a ...any) {
	s.Budgets = append(s.Budgets, Budget{what, budget, fmt.Sprintf(format, a...), met})
}

func cells(line string) []string {
	c := strings.Split(line, "|")
	for i := range c {
		c[i] = strings.TrimSpace(c[i])
	}
	return c
}

// markdown renders t; a column whose cells all start with a digit is right-aligned.
func (t *Table) markdown(b *strings.Builder) {
	fmt.Fprintf(b, "## %s\n\n| %s |\n|", t.Title, strings.Join(t.Header, " | "))
	for i := range t.Header {
		numeric := len(t.Rows) > 0
		for _, r := range t.Rows {
			numeric = numeric && i < len(r) && r[i] != "" && strings.ContainsAny(r[i][:1], "0123456789")
		}
		b.WriteString(map[bool]string{false: "---|", true: "---:|"}[numeric])
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		fmt.Fprintf(b, "| %s |\n", strings.Join(r, " | "))
	}
	for _, n := range t.Notes {
		fmt.Fprintf(b, "\n%s\n", n)
	}
	b.WriteString("\n")
}
