package localstack

import (
	"encoding/json"
	"regexp"
	"strings"
)

// queryLeadingKeys is the partition key a Query of the base table names
// in its key condition (`<hash key> = :value`, with or without a name
// placeholder, alone or ANDed with a sort key condition), which IAM checks
// as dynamodb:LeadingKeys. A condition this cannot read, or a Query of an
// index, is queryKeys: no LeadingKeys-conditioned statement grants it.
func queryLeadingKeys(body []byte, hashKey string) []string {
	var q struct {
		IndexName string                     `json:"IndexName"`
		Cond      string                     `json:"KeyConditionExpression"`
		Names     map[string]string          `json:"ExpressionAttributeNames"`
		Values    map[string]json.RawMessage `json:"ExpressionAttributeValues"`
	}
	if json.Unmarshal(body, &q) != nil || q.IndexName != "" || q.Cond == "" {
		return queryKeys
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
		var v struct {
			S *string `json:"S"`
		}
		if json.Unmarshal(q.Values[m[2]], &v) != nil || v.S == nil {
			return queryKeys
		}
		return []string{*v.S}
	}
	return queryKeys
}

var (
	andSplit = regexp.MustCompile(`(?i)\s+AND\s+`)
	equality = regexp.MustCompile(`^\(*\s*(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)\s*\)*$`)
)
