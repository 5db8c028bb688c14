// Package eventfilter matches records against Lambda event-filtering patterns
// (an event source mapping's FilterCriteria), as far as the template uses
// them.
package eventfilter

import (
	"encoding/json"
	"fmt"
	"strings"
)

// EventFilter is one Lambda event-filtering pattern (an event source
// mapping's FilterCriteria), applied to a record's JSON as Lambda applies it:
// every field the pattern names must match, nested objects recursively, and
// a field matches a list if it matches any entry. It knows the operators
// Lambda documents for strings and presence (prefix, suffix,
// equals-ignore-case, anything-but, exists); a pattern using another one is
// refused when parsed, so the local stack never silently passes what AWS
// would filter differently.
type EventFilter struct {
	pattern map[string]any
}

// ParseEventFilter reads a pattern as written in FilterCriteria.Filters[].Pattern.
func ParseEventFilter(pattern string) (*EventFilter, error) {
	var p map[string]any
	if err := json.Unmarshal([]byte(pattern), &p); err != nil {
		return nil, fmt.Errorf("filter pattern %s: %w", pattern, err)
	}
	if err := checkPattern(p); err != nil {
		return nil, fmt.Errorf("filter pattern %s: %w", pattern, err)
	}
	return &EventFilter{pattern: p}, nil
}

func checkPattern(p map[string]any) error {
	for k, v := range p {
		switch v := v.(type) {
		case map[string]any:
			if err := checkPattern(v); err != nil {
				return err
			}
		case []any:
			for _, e := range v {
				if op, ok := e.(map[string]any); ok {
					if err := checkOperator(op); err != nil {
						return fmt.Errorf("%s: %w", k, err)
					}
				}
			}
		default:
			return fmt.Errorf("%s: a field's values must be a list or an object, not %v", k, v)
		}
	}
	return nil
}

func checkOperator(op map[string]any) error {
	if len(op) != 1 {
		return fmt.Errorf("an operator object has one key: %v", op)
	}
	for name, arg := range op {
		switch name {
		case "prefix", "suffix", "equals-ignore-case":
			if _, ok := arg.(string); !ok {
				return fmt.Errorf("%s takes a string", name)
			}
		case "exists":
			if _, ok := arg.(bool); !ok {
				return fmt.Errorf("exists takes true or false")
			}
		case "anything-but":
			switch a := arg.(type) {
			case string, float64:
			case []any:
				for _, e := range a {
					if _, ok := e.(map[string]any); ok {
						return fmt.Errorf("anything-but with operators is not emulated")
					}
				}
			default:
				return fmt.Errorf("anything-but takes a value or a list of values")
			}
		default:
			return fmt.Errorf("operator %q is not emulated by the local stack", name)
		}
	}
	return nil
}

// Match reports whether record (marshalled to JSON as Lambda sees it) passes.
func (f *EventFilter) Match(record any) (bool, error) {
	raw, err := json.Marshal(record)
	if err != nil {
		return false, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return false, err
	}
	return matchObject(f.pattern, doc), nil
}

func matchObject(pattern, doc map[string]any) bool {
	for k, want := range pattern {
		v, present := doc[k]
		switch want := want.(type) {
		case map[string]any:
			sub, ok := v.(map[string]any)
			if !ok || !matchObject(want, sub) {
				return false
			}
		case []any:
			if !matchField(want, v, present) {
				return false
			}
		}
	}
	return true
}

// matchField: a field matches if one of its values (itself, or each entry of
// a list) matches one of the pattern's entries.
func matchField(entries []any, v any, present bool) bool {
	values := []any{v}
	if l, ok := v.([]any); ok {
		values = l
	}
	for _, e := range entries {
		for _, val := range values {
			if matchEntry(e, val, present) {
				return true
			}
		}
	}
	return false
}

func matchEntry(e, v any, present bool) bool {
	op, isOp := e.(map[string]any)
	if !isOp {
		return present && e == v // strings, numbers (float64), booleans, null
	}
	s, isString := v.(string)
	for name, arg := range op {
		switch name {
		case "exists":
			return present == arg.(bool)
		case "prefix":
			return isString && strings.HasPrefix(s, arg.(string))
		case "suffix":
			return isString && strings.HasSuffix(s, arg.(string))
		case "equals-ignore-case":
			return isString && strings.EqualFold(s, arg.(string))
		case "anything-but":
			excluded, ok := arg.([]any)
			if !ok {
				excluded = []any{arg}
			}
			for _, x := range excluded {
				if x == v {
					return false
				}
			}
			return present
		}
	}
	return false
}
