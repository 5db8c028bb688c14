package emf

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestRecordWritesEmbeddedMetricFormat(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, "Filegate/s1").Record("completed", 42)
	var line struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []directive
		} `json:"_aws"`
		Event string
		Files int
		Bytes int64
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("%q: %v", buf.String(), err)
	}
	if line.AWS.Timestamp == 0 || len(line.AWS.CloudWatchMetrics) != 1 || line.AWS.CloudWatchMetrics[0].Namespace != "Filegate/s1" ||
		line.Event != "completed" || line.Files != 1 || line.Bytes != 42 {
		t.Fatalf("line = %+v", line)
	}
}
