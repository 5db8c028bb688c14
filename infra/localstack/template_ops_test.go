package localstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/emf"
	"github.com/filegate/filegate/shared/files"
)

// What the template promises an operator (docs/operations.md "Running it in
// production"), asserted on template.yaml itself.

// alarmsOn indexes the template's alarms by what they watch:
// "<namespace> <metric> <dimension value>", the dimension a logical ID.
func alarmsOn(t *testing.T, doc cfnDoc) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for id, a := range doc.resources("AWS::CloudWatch::Alarm") {
		p, _ := a["Properties"].(map[string]any)
		ns := str(p["Namespace"])
		if m, ok := p["Namespace"].(map[string]any); ok {
			ns = str(m["Fn::Sub"])
		}
		dim := ""
		for _, d := range list(p["Dimensions"]) {
			dim = refTo(at(d, "Value"))
		}
		key := ns + " " + str(p["MetricName"]) + " " + dim
		if out[key] != nil {
			t.Errorf("two alarms on %s", key)
		}
		p["id"] = id
		out[key] = p
	}
	return out
}

func TestEveryFunctionLogsToAGroupWithRetention(t *testing.T) {
	doc := readCfnDoc(t)
	groups := doc.resources("AWS::Logs::LogGroup")
	for id, g := range groups {
		if refTo(at(g, "Properties", "RetentionInDays")) != "LogRetentionDays" {
			t.Errorf("log group %s keeps events for %v, want !Ref LogRetentionDays", id, at(g, "Properties", "RetentionInDays"))
		}
	}
	used := map[string]string{}
	for id, f := range doc.resources("AWS::Serverless::Function") {
		g := refTo(at(f, "Properties", "LoggingConfig", "LogGroup"))
		if groups[g] == nil {
			t.Errorf("%s logs to %q, not a log group of the template (Lambda would create one that keeps logs for ever)", id, g)
		}
		if other, dup := used[g]; dup {
			t.Errorf("%s and %s share log group %s", id, other, g)
		}
		used[g] = id
	}
	apis := doc.resources("AWS::Serverless::HttpApi")
	for id, api := range apis {
		if g := refTo(at(api, "Properties", "AccessLogSettings", "DestinationArn")); groups[g] == nil {
			t.Errorf("%s writes access logs to %q, not a log group of the template", id, g)
		}
		format := str(at(api, "Properties", "AccessLogSettings", "Format"))
		if !json.Valid([]byte(format)) || strings.Contains(strings.ToLower(format), "header") {
			t.Errorf("%s access log format is not one JSON object without headers: %s", id, format)
		}
	}
	if len(apis) == 0 {
		t.Error("no HTTP API")
	}
}

func TestEveryAlarmNotifiesTheTopic(t *testing.T) {
	doc := readCfnDoc(t)
	alarms := doc.resources("AWS::CloudWatch::Alarm")
	if len(alarms) == 0 {
		t.Fatal("no alarms")
	}
	topics := doc.resources("AWS::SNS::Topic")
	for id, a := range alarms {
		actions := list(at(a, "Properties", "AlarmActions"))
		if len(actions) != 1 || topics[refTo(actions[0])] == nil {
			t.Errorf("alarm %s notifies %v, want the alarm topic", id, actions)
		}
	}
	subscribed := false
	for _, s := range doc.resources("AWS::SNS::Subscription") {
		p := at(s, "Properties")
		if at(p, "Protocol") == "email" && refTo(at(p, "Endpoint")) == "AlarmEmail" && topics[refTo(at(p, "TopicArn"))] != nil && s["Condition"] != nil {
			subscribed = true
		}
	}
	if !subscribed || doc.section("Parameters")["AlarmEmail"] == nil {
		t.Error("no email subscription to the alarm topic from the AlarmEmail parameter (only when set)")
	}
}

func TestEveryQueueHasAnAlarm(t *testing.T) {
	doc := readCfnDoc(t)
	alarms := alarmsOn(t, doc)
	for id := range doc.resources("AWS::SQS::Queue") {
		a := alarms["AWS/SQS ApproximateNumberOfMessagesVisible "+id]
		if a == nil || number(t, a["Threshold"], "Threshold") != 1 || a["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" {
			t.Errorf("queue %s has no alarm on its first message", id)
		}
	}
}

// Every function's errors and throttles alarm, but the authorizer's errors:
// it answers 401 by returning an error, so its alarm counts its real faults,
// a metric its own log group's filters publish.
func TestEveryFunctionHasErrorAndThrottleAlarms(t *testing.T) {
	doc := readCfnDoc(t)
	alarms := alarmsOn(t, doc)
	authorizer := repoTemplate(t).AuthorizerID
	for id := range doc.resources("AWS::Serverless::Function") {
		if alarms["AWS/Lambda Throttles "+id] == nil {
			t.Errorf("%s has no Throttles alarm", id)
		}
		errs := alarms["AWS/Lambda Errors "+id]
		if (errs != nil) == (id == authorizer) {
			t.Errorf("%s: an Errors alarm = %v; want one for every function but the authorizer", id, errs != nil)
		}
	}
	group := refTo(at(doc.resources("AWS::Serverless::Function")[authorizer], "Properties", "LoggingConfig", "LogGroup"))
	var metric string
	for _, f := range doc.resources("AWS::Logs::MetricFilter") {
		if refTo(at(f, "Properties", "LogGroupName")) == group {
			metric = str(at(f, "Properties", "MetricTransformations", "0", "MetricName"))
		}
	}
	found := false
	for key := range alarms {
		found = found || (metric != "" && strings.HasSuffix(key, " "+metric+" "))
	}
	if !found {
		t.Errorf("no alarm on the authorizer's fault metric (%q from its log group %s)", metric, group)
	}
}

// The authorizer's fault metric counts what it logs at ERROR: a key store it
// cannot read does, an expected 401 (no key, unknown, revoked) must not.
func TestAuthorizerFaultFilterCountsOnlyFaults(t *testing.T) {
	doc := readCfnDoc(t)
	var patterns []string
	for _, f := range doc.resources("AWS::Logs::MetricFilter") {
		patterns = append(patterns, str(at(f, "Properties", "FilterPattern")))
	}
	var field, value string
	for _, p := range patterns {
		if m := regexp.MustCompile(`^\{ \$\.(\w+) = "(\w+)" \}$`).FindStringSubmatch(p); m != nil {
			field, value = m[1], m[2]
		}
	}
	if field == "" {
		t.Fatalf("no JSON metric filter among %q", patterns)
	}
	matches := func(logs []byte) int {
		n := 0
		for _, line := range bytes.Split(bytes.TrimSpace(logs), []byte("\n")) {
			var m map[string]any
			if json.Unmarshal(line, &m) == nil && m[field] == value {
				n++
			}
		}
		return n
	}
	for name, tc := range authorizerCases(t) {
		if got := matches(tc.logs); (got > 0) != tc.fault {
			t.Errorf("%s: %d log lines match the fault filter {$.%s = %q}, want fault=%v:\n%s", name, got, field, value, tc.fault, tc.logs)
		}
	}
}

// fakeKeys is a key store with one live and one revoked key; down makes
// every read fail as an unreachable DynamoDB would.
type fakeKeys struct{ down bool }

func (k fakeKeys) GetKey(_ context.Context, hash string) (*auth.Key, error) {
	revoked := time.Now()
	switch {
	case k.down:
		return nil, files.Unavailable("storage", errors.New("connection refused"))
	case hash == auth.Hash("live"):
		return &auth.Key{Hash: hash, ProjectID: "p", Scopes: []string{auth.ScopeRead}}, nil
	case hash == auth.Hash("revoked"):
		return &auth.Key{Hash: hash, ProjectID: "p", RevokedAt: &revoked}, nil
	}
	return nil, auth.ErrKeyNotFound
}
func (fakeKeys) PutKey(context.Context, *auth.Key) error            { return nil }
func (fakeKeys) RevokeKey(context.Context, string, time.Time) error { return nil }

type authorizerCase struct {
	logs  []byte
	fault bool
}

// authorizerCases runs the authorizer, logging as its Lambda does (JSON),
// on each kind of request: four 401s or successes, and one real fault.
func authorizerCases(t *testing.T) map[string]authorizerCase {
	t.Helper()
	out := map[string]authorizerCase{}
	for name, tc := range map[string]struct {
		header string
		down   bool
	}{
		"no key": {"", false}, "not bearer": {"Basic x", false}, "unknown key": {"Bearer nope", false},
		"revoked key": {"Bearer revoked", false}, "live key": {"Bearer live", false}, "key store down": {"Bearer live", true},
	} {
		var buf bytes.Buffer
		a := &auth.Authorizer{Keys: fakeKeys{down: tc.down}, Log: slog.New(slog.NewJSONHandler(&buf, nil))}
		_, err := a.Handle(t.Context(), events.APIGatewayV2CustomAuthorizerV2Request{IdentitySource: []string{tc.header}})
		fault := err != nil && !errors.Is(err, auth.ErrUnauthorized)
		if fault != tc.down {
			t.Fatalf("%s: authorizer answered %v", name, err)
		}
		out[name] = authorizerCase{logs: buf.Bytes(), fault: fault}
	}
	return out
}

func TestQueuesStreamAPIAndTableAreWatched(t *testing.T) {
	doc := readCfnDoc(t)
	alarms := alarmsOn(t, doc)
	for id, f := range repoTemplate(t).Functions {
		if f.Stream && alarms["AWS/Lambda IteratorAge "+id] == nil {
			t.Errorf("stream consumer %s has no IteratorAge alarm", id)
		}
	}
	for api := range doc.resources("AWS::Serverless::HttpApi") {
		for _, m := range []string{"5xx", "Latency"} {
			if alarms["AWS/ApiGateway "+m+" "+api] == nil {
				t.Errorf("no %s alarm on %s", m, api)
			}
		}
	}
	for table := range doc.resources("AWS::DynamoDB::Table") {
		for _, m := range []string{"ReadThrottleEvents", "WriteThrottleEvents"} {
			if alarms["AWS/DynamoDB "+m+" "+table] == nil {
				t.Errorf("no %s alarm on %s", m, table)
			}
		}
	}
}

// The dashboard shows every lifecycle event the use cases record (each
// Metrics.Record in shared/files and shared/files/upload), as the EMF lines
// name them.
func TestDashboardShowsTheEMFMetrics(t *testing.T) {
	doc := readCfnDoc(t)
	var body string
	for _, d := range doc.resources("AWS::CloudWatch::Dashboard") {
		body = str(at(d, "Properties", "DashboardBody", "Fn::Sub"))
	}
	if !json.Valid([]byte(regexp.MustCompile(`\$\{[^}]+\}`).ReplaceAllString(body, "x"))) {
		t.Fatalf("no dashboard, or its body is not JSON: %s", body)
	}
	srcs, _ := filepath.Glob(filepath.Join(repoRoot, "shared", "files", "*.go"))
	more, _ := filepath.Glob(filepath.Join(repoRoot, "shared", "files", "upload", "*.go"))
	srcs = append(srcs, more...)
	var recorded []string
	for _, f := range srcs {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`Metrics\.Record\("(\w+)"`).FindAllSubmatch(raw, -1) {
			recorded = append(recorded, string(m[1]))
		}
	}
	if len(recorded) < 6 {
		t.Fatalf("found %d recorded events in shared/files, want the lifecycle's six", len(recorded))
	}
	var line bytes.Buffer
	emf.New(&line).Record("x", 1)
	var emitted struct {
		AWS struct {
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name string }
			}
		} `json:"_aws"`
	}
	if err := json.Unmarshal(line.Bytes(), &emitted); err != nil || len(emitted.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("EMF line %s: %v", line.Bytes(), err)
	}
	d := emitted.AWS.CloudWatchMetrics[0]
	for _, m := range d.Metrics {
		for _, ev := range recorded {
			want := `["` + d.Namespace + `", "` + m.Name + `", "` + d.Dimensions[0][0] + `", "` + ev + `"]`
			if !strings.Contains(body, want) {
				t.Errorf("the dashboard lacks %s", want)
			}
		}
	}
}

func TestStageThrottlingAndReservedConcurrencyAreParameters(t *testing.T) {
	doc := readCfnDoc(t)
	params := doc.section("Parameters")
	for id, api := range doc.resources("AWS::Serverless::HttpApi") {
		for _, k := range []string{"ThrottlingRateLimit", "ThrottlingBurstLimit"} {
			if p := refTo(at(api, "Properties", "DefaultRouteSettings", k)); params[p] == nil {
				t.Errorf("%s: %s is %v, want a parameter", id, k, at(api, "Properties", "DefaultRouteSettings", k))
			}
		}
	}
	fns := doc.resources("AWS::Serverless::Function")
	reserved := map[string]string{repoTemplate(t).AuthorizerID: "AuthorizerReservedConcurrency", "ProcessUploadFunction": "ProcessUploadReservedConcurrency"}
	for id, f := range fns {
		v := at(f, "Properties", "ReservedConcurrentExecutions")
		param, ok := reserved[id]
		if !ok {
			if v != nil {
				t.Errorf("%s reserves concurrency (%v): a reservation can fail a deploy on small accounts", id, v)
			}
			continue
		}
		// !If [<condition: param is not 0>, !Ref param, !Ref AWS::NoValue]
		cond := list(at(v, "Fn::If"))
		if len(cond) != 3 || refTo(cond[1]) != param || refTo(cond[2]) != "AWS::NoValue" {
			t.Errorf("%s: ReservedConcurrentExecutions %v, want !If [..., !Ref %s, !Ref AWS::NoValue]", id, v, param)
			continue
		}
		p, _ := params[param].(map[string]any)
		if number(t, p["Default"], param) != 0 {
			t.Errorf("%s defaults to %v, want 0 (off)", param, p["Default"])
		}
		want := map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{map[string]any{"Ref": param}, 0}}}}
		if got := doc.section("Conditions")[str(cond[0])]; !equalJSON(got, want) {
			t.Errorf("condition %s = %v, want 0 to mean no reservation: %v", cond[0], got, want)
		}
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// Reconcile: no async retries (they would overlap the next run), events no
// older than its schedule, failures to a queue; no reserved concurrency
// (the lease keeps runs apart).
func TestReconcileInvocationsAreBounded(t *testing.T) {
	tpl := repoTemplate(t)
	doc := readCfnDoc(t)
	for id, f := range tpl.Functions {
		if f.Schedule == "" {
			continue
		}
		cfg := at(doc.resources("AWS::Serverless::Function")[id], "Properties", "EventInvokeConfig")
		if n := number(t, at(cfg, "MaximumRetryAttempts"), "MaximumRetryAttempts"); n != 0 {
			t.Errorf("%s retries failed runs %d times; the next schedule is the retry", id, n)
		}
		if f.Schedule != "rate(5 minutes)" {
			t.Fatalf("%s runs on %q; this test knows rate(5 minutes)", id, f.Schedule)
		}
		if age := number(t, at(cfg, "MaximumEventAgeInSeconds"), "MaximumEventAgeInSeconds"); age < 60 || age > 300 {
			t.Errorf("%s keeps events %d s; want them gone before the next schedule (at most 300 s, at least Lambda's 60)", id, age)
		}
		dest := refTo(at(cfg, "DestinationConfig", "OnFailure", "Destination"))
		if at(cfg, "DestinationConfig", "OnFailure", "Type") != "SQS" || doc.resources("AWS::SQS::Queue")[dest] == nil {
			t.Errorf("%s: failures go to %q, want an SQS queue of the template", id, dest)
		}
		if f.Timeout <= 15*time.Second {
			t.Errorf("%s: Timeout %s leaves no time before reconcile's 15 s stop margin", id, f.Timeout)
		}
	}
}

// Each stream function's timeout fits a slow batch. A record costs each
// function at most one call that may take 3 attempts with backoff up to 1 s
// (about 3 s): cleanup deletes its object; the counter consumer makes one
// UpdateItem per project of the batch, and a batch has no more projects
// than records.
func TestStreamTimeoutsFitTheirBatches(t *testing.T) {
	const perRecord = 3 * time.Second
	streams := 0
	for id, f := range repoTemplate(t).Functions {
		if !f.Stream {
			continue
		}
		streams++
		if f.StreamBatch <= 0 || time.Duration(f.StreamBatch)*perRecord > f.Timeout {
			t.Errorf("%s: BatchSize %d x %s exceeds its Timeout %s", id, f.StreamBatch, perRecord, f.Timeout)
		}
	}
	if streams != 2 {
		t.Errorf("%d stream functions, want 2 (cleanup, counters)", streams)
	}
}

// Reconcile may list only the uploads prefix, where every object is.
func TestReconcileListsOnlyUploads(t *testing.T) {
	prefix, _, _ := strings.Cut(files.ObjectKey("p", "id"), "p/")
	for id, f := range repoTemplate(t).Functions {
		if f.Schedule == "" {
			continue
		}
		found := false
		for _, s := range f.Policy {
			if !slices.Contains(s.Actions, "s3:ListBucket") {
				continue
			}
			found = true
			if got := s.Conditions["StringLike"]["s3:prefix"]; !slices.Equal(got, []string{prefix + "*"}) {
				t.Errorf("%s lists the bucket under %q, want only %q", id, got, prefix+"*")
			}
		}
		if !found {
			t.Errorf("%s cannot list the bucket", id)
		}
	}
}

// S3 may invoke process-upload only for the uploads bucket of this account,
// and SAM's S3 event (whose permission names only the account) is not used.
func TestProcessUploadInvokePermissionNamesTheBucket(t *testing.T) {
	doc := readCfnDoc(t)
	tpl := repoTemplate(t)
	bucketName := ""
	for id, b := range doc.resources("AWS::S3::Bucket") {
		bucketName = str(at(b, "Properties", "BucketName", "Fn::Sub"))
		if dep := b["DependsOn"]; str(dep) == "" {
			t.Errorf("bucket %s does not wait for the invoke permission (S3 checks it)", id)
		}
	}
	if tpl.UploadEvents.Function == "" || tpl.UploadEvents.Prefix != "uploads/" || tpl.UploadEvents.Event != "s3:ObjectCreated:*" {
		t.Errorf("the bucket notifies %+v, want ObjectCreated under uploads/", tpl.UploadEvents)
	}
	found := false
	for id, p := range doc.resources("AWS::Lambda::Permission") {
		props := at(p, "Properties")
		if refTo(at(props, "FunctionName")) != tpl.UploadEvents.Function {
			continue
		}
		found = true
		if at(props, "Principal") != "s3.amazonaws.com" || str(at(props, "SourceArn", "Fn::Sub")) != "arn:${AWS::Partition}:s3:::"+bucketName || refTo(at(props, "SourceAccount")) != "AWS::AccountId" {
			t.Errorf("%s: %v; want s3.amazonaws.com for arn:...:s3:::%s in this account", id, props, bucketName)
		}
	}
	if !found {
		t.Errorf("no invoke permission for %s", tpl.UploadEvents.Function)
	}
	for id, f := range doc.resources("AWS::Serverless::Function") {
		evs, _ := at(f, "Properties", "Events").(map[string]any)
		for _, ev := range evs {
			if at(ev, "Type") == "S3" {
				t.Errorf("%s has a SAM S3 event: its permission would not name the bucket", id)
			}
		}
	}
}

// The table, the bucket and the root secret (which webhook endpoints'
// secrets derive from) outlive the stack, but not a failed first deploy: a
// bucket retained then (its name is fixed) fails every retry.
func TestDataSurvivesDeletionButNotAFailedCreate(t *testing.T) {
	doc := readCfnDoc(t)
	for _, typ := range []string{"AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SecretsManager::Secret"} {
		for id, r := range doc.resources(typ) {
			if r["DeletionPolicy"] != "RetainExceptOnCreate" || r["UpdateReplacePolicy"] != "Retain" {
				t.Errorf("%s: DeletionPolicy %v, UpdateReplacePolicy %v; want RetainExceptOnCreate and Retain", id, r["DeletionPolicy"], r["UpdateReplacePolicy"])
			}
		}
	}
}
