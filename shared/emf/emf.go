// Package emf reports file lifecycle metrics in CloudWatch's embedded metric
// format: a JSON log line per event that CloudWatch turns into the metrics
// Filegate/Files and Filegate/Bytes, by Event (created, completed, ...).
package emf

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Writer emits EMF lines to w (a Lambda's stdout).
type Writer struct {
	mu sync.Mutex
	w  io.Writer
}

// New returns a metrics writer on w.
func New(w io.Writer) *Writer { return &Writer{w: w} }

type directive struct {
	Namespace  string     `json:"Namespace"`
	Dimensions [][]string `json:"Dimensions"`
	Metrics    []metric   `json:"Metrics"`
}

type metric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

var filesDirective = []directive{{
	Namespace:  "Filegate",
	Dimensions: [][]string{{"Event"}},
	Metrics:    []metric{{Name: "Files", Unit: "Count"}, {Name: "Bytes", Unit: "Bytes"}},
}}

// Record counts one lifecycle event of a file of size bytes.
func (m *Writer) Record(event string, bytes int64) {
	line, _ := json.Marshal(map[string]any{
		"_aws":  map[string]any{"Timestamp": time.Now().UnixMilli(), "CloudWatchMetrics": filesDirective},
		"Event": event, "Files": 1, "Bytes": bytes,
	})
	m.mu.Lock()
	defer m.mu.Unlock()
	_, _ = m.w.Write(append(line, '\n'))
}
