package iamgate

import (
	"encoding/json"
	"regexp"
	"strings"
)

// queryLeadingKeys is the partition key a Query of the base table names
// in its key condition, which IAM checks as dynamodb:LeadingKeys: the
// legacy KeyConditions' EQ on the hash key (guregu/dynamo writes these), or
// a KeyConditionExpression's `<hash key> = :value` (with or without a name
// placeholder, alone or ANDed with a sort key condition). A condition this cannot read, or a Query of an
// index, is queryKeys: no LeadingKeys-conditioned statement grants it.
func queryLeadingKeys(body []byte, hashKey string) []string {
	var q struct {
		IndexName string                     `json:"IndexName"`
		Cond      string                     `json:"KeyConditionExpression"`
		Names     map[string]string          `json:"ExpressionAttributeNames"`
		Values    map[string]json.RawMessage `json:"ExpressionAttributeValues"`
		Legacy    map[string]struct {
			Op     string            `json:"ComparisonOperator"`
			Values []json.RawMessage `json:"AttributeValueList"`
		} `json:"KeyConditions"`
	}
	if json.Unmarshal(body, &q) != nil || q.IndexName != "" {
		return queryKeys
	}
	if c, ok := q.Legacy[hashKey]; ok && c.Op == "EQ" && len(c.Values) == 1 {
		return stringValue(c.Values[0])
	}
	for _, clause := range andSplit.Split(q.Cond, -1) {
		m := equality.FindStringSubmatch(strings.TrimSpace(clause))
		if m == nil {
			continue
		}
		name := m[1]
		if strings.HasPrefix(name, "#") {
			name = q.Names[name]
		}
		if name != hashKey {
			continue
		}
		return stringValue(q.Values[m[2]])
	}
	return queryKeys
}

// stringValue is a string attribute value, or queryKeys for anything else.
func stringValue(raw json.RawMessage) []string {
	var v struct {
		S *string `json:"S"`
	}
	if json.Unmarshal(raw, &v) != nil || v.S == nil {
		return queryKeys
	}
	return []string{*v.S}
}

var (
	andSplit = regexp.MustCompile(`(?i)\s+AND\s+`)
	equality = regexp.MustCompile(`^\(*\s*(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)\s*\)*$`)
)
