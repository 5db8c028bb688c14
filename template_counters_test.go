package template_test

import (
	"slices"
	"testing"
)

// One record the counter consumer cannot count must not hold its shard's
// counts back for the stream's 24 h: the mapping retries from the failed
// record (ReportBatchItemFailures, which the handler returns), splits the
// failing batch there (BisectBatchOnFunctionError), gives the record up after
// a bounded number of retries or an hour, and sends what it gave up to a
// queue the operator is alarmed on.
func TestCountersStreamGivesUpAPoisonRecordWithinAnHour(t *testing.T) {
	doc := readCfnDoc(t)
	var mappings []map[string]any
	for _, m := range doc.resources(t, "AWS::Lambda::EventSourceMapping") {
		if refTo(at(m, "Properties", "FunctionName")) == "CountersFunction" {
			mappings = append(mappings, m)
		}
	}
	if len(mappings) != 1 {
		t.Fatalf("%d event source mappings feed CountersFunction, want 1", len(mappings))
	}
	p := at(mappings[0], "Properties")
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
	if n := number(t, at(p, "MaximumRetryAttempts"), "MaximumRetryAttempts"); n < 1 || n > 100 {
		t.Errorf("MaximumRetryAttempts %d, want 1 to 100", n)
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
		t.Errorf("no alarm watches %s: counts would drift unnoticed", dest)
	}
	// The local stack gives records up as the template says.
	f := repoTemplate(t).Functions["CountersFunction"]
	if f == nil || f.StreamAttempts != int(number(t, at(p, "MaximumRetryAttempts"), ""))+1 || f.StreamMaxAge.Seconds() != float64(number(t, at(p, "MaximumRecordAgeInSeconds"), "")) {
		t.Errorf("the local stack's counters feed: %+v, want the template's retries + 1 and record age", f)
	}
}
