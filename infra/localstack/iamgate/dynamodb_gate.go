// Package iamgate checks each DynamoDB call a function makes against its
// template.yaml policy, as IAM would, in front of DynamoDB Local, and refuses
// what the policy does not grant.
package iamgate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// DynamoDBGate stands in front of DynamoDB Local for one function and
// answers each request as IAM would for that function's role, from its
// policy in template.yaml: DynamoDB Local enforces no IAM, so without it a
// missing permission (or a dynamodb:LeadingKeys condition that excludes an
// item the function writes) would only show on AWS. A denied request gets
// DynamoDB's AccessDeniedException and is recorded.
type DynamoDBGate struct {
	Function string                        // logical ID, for messages
	Policy   []samtemplate.PolicyStatement // the function's statements
	Tables   map[string]string             // table name → its symbolic ARN, e.g. "${FilesTable.Arn}"
	HashKey  string                        // the tables' partition key attribute
	Log      *slog.Logger
	proxy    *httputil.ReverseProxy
	mu       sync.Mutex
	denied   []string
	seen     int
}

// NewDynamoDBGate forwards what the policy allows to target.
func NewDynamoDBGate(target *url.URL, function string, policy []samtemplate.PolicyStatement, tables map[string]string, hashKey string, log *slog.Logger) *DynamoDBGate {
	return &DynamoDBGate{Function: function, Policy: policy, Tables: tables, HashKey: hashKey, Log: log, proxy: httputil.NewSingleHostReverseProxy(target)}
}

// Denied lists the requests refused so far.
func (g *DynamoDBGate) Denied() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.denied...)
}

// Seen counts the requests that reached the gate, allowed or not.
func (g *DynamoDBGate) Seen() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seen
}

func (g *DynamoDBGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	g.mu.Lock()
	g.seen++
	g.mu.Unlock()
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	needs, err := authorizations(op, body, g.Tables, g.HashKey)
	for _, need := range needs {
		if err != nil {
			break
		}
		var ok bool
		if ok, err = samtemplate.Allows(g.Policy, need); err == nil && !ok {
			err = fmt.Errorf("%s is not authorized to perform: %s", g.Function, need)
		}
	}
	if err != nil {
		g.mu.Lock()
		g.denied = append(g.denied, err.Error())
		g.mu.Unlock()
		g.Log.Error("IAM gate: access denied", "function", g.Function, "err", err)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazon.coral.service#AccessDeniedException", "Message": err.Error()})
		return
	}
	g.proxy.ServeHTTP(w, r)
}

// keyed is the part of a request naming an item or items.
type keyed struct {
	TableName string                     `json:"TableName"`
	Key       map[string]json.RawMessage `json:"Key"`
	Item      map[string]json.RawMessage `json:"Item"`
}

// authorizations are the checks IAM makes for one DynamoDB call: one per
// item action for transactions (they are authorized by the item actions),
// one per table for batches.
func authorizations(op string, body []byte, tables map[string]string, hashKey string) ([]samtemplate.Request, error) {
	var req struct {
		keyed
		IndexName     string                     `json:"IndexName"`
		TransactItems []map[string]keyed         `json:"TransactItems"`
		RequestItems  map[string]json.RawMessage `json:"RequestItems"`
	}
	leadingKeys := func(key, item map[string]json.RawMessage) []string { return partitionKeys(hashKey, key, item) }
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("%s: unreadable request: %w", op, err)
	}
	resource := func(table, index string) (string, error) {
		arn, ok := tables[table]
		if !ok {
			return "", fmt.Errorf("%s: table %q is not the template's", op, table)
		}
		if index != "" {
			arn += "/index/" + index
		}
		return arn, nil
	}
	switch op {
	case "GetItem", "PutItem", "UpdateItem", "DeleteItem":
		res, err := resource(req.TableName, "")
		return []samtemplate.Request{{Action: "dynamodb:" + op, Resource: res, LeadingKeys: leadingKeys(req.Key, req.Item)}}, err
	case "TransactWriteItems", "TransactGetItems":
		var out []samtemplate.Request
		for _, ti := range req.TransactItems {
			for kind, it := range ti {
				action := map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}[kind]
				res, err := resource(it.TableName, "")
				if err != nil || action == "" {
					return nil, fmt.Errorf("%s: item %q on %q: %v", op, kind, it.TableName, err)
				}
				out = append(out, samtemplate.Request{Action: "dynamodb:" + action, Resource: res, LeadingKeys: leadingKeys(it.Key, it.Item)})
			}
		}
		return out, nil
	case "BatchGetItem", "BatchWriteItem":
		var out []samtemplate.Request
		for table, raw := range req.RequestItems {
			res, err := resource(table, "")
			if err != nil {
				return nil, err
			}
			var items struct {
				Keys []map[string]json.RawMessage `json:"Keys"`
			}
			var writes []struct {
				PutRequest    *keyed `json:"PutRequest"`
				DeleteRequest *keyed `json:"DeleteRequest"`
			}
			r := samtemplate.Request{Action: "dynamodb:" + op, Resource: res, LeadingKeys: []string{}}
			if op == "BatchGetItem" {
				_ = json.Unmarshal(raw, &items)
				for _, k := range items.Keys {
					r.LeadingKeys = append(r.LeadingKeys, leadingKeys(k, nil)...)
				}
			} else {
				_ = json.Unmarshal(raw, &writes)
				for _, w := range writes {
					if w.PutRequest != nil {
						r.LeadingKeys = append(r.LeadingKeys, leadingKeys(nil, w.PutRequest.Item)...)
					}
					if w.DeleteRequest != nil {
						r.LeadingKeys = append(r.LeadingKeys, leadingKeys(w.DeleteRequest.Key, nil)...)
					}
				}
			}
			out = append(out, r)
		}
		return out, nil
	case "Query", "Scan":
		// A Query of the table names its leading key in its key condition
		// (queryLeadingKeys); an index's or a Scan's is never granted by a
		// LeadingKeys-conditioned statement (see queryKeys).
		res, err := resource(req.TableName, req.IndexName)
		keys := queryKeys
		if op == "Query" {
			keys = queryLeadingKeys(body, hashKey)
		}
		return []samtemplate.Request{{Action: "dynamodb:" + op, Resource: res, LeadingKeys: keys}}, err
	default:
		res, err := resource(req.TableName, "")
		return []samtemplate.Request{{Action: "dynamodb:" + op, Resource: res}}, err
	}
}

// queryKeys stands for "present but not parsed": no pattern matches it, so a
// LeadingKeys-conditioned statement never grants such a Query or a Scan locally.
var queryKeys = []string{"\x00unparsed key condition"}

// partitionKeys is the partition key value the key or item names.
func partitionKeys(hashKey string, key, item map[string]json.RawMessage) []string {
	raw, ok := key[hashKey]
	if !ok {
		raw, ok = item[hashKey]
	}
	if !ok {
		return []string{}
	}
	var v struct {
		S string `json:"S"`
	}
	_ = json.Unmarshal(raw, &v)
	return []string{v.S}
}
