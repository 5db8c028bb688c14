package guardduty

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/files"
)

// resultEvent is a scan result event as GuardDuty publishes it to the
// default bus (the shape of its EventBridge documentation).
const resultEvent = `{
  "version": "0",
  "id": "72c7d362-737a-6dce-fc78-9e27a0171419",
  "detail-type": "GuardDuty Malware Protection Object Scan Result",
  "source": "aws.guardduty",
  "account": "111122223333",
  "time": "2024-06-12T18:40:14Z",
  "region": "us-east-1",
  "resources": ["arn:aws:guardduty:us-east-1:111122223333:malware-protection-plan/b4c7f464ab3a4EXAMPLE"],
  "detail": {
    "schemaVersion": "1.0",
    "scanStatus": "COMPLETED",
    "resourceType": "S3_OBJECT",
    "s3ObjectDetails": {
      "bucketName": "filegate-111122223333-us-east-1-uploads",
      "objectKey": "uploads/7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42/fil_06H0EN1ZAP202AP5WPNPHXF894",
      "eTag": "ASIAI44QH8DHBEXAMPLE",
      "versionId": "d41d8cd98f00b204e9800998ecf8427e",
      "s3Throttled": false
    },
    "scanResultDetails": {
      "scanResultStatus": "THREATS_FOUND",
      "threats": [{"name": "EICAR-Test-File (not a virus)"}]
    }
  }
}`

func decodeEvent(t *testing.T, raw string) events.EventBridgeEvent {
	t.Helper()
	var ev events.EventBridgeEvent
	if err := json.Unmarshal([]byte(raw), &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestDecode(t *testing.T) {
	r, err := Decode(decodeEvent(t, resultEvent))
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Bucket: "filegate-111122223333-us-east-1-uploads", Key: "uploads/7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42/fil_06H0EN1ZAP202AP5WPNPHXF894",
		Status: "THREATS_FOUND", Threats: []string{"EICAR-Test-File (not a virus)"}}
	if r.Bucket != want.Bucket || r.Key != want.Key || r.Status != want.Status || !slices.Equal(r.Threats, want.Threats) {
		t.Errorf("Decode = %+v, want %+v", r, want)
	}
}

func TestDecodeRefusesOtherEvents(t *testing.T) {
	ev := decodeEvent(t, resultEvent)
	other := ev
	other.DetailType = "GuardDuty Malware Protection Post Scan Action Failed"
	noObject := ev
	noObject.Detail = json.RawMessage(`{"resourceType":"S3_OBJECT","scanResultDetails":{"scanResultStatus":"NO_THREATS_FOUND"}}`)
	for name, e := range map[string]events.EventBridgeEvent{"another detail-type": other, "no object": noObject, "scheduled": {Source: "aws.events", DetailType: "Scheduled Event"}} {
		if r, err := Decode(e); err == nil {
			t.Errorf("%s: Decode = %+v, want an error", name, r)
		}
	}
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		status  string
		threats []string
		want    files.ScanResult
		ok      bool
	}{
		{"NO_THREATS_FOUND", nil, files.ScanResult{Verdict: files.ScanClean}, true},
		{"THREATS_FOUND", []string{"A", "B"}, files.ScanResult{Verdict: files.ScanInfected, Signature: "A, B"}, true},
		{"THREATS_FOUND", nil, files.ScanResult{Verdict: files.ScanInfected, Signature: "GuardDuty: THREATS_FOUND"}, true},
		{"UNSUPPORTED", nil, files.ScanResult{Verdict: files.ScanUnsupported, Signature: "GuardDuty: UNSUPPORTED"}, true},
		{"ACCESS_DENIED", nil, files.ScanResult{}, false},
		{"FAILED", nil, files.ScanResult{}, false},
		{"", nil, files.ScanResult{}, false},
	}
	for _, tt := range tests {
		got, ok := Verdict(tt.status, tt.threats)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Verdict(%q, %q) = %+v, %v; want %+v, %v", tt.status, tt.threats, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(resultEvent))
	f.Add([]byte(`{"source":"aws.guardduty","detail-type":"GuardDuty Malware Protection Object Scan Result","detail":null}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var ev events.EventBridgeEvent
		if json.Unmarshal(raw, &ev) != nil {
			return
		}
		r, err := Decode(ev)
		if err == nil && (r.Bucket == "" || r.Key == "") {
			t.Fatalf("Decode accepted an event naming no object: %+v", r)
		}
	})
}
