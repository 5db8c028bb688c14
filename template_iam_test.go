package template_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/localstack/iamgate"
	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// functionWrites lists the kinds of items each function writes, by
// partition-key prefix (shared/dynamostore): P# a project's records and
// counters (only CountersFunction writes those); I# idempotency records; JOB# a background job's
// cursor and lease; K# API keys, which only the key CLI writes; T# a
// token's ledger, which only its creates write; W# a project's webhook
// endpoints, which only their routes write; D# webhook deliveries, which
// the events consumer records and the sender and replay update. No item holds a signing
// secret (TestNoItemHoldsASecret): minting writes nothing. The e2e suite
// runs every function behind the IAM gate, so a write missing here fails it;
// TestFunctionsWriteOnlyTheirItems fails on any grant beyond it. A function
// not listed writes nothing (a new read-only endpoint needs no line here):
// any write grant in its policy fails the test.
var functionWrites = map[string][]string{
	"CreateFileFunction":       {"P#", "I#", "T#"},
	"CompleteFileFunction":     {"P#", "I#"},
	"CancelFileFunction":       {"P#", "I#"},
	"DeleteFileFunction":       {"P#"},
	"UploadFileFunction":       {"P#", "I#"},
	"DeleteCompatFileFunction": {"P#"},
	"ProcessUploadFunction":    {"P#"},
	"CountersFunction":         {"P#"},
	"ReconcileFunction":        {"P#", "JOB#"},
	// Events: W# a project's webhook endpoints, D# their deliveries.
	"FileEventsFunction":            {"D#"},
	"WebhookSenderFunction":         {"D#"},
	"CreateWebhookEndpointFunction": {"W#"},
	"DeleteWebhookEndpointFunction": {"W#"},
	"RotateWebhookSecretFunction":   {"W#"},
	"ReplayWebhookDeliveryFunction": {"D#"},
	"ScanResultFunction":            {"P#"},
}

var (
	itemKinds   = []string{"P#", "I#", "JOB#", "K#", "T#", "W#", "D#"}
	writeAction = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"}
	tableARN    = "${FilesTable.Arn}"
)

// Each function may write exactly the kinds of items it is listed for, so a
// compromised function cannot mint an API key or touch a job's lease.
func TestFunctionsWriteOnlyTheirItems(t *testing.T) {
	tpl := samtemplate.Repo(t)
	for id := range functionWrites {
		if tpl.Functions[id] == nil {
			t.Errorf("functionWrites lists %s, which template.yaml lacks", id)
		}
	}
	for id, f := range tpl.Functions {
		want := functionWrites[id] // not listed: no item kinds
		for _, kind := range itemKinds {
			var granted []string
			for _, a := range writeAction {
				ok, err := samtemplate.Allows(f.Policy, samtemplate.Request{Action: a, Resource: tableARN, LeadingKeys: []string{kind + "x"}})
				if err != nil {
					t.Fatalf("%s: %v", id, err)
				}
				if ok {
					granted = append(granted, a)
				}
			}
			if slices.Contains(want, kind) != (len(granted) > 0) {
				t.Errorf("%s: writes to %s items granted: %v; listed: %v", id, kind, granted, slices.Contains(want, kind))
			}
			for _, a := range []string{"dynamodb:ConditionCheckItem", "dynamodb:BatchWriteItem"} {
				if slices.Contains(granted, a) {
					t.Errorf("%s: %s is granted; nothing uses it", id, a)
				}
			}
		}
		// A write whose request carries no partition key is never allowed.
		for _, a := range writeAction {
			if ok, _ := samtemplate.Allows(f.Policy, samtemplate.Request{Action: a, Resource: tableARN}); ok {
				t.Errorf("%s: %s allowed without dynamodb:LeadingKeys in the request", id, a)
			}
		}
	}
}

// Every statement granting a DynamoDB item action on the table binds the
// partition keys (ForAllValues:StringLike on dynamodb:LeadingKeys, and Null
// false: a set condition over no values is true), and none grants
// ConditionCheckItem.
func TestEveryDynamoDBWriteGrantHasLeadingKeys(t *testing.T) {
	for id, f := range samtemplate.Repo(t).Functions {
		for _, s := range f.Policy {
			writes := false
			for _, a := range s.Actions {
				if a == "dynamodb:ConditionCheckItem" {
					t.Errorf("%s grants dynamodb:ConditionCheckItem", id)
				}
				writes = writes || slices.Contains(writeAction, a)
			}
			if !writes {
				continue
			}
			if len(s.Conditions["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]) == 0 || !slices.Equal(s.Conditions["Null"]["dynamodb:LeadingKeys"], []string{"false"}) {
				t.Errorf("%s: %v granted without a LeadingKeys condition: %v", id, s.Actions, s.Conditions)
			}
		}
	}
}

// Only the functions an event source mapping feeds may read the table's
// stream (which carries every item's old and new image); that they read
// no other stream, after SAM's transform too, is
// TestTransformedRolesReadOnlyTheTablesStream's.
func TestOnlyStreamConsumersReadTheStream(t *testing.T) {
	tpl := samtemplate.Repo(t)
	consumers := 0
	for id, f := range tpl.Functions {
		if f.Stream {
			consumers++
		}
		for _, a := range samtemplate.StreamReadActions {
			ok, err := samtemplate.Allows(f.Policy, samtemplate.Request{Action: a, Resource: samtemplate.StreamResource(tpl.Table.Name)})
			if err != nil {
				t.Fatal(err)
			}
			if ok != f.Stream {
				t.Errorf("%s: %s on the table's stream granted %v; a stream mapping feeds it: %v", id, a, ok, f.Stream)
			}
		}
	}
	if consumers != 3 {
		t.Errorf("%d stream consumers, want 3 (cleanup, counters, file events)", consumers)
	}
}

// The gate answers as IAM would: each transaction item is authorized by its
// item action and partition key, and a refusal is DynamoDB's
// AccessDeniedException, never forwarded.
func TestDynamoDBGateAnswersAsIAMWould(t *testing.T) {
	var forwarded atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		forwarded.Add(1)
		_, _ = io.WriteString(w, "{}")
	}))
	defer target.Close()
	u, _ := url.Parse(target.URL)
	f := samtemplate.Repo(t).Functions["CreateFileFunction"]
	gate := iamgate.NewDynamoDBGate(u, f.LogicalID, f.Policy, map[string]string{localstack.TableName: tableARN}, "pk", slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(gate)
	defer srv.Close()
	item := func(pk string) string { return `{"pk":{"S":"` + pk + `"},"sk":{"S":"x"}}` }
	for _, tc := range []struct {
		op, body string
		allowed  bool
	}{
		{"PutItem", `{"TableName":"` + localstack.TableName + `","Item":` + item("I#p#POST /v1/files") + `}`, true},
		{"TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"` + localstack.TableName + `","Item":` + item("P#p") + `}},{"Put":{"TableName":"` + localstack.TableName + `","Item":` + item("I#p#POST /v1/files") + `}}]}`, true},
		{"UpdateItem", `{"TableName":"` + localstack.TableName + `","Key":` + item("P#p") + `}`, false}, // a create updates nothing
		{"TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"` + localstack.TableName + `","Item":` + item("P#p") + `}},{"Put":{"TableName":"` + localstack.TableName + `","Item":` + item("K#h") + `}}]}`, false},
		{"PutItem", `{"TableName":"` + localstack.TableName + `","Item":` + item("K#h") + `}`, false},
		{"TransactWriteItems", `{"TransactItems":[{"ConditionCheck":{"TableName":"` + localstack.TableName + `","Key":` + item("P#p") + `}}]}`, false},
		{"DeleteItem", `{"TableName":"` + localstack.TableName + `","Key":` + item("P#p") + `}`, false},
		{"Scan", `{"TableName":"` + localstack.TableName + `"}`, false},
		{"PutItem", `{"TableName":"another-table","Item":` + item("P#p") + `}`, false},
	} {
		before := forwarded.Load()
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(tc.body))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+tc.op)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		passed := forwarded.Load() > before
		if passed != tc.allowed || (resp.StatusCode == http.StatusOK) != tc.allowed {
			t.Errorf("%s %s: status %d, forwarded %v; want allowed=%v", tc.op, tc.body, resp.StatusCode, passed, tc.allowed)
		}
		if !tc.allowed && !strings.Contains(string(body), "AccessDeniedException") {
			t.Errorf("%s refused with %s, want AccessDeniedException", tc.op, body)
		}
	}
	if n := len(gate.Denied()); n != 7 {
		t.Errorf("gate recorded %d refusals, want 7", n)
	}
}

// The local stack refuses what would not deploy or would over-grant: a
// stream mapping whose function may not read the stream (Lambda refuses to
// create it), and a SAM DynamoDB event (SAM would attach
// AWSLambdaDynamoDBExecutionRole, every stream of the account).
func TestReadTemplateRefusesUngrantedAndSAMStreamConsumers(t *testing.T) {
	const head = `
Resources:
  FilesTable:
    Type: AWS::DynamoDB::Table
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
`
	grant := `
      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:DescribeStream, dynamodb:GetRecords, dynamodb:GetShardIterator]
              Resource: !GetAtt FilesTable.StreamArn
            - Effect: Allow
              Action: [dynamodb:ListStreams]
              Resource: !Sub ${FilesTable.Arn}/stream/*
`
	const mapping = `
  Feed:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Consumer
      EventSourceArn: !GetAtt FilesTable.StreamArn
      BatchSize: 10
`
	const samEvent = `
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt FilesTable.StreamArn
`
	for name, tc := range map[string]struct {
		yaml string
		ok   bool
	}{
		"granted mapping":                 {head + grant + mapping, true},
		"mapping without the grant":       {head + mapping, false},
		"mapping without ListStreams":     {head + strings.Replace(grant, "[dynamodb:ListStreams]", "[dynamodb:GetItem]", 1) + mapping, false},
		"grant on another table's stream": {head + strings.Replace(grant, "FilesTable.StreamArn", "OtherTable.StreamArn", 1) + mapping, false},
		"SAM DynamoDB event":              {head + grant + samEvent, false},
	} {
		path := filepath.Join(t.TempDir(), "template.yaml")
		if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		tpl, err := samtemplate.ReadTemplate(path)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok=%v", name, err, tc.ok)
		}
		if tc.ok && (!tpl.Functions["Consumer"].Stream || tpl.Functions["Consumer"].StreamBatch != 10) {
			t.Errorf("%s: the mapping is not read: %+v", name, tpl.Functions["Consumer"])
		}
	}
}
