package template_test

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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/emf"
	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/files/upload"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// What the template promises an operator (docs/operations.md "Running it in
// production"), asserted on template.yaml itself.

// alarmsOn indexes the template's single-metric alarms by what they watch:
// "<namespace> <metric> <dimension value>", the dimension a logical ID.
func alarmsOn(t *testing.T, doc cfnDoc) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for id, a := range doc.resources(t, "AWS::CloudWatch::Alarm") {
		p, _ := a["Properties"].(map[string]any)
		if p["Metrics"] != nil {
			continue // metric math: see lambdaRates
		}
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
	groups := doc.resources(t, "AWS::Logs::LogGroup")
	for id, g := range groups {
		if refTo(at(g, "Properties", "RetentionInDays")) != "LogRetentionDays" {
			t.Errorf("log group %s keeps events for %v, want !Ref LogRetentionDays", id, at(g, "Properties", "RetentionInDays"))
		}
	}
	used := map[string]string{}
	for id, f := range doc.resources(t, "AWS::Serverless::Function") {
		g := refTo(at(f, "Properties", "LoggingConfig", "LogGroup"))
		if groups[g] == nil {
			t.Errorf("%s logs to %q, not a log group of the template (Lambda would create one that keeps logs for ever)", id, g)
		}
		if other, dup := used[g]; dup {
			t.Errorf("%s and %s share log group %s", id, other, g)
		}
		used[g] = id
	}
	apis := doc.resources(t, "AWS::Serverless::HttpApi")
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
	alarms := doc.resources(t, "AWS::CloudWatch::Alarm")
	if len(alarms) == 0 {
		t.Fatal("no alarms")
	}
	topics := doc.resources(t, "AWS::SNS::Topic")
	for id, a := range alarms {
		actions := list(at(a, "Properties", "AlarmActions"))
		if len(actions) != 1 || topics[refTo(actions[0])] == nil {
			t.Errorf("alarm %s notifies %v, want the alarm topic", id, actions)
		}
		// The all-clear too: whoever was paged learns it passed.
		if ok := list(at(a, "Properties", "OKActions")); len(ok) != 1 || topics[refTo(ok[0])] == nil {
			t.Errorf("alarm %s sends OK to %v, want the alarm topic", id, ok)
		}
	}
	// With no AlarmEmail, the stack says loudly that nobody is paged.
	loud := false
	for _, o := range doc.section("Outputs") {
		cond, _ := at(o, "Condition").(string)
		if c := at(doc.section("Conditions"), cond, "Fn::Equals"); c != nil && refTo(list(c)[0]) == "AlarmEmail" &&
			strings.Contains(str(at(o, "Value", "Fn::Sub")), "WARNING") {
			loud = true
		}
	}
	if !loud {
		t.Error("no output warns, when AlarmEmail is empty, that no one receives the alarms")
	}
	// The dashboard link opens the console (the console's host is not an
	// API endpoint's: console.aws.amazon.com, never console.amazonaws.com).
	if u := str(at(doc.section("Outputs"), "DashboardUrl", "Value", "Fn::Sub")); !strings.HasPrefix(u, "https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards:name=") {
		t.Errorf("DashboardUrl is %q, want the console's host", u)
	}
	subscribed := false
	for _, s := range doc.resources(t, "AWS::SNS::Subscription") {
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
	for id := range doc.resources(t, "AWS::SQS::Queue") {
		a := alarms["AWS/SQS ApproximateNumberOfMessagesVisible "+id]
		if a == nil || number(t, a["Threshold"], "Threshold") != 1 || a["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" {
			t.Errorf("queue %s has no alarm on its first message", id)
		}
	}
}

// rateExpr is one function's failure rate in a metric-math alarm:
// IF(<total> >= minTotal OR <bad> >= minBad, <bad> / <total>, 0), where
// bad is its Errors or Throttles and total its Invocations (plus its
// Throttles, which Invocations does not count).
var rateExpr = regexp.MustCompile(`^IF\((\(?[\w +]+\)?) >= (\d+) OR (\w+) >= (\d+), (\w+) / (\(?[\w +]+\)?), 0\)$`)

type lambdaRate struct {
	alarm, function, kind string // kind: Errors or Throttles
	minTotal, minBad      float64
	total                 []string // metric ids summed
	bad, invocations      string   // metric ids
}

// value is the rate the alarm sees when the function had bad failures
// among invocations.
func (r lambdaRate) value(bad, invocations float64) float64 {
	total := 0.0
	for _, id := range r.total {
		switch id {
		case r.bad:
			total += bad
		case r.invocations:
			total += invocations
		}
	}
	if total >= r.minTotal || bad >= r.minBad {
		return bad / total
	}
	return 0
}

// breaches applies the alarm's comparison to a value.
func breaches(t *testing.T, p map[string]any, v float64) bool {
	t.Helper()
	threshold, err := strconv.ParseFloat(str(p["Threshold"]), 64)
	if err != nil {
		t.Fatalf("threshold %v: %v", p["Threshold"], err)
	}
	switch p["ComparisonOperator"] {
	case "GreaterThanThreshold":
		return v > threshold
	case "GreaterThanOrEqualToThreshold":
		return v >= threshold
	}
	t.Fatalf("comparison %v", p["ComparisonOperator"])
	return false
}

// lambdaRates reads every alarm of the template that watches a function's
// Errors or Throttles: each must be metric math over rates (a count of
// them alarms on one failure), the alarm returning the rate itself or the
// MAX of its rates.
func lambdaRates(t *testing.T, doc cfnDoc) []lambdaRate {
	t.Helper()
	var out []lambdaRate
	for id, a := range doc.resources(t, "AWS::CloudWatch::Alarm") {
		p, _ := a["Properties"].(map[string]any)
		if p["Namespace"] == "AWS/Lambda" && (p["MetricName"] == "Errors" || p["MetricName"] == "Throttles") {
			t.Errorf("%s alarms on a count of %s, not a rate", id, p["MetricName"])
		}
		metrics := map[string][2]string{} // id -> metric name, function
		exprs := map[string]string{}
		returned := ""
		reads := 0
		for _, m := range list(p["Metrics"]) {
			if at(m, "MetricStat") != nil {
				reads++
			}
			mid := str(at(m, "Id"))
			if e := str(at(m, "Expression")); e != "" {
				exprs[mid] = e
			} else if at(m, "MetricStat", "Metric", "Namespace") == "AWS/Lambda" {
				metrics[mid] = [2]string{str(at(m, "MetricStat", "Metric", "MetricName")), refTo(at(m, "MetricStat", "Metric", "Dimensions", "0", "Value"))}
			}
			if at(m, "ReturnData") == true {
				returned = mid
			}
		}
		if reads > 10 || len(exprs) > 10 {
			t.Errorf("%s reads %d metrics with %d expressions: CloudWatch takes at most 10 of each in an alarm", id, reads, len(exprs))
		}
		var rates []lambdaRate
		rateIDs := map[string]bool{}
		for eid, e := range exprs {
			m := rateExpr.FindStringSubmatch(e)
			if m == nil {
				continue
			}
			bad, ok := metrics[m[3]]
			if !ok || m[3] != m[5] || m[1] != m[6] || (bad[0] != "Errors" && bad[0] != "Throttles") {
				t.Errorf("%s: %s = %s is not <Errors or Throttles> / <its total>", id, eid, e)
				continue
			}
			r := lambdaRate{alarm: id, function: bad[1], kind: bad[0], bad: m[3]}
			r.minTotal, _ = strconv.ParseFloat(m[2], 64)
			r.minBad, _ = strconv.ParseFloat(m[4], 64)
			for _, term := range strings.Split(strings.Trim(m[1], "()"), "+") {
				term = strings.TrimSpace(term)
				r.total = append(r.total, term)
				if mt := metrics[term]; mt[0] == "Invocations" && mt[1] == r.function {
					r.invocations = term
				} else if term != r.bad {
					t.Errorf("%s: %s's total sums %s, not %s's invocations", id, eid, term, r.function)
				}
			}
			if r.invocations == "" || (r.kind == "Throttles") != slices.Contains(r.total, r.bad) {
				t.Errorf("%s: %s divides by %s: want the function's Invocations (plus its Throttles for a throttle rate)", id, eid, m[1])
			}
			rates = append(rates, r)
			rateIDs[eid] = true
		}
		watched := false
		for _, mt := range metrics {
			watched = watched || mt[0] == "Errors" || mt[0] == "Throttles"
		}
		if !watched {
			continue
		}
		if len(rates) == 0 {
			t.Errorf("%s watches Lambda errors or throttles but no rate of them", id)
			continue
		}
		ret := exprs[returned]
		if max := regexp.MustCompile(`^MAX\(\[([\w, ]+)\]\)$`).FindStringSubmatch(ret); max != nil {
			var ids []string
			for _, x := range strings.Split(max[1], ",") {
				ids = append(ids, strings.TrimSpace(x))
			}
			for rid := range rateIDs {
				if !slices.Contains(ids, rid) {
					t.Errorf("%s returns %s, leaving out rate %s", id, ret, rid)
				}
			}
		} else if len(rates) != 1 || !rateIDs[returned] {
			t.Errorf("%s returns %q: want its one rate or the MAX of its rates", id, returned)
		}
		out = append(out, rates...)
	}
	return out
}

// Every function's errors and throttles are alarmed on as rates, never
// counts: no alarm pages on a single failure, at any traffic, and every
// one pages when its function fails all the time. The authorizer's errors
// are not among them: it answers 401 by returning an error, so its alarm
// counts its real faults, a metric its own log group's filters publish.
func TestEveryFunctionHasErrorAndThrottleRateAlarms(t *testing.T) {
	doc := readCfnDoc(t)
	authorizer := samtemplate.Repo(t).AuthorizerID
	alarms := doc.resources(t, "AWS::CloudWatch::Alarm")
	rates := lambdaRates(t, doc)
	covered := map[string]map[string]bool{"Errors": {}, "Throttles": {}}
	for _, r := range rates {
		covered[r.kind][r.function] = true
		p := at(alarms[r.alarm], "Properties").(map[string]any)
		for inv := 0.0; inv <= 2000; inv++ {
			if v := r.value(1, inv); breaches(t, p, v) {
				t.Errorf("%s pages on one %s of %s among %v invocations (rate %v)", r.alarm, r.kind, r.function, inv, v)
				break
			}
		}
		if !breaches(t, p, r.value(10, 10)) || !breaches(t, p, r.value(500, 1000)) {
			t.Errorf("%s does not page when %s fails on every call, or on half of a thousand", r.alarm, r.function)
		}
		if at(alarms[r.alarm], "Condition") != at(doc.resources(t, "AWS::Serverless::Function")[r.function], "Condition") {
			t.Errorf("%s watches %s but not under the same Condition", r.alarm, r.function)
		}
	}
	functions := doc.resources(t, "AWS::Serverless::Function")
	if len(functions) == 0 || len(covered["Errors"]) == 0 || len(covered["Throttles"]) == 0 {
		t.Fatalf("functions %d, error rates on %d, throttle rates on %d: want none of them empty", len(functions), len(covered["Errors"]), len(covered["Throttles"]))
	}
	for id := range functions {
		if !covered["Throttles"][id] {
			t.Errorf("%s's throttles are in no rate alarm", id)
		}
		if covered["Errors"][id] == (id == authorizer) {
			t.Errorf("%s: in an error rate alarm = %v; want every function but the authorizer", id, covered["Errors"][id])
		}
	}
	single := alarmsOn(t, doc)
	group := refTo(at(functions[authorizer], "Properties", "LoggingConfig", "LogGroup"))
	var metric string
	for _, f := range doc.resources(t, "AWS::Logs::MetricFilter") {
		if refTo(at(f, "Properties", "LogGroupName")) == group {
			metric = str(at(f, "Properties", "MetricTransformations", "0", "MetricName"))
		}
	}
	found := false
	for key := range single {
		found = found || (metric != "" && strings.HasSuffix(key, " "+metric+" "))
	}
	if !found {
		t.Errorf("no alarm on the authorizer's fault metric (%q from its log group %s)", metric, group)
	}
}

// Reconcile's progress pages when no run got through what was due for a
// while (so also when it stops running: missing data breaches), counted
// from the line its handler logs; the account's concurrency pages before
// it runs out, as a share of a limit the operator states.
func TestReconcileProgressAndConcurrencyHeadroomAreAlarmed(t *testing.T) {
	doc := readCfnDoc(t)
	tpl := samtemplate.Repo(t)
	reconcile := ""
	for id, f := range tpl.Functions {
		if len(f.Schedules) > 0 && slices.ContainsFunc(f.Policy, func(s samtemplate.PolicyStatement) bool { return slices.Contains(s.Actions, "s3:ListBucket") }) {
			reconcile = id
		}
	}
	group := refTo(at(doc.resources(t, "AWS::Serverless::Function")[reconcile], "Properties", "LoggingConfig", "LogGroup"))
	src, err := os.ReadFile(filepath.Join(repoRoot, "shared", "wiring", "uploadwiring", "uploadwiring.go"))
	if err != nil {
		t.Fatal(err)
	}
	logged := regexp.MustCompile(`(?s)log\.InfoContext\(ctx, "(reconcile run)", "job", req\.Job,.* "done", rep\.Done`).FindSubmatch(src)
	if logged == nil {
		t.Fatal("the reconcile handler no longer logs \"reconcile run\" with job and done: update this test and the metric filter")
	}
	progress := map[string]bool{}
	for _, f := range doc.resources(t, "AWS::Logs::MetricFilter") {
		pat := str(at(f, "Properties", "FilterPattern"))
		if refTo(at(f, "Properties", "LogGroupName")) == group && strings.Contains(pat, `$.msg = "`+string(logged[1])+`"`) &&
			strings.Contains(pat, `$.done IS TRUE`) && strings.Contains(pat, `$.job != "`+upload.OrphanJob+`"`) {
			progress[str(at(f, "Properties", "MetricTransformations", "0", "MetricName"))] = true
		}
	}
	var progressAlarms, headroomAlarms []string
	for id, a := range doc.resources(t, "AWS::CloudWatch::Alarm") {
		p := at(a, "Properties").(map[string]any)
		if progress[str(p["MetricName"])] && p["ComparisonOperator"] == "LessThanThreshold" && p["TreatMissingData"] == "breaching" &&
			number(t, p["Threshold"], "Threshold") == 1 && number(t, p["Period"], "Period")*number(t, p["EvaluationPeriods"], "EvaluationPeriods") <= 3600 {
			progressAlarms = append(progressAlarms, id)
		}
		for _, m := range list(p["Metrics"]) {
			if at(m, "MetricStat", "Metric", "Namespace") == "AWS/Lambda" && at(m, "MetricStat", "Metric", "MetricName") == "ClaimedAccountConcurrency" &&
				at(m, "MetricStat", "Metric", "Dimensions") == nil {
				for _, e := range list(p["Metrics"]) {
					expr := str(at(e, "Expression", "Fn::Sub"))
					if at(e, "ReturnData") == true && expr == str(at(m, "Id"))+" / ${AccountConcurrencyLimit}" && breaches(t, p, 0.95) && !breaches(t, p, 0.5) {
						headroomAlarms = append(headroomAlarms, id)
					}
				}
			}
		}
	}
	if reconcile == "" || len(progress) == 0 || len(progressAlarms) == 0 {
		t.Errorf("reconcile %q, progress metrics %v, alarms on them %v: want none empty (a metric of its runs that got through what was due, alarmed when absent)", reconcile, progress, progressAlarms)
	}
	if len(headroomAlarms) == 0 || doc.section("Parameters")["AccountConcurrencyLimit"] == nil {
		t.Error("no alarm on the account's ClaimedAccountConcurrency as a share of the AccountConcurrencyLimit parameter")
	}
}

// Every alarm has a runbook entry in the operator guide that names it.
func TestEveryAlarmHasARunbook(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	start := strings.Index(doc, "### Runbooks")
	end := strings.Index(doc[max(start, 0):], "\n### Limits to tune")
	if start < 0 || end < 0 {
		t.Fatal(`docs/operations.md has no "### Runbooks" section before "### Limits to tune"`)
	}
	runbooks := doc[start : start+end]
	alarms := readCfnDoc(t).resources(t, "AWS::CloudWatch::Alarm")
	if len(alarms) == 0 {
		t.Fatal("no alarms in the template")
	}
	for id := range alarms {
		if !strings.Contains(runbooks, "`"+id+"`") {
			t.Errorf("alarm %s has no runbook entry in docs/operations.md \"Runbooks\" (name it in backquotes)", id)
		}
	}
}

// The authorizer's fault metric counts what it logs at ERROR: a key store it
// cannot read does, an expected 401 (no key, unknown, revoked) must not.
func TestAuthorizerFaultFilterCountsOnlyFaults(t *testing.T) {
	doc := readCfnDoc(t)
	var patterns []string
	for _, f := range doc.resources(t, "AWS::Logs::MetricFilter") {
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
	for id, f := range samtemplate.Repo(t).Functions {
		if f.Stream && alarms["AWS/Lambda IteratorAge "+id] == nil {
			t.Errorf("stream consumer %s has no IteratorAge alarm", id)
		}
	}
	for api := range doc.resources(t, "AWS::Serverless::HttpApi") {
		for _, m := range []string{"5xx", "Latency"} {
			if alarms["AWS/ApiGateway "+m+" "+api] == nil {
				t.Errorf("no %s alarm on %s", m, api)
			}
		}
	}
	for table := range doc.resources(t, "AWS::DynamoDB::Table") {
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
	for _, d := range doc.resources(t, "AWS::CloudWatch::Dashboard") {
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
	ns := str(at(doc.section("Globals"), "Function", "Environment", "Variables", "METRICS_NAMESPACE", "Fn::Sub"))
	if !strings.Contains(ns, "${AWS::StackName}") {
		t.Errorf("METRICS_NAMESPACE is %q: EMF metrics of two stacks in one account would add up; want one per stack", ns)
	}
	var line bytes.Buffer
	emf.New(&line, ns).Record("x", 1)
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
	for id, api := range doc.resources(t, "AWS::Serverless::HttpApi") {
		for _, k := range []string{"ThrottlingRateLimit", "ThrottlingBurstLimit"} {
			if p := refTo(at(api, "Properties", "DefaultRouteSettings", k)); params[p] == nil {
				t.Errorf("%s: %s is %v, want a parameter", id, k, at(api, "Properties", "DefaultRouteSettings", k))
			}
		}
	}
	fns := doc.resources(t, "AWS::Serverless::Function")
	reserved := map[string]string{samtemplate.Repo(t).AuthorizerID: "AuthorizerReservedConcurrency", "ProcessUploadFunction": "ProcessUploadReservedConcurrency"}
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
	tpl := samtemplate.Repo(t)
	doc := readCfnDoc(t)
	for id, f := range tpl.Functions {
		if len(f.Schedules) == 0 {
			continue
		}
		cfg := at(doc.resources(t, "AWS::Serverless::Function")[id], "Properties", "EventInvokeConfig")
		if n := number(t, at(cfg, "MaximumRetryAttempts"), "MaximumRetryAttempts"); n != 0 {
			t.Errorf("%s retries failed runs %d times; the next schedule is the retry", id, n)
		}
		period := int64(0)
		for _, s := range f.Schedules {
			p, known := map[string]int64{"rate(5 minutes)": 300, "rate(1 minute)": 60}[s.Expression]
			if !known {
				t.Fatalf("%s runs on %q; this test knows rate(5 minutes) and rate(1 minute)", id, s.Expression)
			}
			if period == 0 || p < period {
				period = p
			}
		}
		if age := number(t, at(cfg, "MaximumEventAgeInSeconds"), "MaximumEventAgeInSeconds"); age < 60 || age > period {
			t.Errorf("%s keeps events %d s; want them gone before the next schedule (at most %d s, at least Lambda's 60)", id, age, period)
		}
		dest := refTo(at(cfg, "DestinationConfig", "OnFailure", "Destination"))
		if at(cfg, "DestinationConfig", "OnFailure", "Type") != "SQS" || doc.resources(t, "AWS::SQS::Queue")[dest] == nil {
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
	for id, f := range samtemplate.Repo(t).Functions {
		if !f.Stream {
			continue
		}
		streams++
		if f.StreamBatch <= 0 || time.Duration(f.StreamBatch)*perRecord > f.Timeout {
			t.Errorf("%s: BatchSize %d x %s exceeds its Timeout %s", id, f.StreamBatch, perRecord, f.Timeout)
		}
		if id == "FileEventsFunction" {
			// Each event's first attempt at every endpoint of its project
			// (at most MaxEndpoints, each up to its timeout, DispatchParallel
			// at once), with a record's own calls besides.
			worst := time.Duration(f.StreamBatch*fileevents.MaxEndpoints/eventwiring.DispatchParallel)*eventwiring.AttemptTimeout +
				time.Duration(f.StreamBatch)*perRecord
			if worst > f.Timeout {
				t.Errorf("%s: a batch of %d events whose receivers all hang takes %s, past its Timeout %s", id, f.StreamBatch, worst, f.Timeout)
			}
		}
	}
	if streams != 3 {
		t.Errorf("%d stream functions, want 3 (cleanup, counters, file events)", streams)
	}
}

// Reconcile tells a missing object from a forbidden one: it holds
// s3:ListBucket on the bucket (as complete and process-upload do), without
// which a GET of a missing key is 403, not 404, and a session that ended
// without bytes could never be stored EXPIRED. Each of its schedules sends
// a job its handler knows (none: Converge; {"job":"orphans"}: the walk).
func TestReconcileCanTellMissingObjects(t *testing.T) {
	for id, f := range samtemplate.Repo(t).Functions {
		if len(f.Schedules) == 0 || !slices.ContainsFunc(f.Policy, func(s samtemplate.PolicyStatement) bool {
			return slices.ContainsFunc(s.Actions, func(a string) bool { return strings.HasPrefix(a, "s3:") })
		}) {
			continue // the webhook sender touches no storage
		}
		found := false
		for _, s := range f.Policy {
			if slices.Contains(s.Actions, "s3:ListBucket") && len(s.Conditions) == 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("%s has no unconditioned s3:ListBucket: a GET of a missing object is a 403 to it", id)
		}
		jobs := map[string]bool{}
		for _, s := range f.Schedules {
			var ev struct {
				Detail uploadwiring.ReconcileRequest `json:"detail"`
			}
			if s.Input != "" {
				if err := json.Unmarshal([]byte(s.Input), &ev); err != nil {
					t.Fatalf("%s: schedule input %q: %v", id, s.Input, err)
				}
			}
			jobs[ev.Detail.Job] = true
		}
		if !jobs[""] || !jobs[upload.OrphanJob] || len(jobs) != 2 {
			t.Errorf("%s's schedules run jobs %v, want Converge (no job) and %q", id, jobs, upload.OrphanJob)
		}
	}
}

// S3 may invoke process-upload only for the uploads bucket of this account,
// and SAM's S3 event (whose permission names only the account) is not used.
func TestProcessUploadInvokePermissionNamesTheBucket(t *testing.T) {
	doc := readCfnDoc(t)
	tpl := samtemplate.Repo(t)
	bucketName := ""
	for id, b := range doc.resources(t, "AWS::S3::Bucket") {
		bucketName = str(at(b, "Properties", "BucketName", "Fn::Sub"))
		if dep := b["DependsOn"]; str(dep) == "" {
			t.Errorf("bucket %s does not wait for the invoke permission (S3 checks it)", id)
		}
	}
	if tpl.UploadEvents.Function == "" || tpl.UploadEvents.Prefix != "uploads/" || tpl.UploadEvents.Event != "s3:ObjectCreated:*" {
		t.Errorf("the bucket notifies %+v, want ObjectCreated under uploads/", tpl.UploadEvents)
	}
	found := false
	for id, p := range doc.resources(t, "AWS::Lambda::Permission") {
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
	for id, f := range doc.resources(t, "AWS::Serverless::Function") {
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
		for id, r := range doc.resources(t, typ) {
			if r["DeletionPolicy"] != "RetainExceptOnCreate" || r["UpdateReplacePolicy"] != "Retain" {
				t.Errorf("%s: DeletionPolicy %v, UpdateReplacePolicy %v; want RetainExceptOnCreate and Retain", id, r["DeletionPolicy"], r["UpdateReplacePolicy"])
			}
		}
	}
}

// Presigned URLs are signed with the signer role's credentials (of known
// end): every function told SIGNER_ROLE_ARN may assume exactly that role,
// the role lives an hour at most (role chaining's cap) and lets a URL do
// no more than PUT or GET a file object.
func TestSigningFunctionsAssumeTheSignerRole(t *testing.T) {
	doc := readCfnDoc(t)
	roles := doc.resources(t, "AWS::IAM::Role")
	signers := 0
	for id, f := range doc.resources(t, "AWS::Serverless::Function") {
		arn := at(f, "Properties", "Environment", "Variables", "SIGNER_ROLE_ARN")
		if arn == nil {
			continue
		}
		signers++
		role := refTo(arn)
		if roles[role] == nil {
			t.Errorf("%s signs with %v, not a role of this template", id, arn)
		}
		may := false
		for _, p := range list(at(f, "Properties", "Policies")) {
			for _, st := range list(at(p, "Statement")) {
				for _, a := range list(at(st, "Action")) {
					if a == "sts:AssumeRole" && refTo(at(st, "Resource")) == role {
						may = true
					}
				}
			}
		}
		if !may {
			t.Errorf("%s is told to sign with %s but may not assume it", id, role)
		}
		r := roles[role]
		if d := number(t, at(r, "Properties", "MaxSessionDuration"), role+" MaxSessionDuration"); d > 3600 {
			t.Errorf("%s allows sessions of %v s; chained from a Lambda they end at an hour", role, d)
		}
		for _, p := range list(at(r, "Properties", "Policies")) {
			for _, st := range list(at(p, "PolicyDocument", "Statement")) {
				for _, a := range list(at(st, "Action")) {
					if a != "s3:PutObject" && a != "s3:GetObject" {
						t.Errorf("%s may %v: a presigned URL needs only s3:PutObject and s3:GetObject", role, a)
					}
				}
				if res := str(at(st, "Resource", "Fn::Sub")); !strings.HasSuffix(res, "-uploads/uploads/*") {
					t.Errorf("%s's grant covers %q, want the file objects only", role, res)
				}
			}
		}
	}
	if signers < 8 {
		t.Errorf("%d functions sign with the signer role, want every one that presigns (8)", signers)
	}
}

// Lost S3 events page someone (Lambda's AsyncEventsDropped never reaches
// the DLQ), and client errors page by rate, never by a count.
func TestDroppedEventsAndClientErrorRatesAreAlarmed(t *testing.T) {
	doc := readCfnDoc(t)
	dropped, rate := false, false
	for _, a := range doc.resources(t, "AWS::CloudWatch::Alarm") {
		p := at(a, "Properties")
		if str(at(p, "MetricName")) == "AsyncEventsDropped" && refTo(at(p, "Dimensions", "0", "Value")) == "ProcessUploadFunction" {
			dropped = true
		}
		var hasCount, has4xx bool
		expr := ""
		for _, m := range list(at(p, "Metrics")) {
			switch str(at(m, "MetricStat", "Metric", "MetricName")) {
			case "Count":
				hasCount = true
			case "4xx":
				has4xx = true
			}
			if e := str(at(m, "Expression")); e != "" && at(m, "ReturnData") == true {
				expr = e
			}
		}
		threshold, _ := strconv.ParseFloat(str(at(p, "Threshold")), 64) // a share: a fraction, not a count
		if hasCount && has4xx && strings.Contains(expr, "/") && threshold > 0 && threshold < 1 {
			rate = true
		}
	}
	if !dropped {
		t.Error("no alarm on process-upload's AsyncEventsDropped: S3 events Lambda drops are seen nowhere else")
	}
	if !rate {
		t.Error("no alarm on the API's 4xx (and 429) rate: a share of requests, not a count")
	}
}

// Every function is traced (Tracing: Active runs the X-Ray daemon beside
// it, which shared/wiring's exporter sends subsegments to) and its role may
// write what the daemon uploads: SAM attaches AWSXrayWriteOnlyAccess
// (xray:PutTraceSegments, xray:PutTelemetryRecords, the sampling rules;
// AWSXRayDaemonWriteAccess is its newer name).
func TestTracedFunctionsMayWriteTraces(t *testing.T) {
	if got := at(readCfnDoc(t).section("Globals"), "Function", "Tracing"); got != "Active" {
		t.Errorf("Globals.Function.Tracing is %v, want Active", got)
	}
	doc := transformedTemplate(t)
	managed, _ := roleGrants(t, doc)
	roles := functionRoles(t, doc)
	if len(roles) == 0 {
		t.Fatal("no function roles in the transformed template")
	}
	for role, fn := range roles {
		if !slices.ContainsFunc(managed[role], func(arn string) bool {
			return strings.HasSuffix(arn, "/AWSXrayWriteOnlyAccess") || strings.HasSuffix(arn, "/AWSXRayDaemonWriteAccess")
		}) {
			t.Errorf("%s's role %s lacks X-Ray write access: its traces are refused (managed: %v)", fn, role, managed[role])
		}
	}
}
