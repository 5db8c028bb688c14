package template_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// cfnDoc is template.yaml as CloudFormation's JSON form: short tags become
// their long form ({"Ref": X}, {"Fn::GetAtt": "X.Y"}, {"Fn::Sub": …}), so
// the tests that read it can tell a reference from a literal.
type cfnDoc map[string]any

func readCfnDoc(t *testing.T) cfnDoc {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		t.Fatal(err)
	}
	doc, ok := longForm(root.Content[0]).(map[string]any)
	if !ok {
		t.Fatal("template.yaml is not a mapping")
	}
	return doc
}

// longForm converts a YAML node, expanding CloudFormation's short tags.
func longForm(n *yaml.Node) any {
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = longForm(n.Content[i+1])
		}
		v = m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, longForm(c))
		}
		v = l
	case yaml.AliasNode:
		return longForm(n.Alias)
	default:
		v = n.Value
		if n.Tag == "!!int" || n.Tag == "!!bool" {
			_ = n.Decode(&v)
		}
	}
	if fn, ok := strings.CutPrefix(n.Tag, "!"); ok && fn != "!str" && !strings.HasPrefix(fn, "!") {
		if fn != "Ref" && fn != "Condition" {
			fn = "Fn::" + fn
		}
		return map[string]any{fn: v}
	}
	return v
}

// section is a top-level mapping of the template (Parameters, Resources, …).
func (d cfnDoc) section(name string) map[string]any {
	m, _ := d[name].(map[string]any)
	return m
}

// resources are the template's resources of type typ, by logical ID; none
// fails the test, so a check that loops over them cannot pass on an empty
// set (a type misspelt, or the resources renamed away).
func (d cfnDoc) resources(t testing.TB, typ string) map[string]map[string]any {
	t.Helper()
	out := d.anyResources(typ)
	if len(out) == 0 {
		t.Fatalf("the template has no %s resource", typ)
	}
	return out
}

// anyResources are the template's resources of type typ, by logical ID,
// possibly none.
func (d cfnDoc) anyResources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range d.section("Resources") {
		if m, ok := r.(map[string]any); ok && m["Type"] == typ {
			out[id] = m
		}
	}
	return out
}

// at walks v by map keys and list indexes ("Properties", "Events", "0").
func at(v any, path ...string) any {
	for _, p := range path {
		switch c := v.(type) {
		case map[string]any:
			v = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// refTo is the logical ID v refers to ({"Ref": X} or {"Fn::GetAtt": "X.Attr"}).
func refTo(v any) string {
	m, _ := v.(map[string]any)
	if r, ok := m["Ref"].(string); ok {
		return r
	}
	if g, ok := m["Fn::GetAtt"].(string); ok {
		id, _, _ := strings.Cut(g, ".")
		return id
	}
	return ""
}

// number reads a numeric template value (YAML int or numeric string).
func number(t *testing.T, v any, what string) int64 {
	t.Helper()
	switch n := v.(type) {
	case int:
		return int64(n)
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		if err == nil {
			return i
		}
	}
	t.Fatalf("%s: %v is not a number", what, v)
	return 0
}

// fatalRecorder is a testing.TB whose Fatalf records and ends the goroutine.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// A loop over the resources of a type the template lacks fails; it does
// not pass on the empty set.
func TestResourcesOfAnAbsentTypeFail(t *testing.T) {
	doc := readCfnDoc(t)
	if len(doc.resources(t, "AWS::Serverless::Function")) == 0 {
		t.Fatal("no functions")
	}
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		doc.resources(rec, "AWS::Serverless::Functon")
	}()
	<-done
	if !strings.Contains(rec.msg, "AWS::Serverless::Functon") {
		t.Errorf("resources of a misspelt type: %q, want the test failed naming it", rec.msg)
	}
}
