package eventfilter_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/infra/localstack/eventfilter"
	"github.com/filegate/filegate/infra/localstack/samtemplate"
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
		f, err := eventfilter.ParseEventFilter(pattern)
		if err != nil {
			t.Fatalf("%s: %v", pattern, err)
		}
		if got, err := f.Match(record); err != nil || got != want {
			t.Errorf("%s: match = %v (%v), want %v", pattern, got, err, want)
		}
	}
	for _, bad := range []string{`{"a": [{"numeric": [">", 1]}]}`, `{"a": "x"}`, `{"a": [{"prefix": 1}]}`, `not json`, `{"a": [{"prefix": "x", "suffix": "y"}]}`} {
		if _, err := eventfilter.ParseEventFilter(bad); err == nil {
			t.Errorf("%s: parsed, want it refused (not emulated or invalid)", bad)
		}
	}
}

// EventFilters are the template's stream filters of function id.
func streamFilters(t *testing.T, id string) []*eventfilter.EventFilter {
	t.Helper()
	f := samtemplate.Repo(t).Functions[id]
	if f == nil {
		t.Fatalf("template.yaml has no %s", id)
	}
	out, err := f.EventFilters()
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s in template.yaml has no FilterCriteria", id)
	}
	return out
}

// passesAny reports whether r matches any of filters, as Lambda filters.
func passesAny(t *testing.T, filters []*eventfilter.EventFilter, r events.DynamoDBEventRecord) bool {
	t.Helper()
	for _, f := range filters {
		ok, err := f.Match(r)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return true
		}
	}
	return false
}

// ttlSample is events/dynamodb-ttl-remove.json's record.
func ttlSample(t *testing.T) events.DynamoDBEventRecord {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "events", "dynamodb-ttl-remove.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("sample: %v", err)
	}
	return ev.Records[0]
}

// keyedSample is the sample with another item's key.
func keyedSample(t *testing.T, pk, sk string) events.DynamoDBEventRecord {
	r := ttlSample(t)
	r.Change.Keys = map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(pk), "sk": events.NewStringAttribute(sk)}
	return r
}

// otherItems are stream records of items that are not files.
func otherItems(t *testing.T) map[string]events.DynamoDBEventRecord {
	return map[string]events.DynamoDBEventRecord{
		"an idempotency record": keyedSample(t, "I#7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42#POST /v1/files", "K#retry-1"),
		"a counter":             keyedSample(t, "P#7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42", "COUNT"),
		"a job's lease":         keyedSample(t, "JOB#reconcile", "LEASE"),
		"an API key":            keyedSample(t, "K#0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", "KEY"),
		"a job's cursor":        keyedSample(t, "JOB#reconcile", "CURSOR"),
	}
}

// The counter consumer's filter passes every change of a file record,
// whoever made it, and nothing else (its own counter writes least of all:
// they would feed back into it).
func TestCountersFilterPassesEveryFileChangeOnly(t *testing.T) {
	filters := streamFilters(t, "CountersFunction")
	client := ttlSample(t)
	client.UserIdentity = nil
	for _, name := range []string{"INSERT", "MODIFY", "REMOVE"} {
		for who, r := range map[string]events.DynamoDBEventRecord{"a client": client, "TTL": ttlSample(t)} {
			r.EventName = name
			if !passesAny(t, filters, r) {
				t.Errorf("a file's %s by %s is filtered out", name, who)
			}
		}
	}
	for name, r := range otherItems(t) {
		if passesAny(t, filters, r) {
			t.Errorf("%s passes the counters filter", name)
		}
	}
}

// The template's filter lets through only what the cleanup function is for,
// TTL removals of file records: not a client's delete (its object went with
// it), not other changes, and not the TTL removals of idempotency records,
// counters, leases or keys, which outnumber files'.
func TestCleanupFilterPassesOnlyTTLRemovalsOfFiles(t *testing.T) {
	filters := streamFilters(t, "CleanupFunction")
	if !passesAny(t, filters, ttlSample(t)) {
		t.Fatal("the TTL removal of a file record (events/dynamodb-ttl-remove.json) is filtered out")
	}
	client := ttlSample(t)
	client.UserIdentity = nil
	modify := ttlSample(t)
	modify.EventName = "MODIFY"
	others := otherItems(t)
	others["a client's delete"], others["a change"] = client, modify
	for name, r := range others {
		if passesAny(t, filters, r) {
			t.Errorf("%s passes the cleanup filter", name)
		}
	}
}

const repoRoot = "../../.."
