package template_test

import (
	"fmt"
	"os"
	"path/filepath"
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

// resources are the template's resources of type typ, by logical ID.
func (d cfnDoc) resources(typ string) map[string]map[string]any {
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
