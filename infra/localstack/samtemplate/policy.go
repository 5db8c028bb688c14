package samtemplate

import (
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// PolicyStatement is one statement of a function's inline policy in
// template.yaml, with its resources written symbolically as the template
// does: "${FilesTable.Arn}" (!GetAtt FilesTable.Arn),
// "${FilesTable.Arn}/index/ByProjectNewest" (!Sub) or "${RootSecret}"
// (!Ref RootSecret, a secret's ARN).
type PolicyStatement struct {
	Effect     string
	Actions    []string
	Resources  []string
	Conditions map[string]map[string][]string // operator → key → values
}

// readPolicies reads a function's Policies: inline policy documents only.
// A SAM policy template or a managed policy ARN would grant what the local
// checks cannot see, so it is refused.
func readPolicies(n yaml.Node) ([]PolicyStatement, error) {
	if n.IsZero() {
		return nil, nil
	}
	var docs []struct {
		Statement []struct {
			Effect    string                          `yaml:"Effect"`
			Action    yaml.Node                       `yaml:"Action"`
			Resource  yaml.Node                       `yaml:"Resource"`
			Condition map[string]map[string]yaml.Node `yaml:"Condition"`
		} `yaml:"Statement"`
	}
	if err := n.Decode(&docs); err != nil {
		return nil, fmt.Errorf("Policies: only inline policy documents are supported locally: %w", err)
	}
	var out []PolicyStatement
	for _, d := range docs {
		if len(d.Statement) == 0 {
			return nil, fmt.Errorf("Policies: an entry without Statement (a SAM policy template or managed policy?) is not checked locally")
		}
		for _, st := range d.Statement {
			s := PolicyStatement{Effect: st.Effect, Actions: scalars(st.Action), Conditions: map[string]map[string][]string{}}
			for _, r := range nodes(st.Resource) {
				s.Resources = append(s.Resources, symbolicResource(r))
			}
			for op, keys := range st.Condition {
				s.Conditions[op] = map[string][]string{}
				for k, v := range keys {
					s.Conditions[op][k] = scalars(v)
				}
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// nodes is a scalar node or a sequence's items.
func nodes(n yaml.Node) []*yaml.Node {
	if n.Kind == yaml.SequenceNode {
		return n.Content
	}
	if n.IsZero() {
		return nil
	}
	return []*yaml.Node{&n}
}

func scalars(n yaml.Node) []string {
	var out []string
	for _, c := range nodes(n) {
		out = append(out, c.Value)
	}
	return out
}

// symbolicResource writes !GetAtt X.Arn as "${X.Arn}" and !Ref X as
// "${X}"; a table's stream (!GetAtt X.StreamArn) as its ARN is made, the
// table's ARN + "/stream/" + a label (StreamResource), so that a grant on
// "${X.Arn}/stream/*" covers it as IAM's does. !Sub strings and literal
// ARNs stay as written.
func symbolicResource(n *yaml.Node) string {
	switch n.Tag {
	case "!GetAtt":
		if table, ok := strings.CutSuffix(n.Value, ".StreamArn"); ok {
			return StreamResource(table)
		}
		return "${" + n.Value + "}"
	case "!Ref":
		return "${" + n.Value + "}"
	}
	return n.Value
}

// StreamResource is the symbolic ARN of table's stream.
func StreamResource(table string) string {
	return "${" + table + ".Arn}/stream/${" + table + ".StreamLabel}"
}

// Request is one authorization IAM makes for an API call: an action on a
// resource (symbolic, as in the template) and, for item actions, the
// partition keys it touches (dynamodb:LeadingKeys; nil when the request has
// no such context key).
type Request struct {
	Action      string
	Resource    string
	LeadingKeys []string
}

func (r Request) String() string {
	return fmt.Sprintf("%s on %s (leading keys %q)", r.Action, r.Resource, r.LeadingKeys)
}

// Allows reports whether some Allow statement grants r, the way IAM
// evaluates identity policies without Deny: action and resource match, and
// every condition holds. Conditions other than the ones Filegate uses are
// an error, never silently true.
func Allows(policy []PolicyStatement, r Request) (bool, error) {
	for _, s := range policy {
		if s.Effect != "Allow" || !AnyGlob(s.Actions, r.Action) || !AnyGlob(s.Resources, r.Resource) {
			continue
		}
		ok, err := s.conditionsHold(r)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func (s PolicyStatement) conditionsHold(r Request) (bool, error) {
	for op, keys := range s.Conditions {
		for key, values := range keys {
			if key != "dynamodb:LeadingKeys" {
				return false, fmt.Errorf("condition key %s is not emulated locally", key)
			}
			switch op {
			case "ForAllValues:StringLike":
				// Every value in the request must match a pattern; with no
				// value at all the set condition holds (IAM's documented
				// pitfall, which the Null condition closes).
				for _, k := range r.LeadingKeys {
					if !AnyGlob(values, k) {
						return false, nil
					}
				}
			case "Null":
				if len(values) != 1 || (values[0] == "false") != (r.LeadingKeys != nil) {
					return false, nil
				}
			default:
				return false, fmt.Errorf("condition operator %s is not emulated locally", op)
			}
		}
	}
	return true, nil
}

// AnyGlob matches IAM's wildcards: * any run of characters, ? one.
func AnyGlob(patterns []string, v string) bool {
	for _, p := range patterns {
		if ok, err := path.Match(strings.ReplaceAll(p, "/", "\x00"), strings.ReplaceAll(v, "/", "\x00")); err == nil && ok {
			return true
		}
	}
	return false
}
