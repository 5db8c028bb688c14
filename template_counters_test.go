package template_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// One record a stream consumer cannot handle must not hold its shard back
// for the stream's 24 h (the counts, the events, the TTL cleanups of every
// file behind it): each mapping of the table's stream retries from the
// failed record (ReportBatchItemFailures, which the handlers return), splits
// the failing batch there (BisectBatchOnFunctionError), gives the record up
// after an hour at most, and sends what it gave up to a queue the operator
// is alarmed on.
func TestEveryStreamMappingGivesUpAPoisonRecordWithinAnHour(t *testing.T) {
	doc := readCfnDoc(t)
	consumers := map[string]bool{}
	for id, m := range doc.resources(t, "AWS::Lambda::EventSourceMapping") {
		if !strings.Contains(fmt.Sprint(at(m, "Properties", "EventSourceArn")), "StreamArn") {
			continue
		}
		consumers[refTo(at(m, "Properties", "FunctionName"))] = true
		t.Run(id, func(t *testing.T) {
			checkStreamMappingBounds(t, doc, refTo(at(m, "Properties", "FunctionName")), at(m, "Properties"))
		})
	}
	for _, want := range []string{"CountersFunction", "FileEventsFunction", "CleanupFunction"} {
		if !consumers[want] {
			t.Errorf("no mapping of the table's stream feeds %s (feeds: %v)", want, consumers)
		}
	}
}

func checkStreamMappingBounds(t *testing.T, doc cfnDoc, function string, p any) {
	if types := list(at(p, "FunctionResponseTypes")); !slices.Contains(types, any("ReportBatchItemFailures")) {
		t.Errorf("FunctionResponseTypes %v: the handler reports the failed record, Lambda ignores it without ReportBatchItemFailures", types)
	}
	if at(p, "BisectBatchOnFunctionError") != true {
		t.Errorf("BisectBatchOnFunctionError %v, want true: retries close in on the record that fails", at(p, "BisectBatchOnFunctionError"))
	}
	// -1 (the default) is "until the record leaves the stream": a day.
	if age := number(t, at(p, "MaximumRecordAgeInSeconds"), "MaximumRecordAgeInSeconds"); age < 60 || age > 3600 {
		t.Errorf("MaximumRecordAgeInSeconds %d, want 60 (Lambda's minimum) to 3600: a poison record stalls its shard that long", age)
	}
	dest := refTo(at(p, "DestinationConfig", "OnFailure", "Destination"))
	if doc.resources(t, "AWS::SQS::Queue")[dest] == nil {
		t.Fatalf("given-up records go to %q, want an SQS queue of the template", dest)
	}
	watched := false
	for _, a := range doc.resources(t, "AWS::CloudWatch::Alarm") {
		for _, d := range list(at(a, "Properties", "Dimensions")) {
			if str(at(d, "Name")) == "QueueName" && refTo(at(d, "Value")) == dest {
				watched = true
			}
		}
	}
	if !watched {
		t.Errorf("no alarm watches %s: what %s gave up would go unnoticed", dest, function)
	}
}

// The counters retry a bounded number of times (a recount rebuilds what
// they gave up), and the local stack gives records up as the template says.
func TestCountersStreamRetriesAreBoundedAndFollowedLocally(t *testing.T) {
	doc := readCfnDoc(t)
	var ps []any
	for _, m := range doc.resources(t, "AWS::Lambda::EventSourceMapping") {
		if refTo(at(m, "Properties", "FunctionName")) == "CountersFunction" {
			ps = append(ps, at(m, "Properties"))
		}
	}
	if len(ps) != 1 {
		t.Fatalf("%d event source mappings feed CountersFunction, want 1", len(ps))
	}
	p := ps[0]
	if n := number(t, at(p, "MaximumRetryAttempts"), "MaximumRetryAttempts"); n < 1 || n > 100 {
		t.Errorf("MaximumRetryAttempts %d, want 1 to 100", n)
	}
	// The local stack gives records up as the template says.
	f := samtemplate.Repo(t).Functions["CountersFunction"]
	if f == nil || f.StreamAttempts != int(number(t, at(p, "MaximumRetryAttempts"), ""))+1 || f.StreamMaxAge.Seconds() != float64(number(t, at(p, "MaximumRecordAgeInSeconds"), "")) {
		t.Errorf("the local stack's counters feed: %+v, want the template's retries + 1 and record age", f)
	}
}
