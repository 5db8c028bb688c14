package localstack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestEventFilterMatchesAsLambdaDocuments(t *testing.T) {
	record := map[string]any{
		"eventName":    "REMOVE",
		"userIdentity": map[string]any{"type": "Service"},
		"dynamodb":     map[string]any{"Keys": map[string]any{"sk": map[string]any{"S": "F#fil_1"}}, "SizeBytes": 26},
		"tags":         []any{"a", "b"},
	}
	for pattern, want := range map[string]bool{
		`{"eventName": ["REMOVE"]}`:                                     true,
		`{"eventName": ["INSERT", "REMOVE"]}`:                           true,
		`{"eventName": ["MODIFY"]}`:                                     false,
		`{"eventName": ["remove"]}`:                                     false,
		`{"eventName": [{"equals-ignore-case": "remove"}]}`:             true,
		`{"userIdentity": {"type": ["Service"]}}`:                       true,
		`{"userIdentity": {"principalId": ["dynamodb.amazonaws.com"]}}`: false, // absent field
		`{"userIdentity": {"principalId": [{"exists": false}]}}`:        true,
		`{"userIdentity": {"type": [{"exists": true}]}}`:                true,
		`{"missing": {"type": ["Service"]}}`:                            false,
		`{"dynamodb": {"Keys": {"sk": {"S": [{"prefix": "F#"}]}}}}`:     true,
		`{"dynamodb": {"Keys": {"sk": {"S": [{"prefix": "T#"}]}}}}`:     false,
		`{"dynamodb": {"Keys": {"sk": {"S": [{"suffix": "_1"}]}}}}`:     true,
		`{"dynamodb": {"SizeBytes": [26]}}`:                             true,
		`{"dynamodb": {"SizeBytes": [27]}}`:                             false,
		`{"eventName": [{"anything-but": ["INSERT", "MODIFY"]}]}`:       true,
		`{"eventName": [{"anything-but": "REMOVE"}]}`:                   false,
		`{"tags": ["b"]}`: true,
		`{"tags": ["c"]}`: false,
		`{"eventName": ["REMOVE"], "dynamodb": {"SizeBytes": [27]}}`: false, // every field must match
	} {
		f, err := ParseEventFilter(pattern)
		if err != nil {
			t.Fatalf("%s: %v", pattern, err)
		}
		if got, err := f.Match(record); err != nil || got != want {
			t.Errorf("%s: match = %v (%v), want %v", pattern, got, err, want)
		}
	}
	for _, bad := range []string{`{"a": [{"numeric": [">", 1]}]}`, `{"a": "x"}`, `{"a": [{"prefix": 1}]}`, `not json`, `{"a": [{"prefix": "x", "suffix": "y"}]}`} {
		if _, err := ParseEventFilter(bad); err == nil {
			t.Errorf("%s: parsed, want it refused (not emulated or invalid)", bad)
		}
	}
}

// cleanupFilters are the template's stream filters of the cleanup function.
func cleanupFilters(t *testing.T) []*EventFilter {
	t.Helper()
	var out []*EventFilter
	for _, f := range repoTemplate(t).Functions {
		for _, p := range f.StreamFilters {
			flt, err := ParseEventFilter(p)
			if err != nil {
				t.Fatalf("%s: %v", f.LogicalID, err)
			}
			out = append(out, flt)
		}
	}
	if len(out) == 0 {
		t.Fatal("the stream consumer in template.yaml has no FilterCriteria")
	}
	return out
}

// The template's filter lets through only what the cleanup function is for,
// TTL removals of file records: not a client's delete (its object went with
// it), not other changes, and not the TTL removals of idempotency records,
// tombstones, counters, leases or keys, which outnumber files'.
func TestCleanupFilterPassesOnlyTTLRemovalsOfFiles(t *testing.T) {
	filters := cleanupFilters(t)
	raw, err := os.ReadFile(filepath.Join(repoRoot, "events", "dynamodb-ttl-remove.json"))
	if err != nil {
		t.Fatal(err)
	}
	sample := func() events.DynamoDBEventRecord {
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) != 1 {
			t.Fatalf("sample: %v", err)
		}
		return ev.Records[0]
	}
	keyed := func(pk, sk string) events.DynamoDBEventRecord {
		r := sample()
		r.Change.Keys = map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(pk), "sk": events.NewStringAttribute(sk)}
		return r
	}
	passes := func(r events.DynamoDBEventRecord) bool {
		for _, f := range filters {
			if ok, err := f.Match(r); err != nil || ok {
				return err == nil
			}
		}
		return false
	}
	if !passes(sample()) {
		t.Fatal("the TTL removal of a file record (events/dynamodb-ttl-remove.json) is filtered out")
	}
	client := sample()
	client.UserIdentity = nil
	modify := sample()
	modify.EventName = "MODIFY"
	for name, r := range map[string]events.DynamoDBEventRecord{
		"a client's delete":     client,
		"a change":              modify,
		"an idempotency record": keyed("I#7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42#POST /v1/files", "K#retry-1"),
		"a tombstone":           keyed("P#7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42", "T#fil_06H0EN1ZAP202AP5WPNPHXF894"),
		"a counter":             keyed("P#7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42", "COUNT"),
		"a job's lease":         keyed("JOB#reconcile", "LEASE"),
		"an API key":            keyed("K#0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", "KEY"),
		"a job's cursor":        keyed("JOB#reconcile", "CURSOR"),
	} {
		if passes(r) {
			t.Errorf("%s passes the cleanup filter", name)
		}
	}
}
