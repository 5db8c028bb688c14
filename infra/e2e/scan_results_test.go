package e2e

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/guardduty"
)

// A GuardDuty result still in flight when a deployment turned scanning off
// is still heard: an infected verdict rejects its file, even one whose
// bytes were never validated. Through the stack's scan-result function,
// behind its IAM gate (the malware suite, infra/e2e/scan, covers scanning
// on).
func TestInfectedResultRejectsAPendingFile(t *testing.T) {
	c := newTenant(t)
	f := c.Create("late.txt", "text/plain", 12, "")
	detail, _ := json.Marshal(map[string]any{
		"schemaVersion": "1.0", "scanStatus": "COMPLETED", "resourceType": "S3_OBJECT",
		"s3ObjectDetails":   map[string]any{"bucketName": localstack.BucketName, "objectKey": files.ObjectKey(c.ProjectID, files.MustParseFileID(f.ID))},
		"scanResultDetails": map[string]any{"scanResultStatus": "THREATS_FOUND", "threats": []map[string]string{{"name": "EICAR-Test-File (not a virus)"}}},
	})
	ev := events.EventBridgeEvent{Source: guardduty.Source, DetailType: guardduty.DetailType, Detail: detail}
	if err := stack.ScanResult(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Status    string
		Rejection struct{ Code string }
	}
	if st := c.Call("GET", "/v1/files/"+f.ID, nil, &got); st != http.StatusOK || got.Status != "REJECTED" || got.Rejection.Code != "malware_detected" {
		t.Fatalf("after an infected result: %d %+v, want REJECTED malware_detected", st, got)
	}
}
