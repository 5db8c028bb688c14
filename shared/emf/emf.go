// Package emf reports file lifecycle metrics in CloudWatch's embedded metric
// format: a JSON log line per event that CloudWatch turns into the metrics
// Files and Bytes, by Event (created, completed, ...), in the namespace the
// stack names (METRICS_NAMESPACE: Filegate/<stack>, so two stacks in one
// account and region never add up in one metric).
package emf

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Writer emits EMF lines to w (a Lambda's stdout).
type Writer struct {
	mu         sync.Mutex
	w          io.Writer
	directives []directive
}

// DefaultNamespace is the namespace of a Writer given none (the local stack).
const DefaultNamespace = "Filegate"

// New returns a metrics writer on w, in namespace ("" is DefaultNamespace).
func New(w io.Writer, namespace string) *Writer {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	return &Writer{w: w, directives: []directive{{
		Namespace:  namespace,
		Dimensions: [][]string{{"Event"}},
		Metrics:    []metric{{Name: "Files", Unit: "Count"}, {Name: "Bytes", Unit: "Bytes"}},
	}}}
}

type directive struct {
	Namespace  string     `json:"Namespace"`
	Dimensions [][]string `json:"Dimensions"`
	Metrics    []metric   `json:"Metrics"`
}

type metric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// Record counts one lifecycle event of a file of size bytes.
func (m *Writer) Record(event string, bytes int64) {
	line, _ := json.Marshal(map[string]any{
		"_aws":  map[string]any{"Timestamp": time.Now().UnixMilli(), "CloudWatchMetrics": m.directives},
		"Event": event, "Files": 1, "Bytes": bytes,
	})
	m.mu.Lock()
	defer m.mu.Unlock()
	_, _ = m.w.Write(append(line, '\n'))
}
