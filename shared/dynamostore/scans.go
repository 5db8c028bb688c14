package dynamostore

import (
	"time"

	"github.com/filegate/filegate/shared/files"
)

// A file waiting for a malware scan's verdict (SCANNING) is found by
// reconcile through its own index, ByReconcileAt (reconcile_index.go), at
// its ReconcileAt, which the scan sets to when its verdict is next asked
// for (files.Config.ReconcileAt). It has no index of its own: a stack
// update can add only one GSI to the table (template.yaml).

// scanItem is a file's malware scan, one map attribute of its record.
type scanItem struct {
	Verdict   string    `dynamo:"verdict,omitempty"`
	Signature string    `dynamo:"signature,omitempty"`
	Due       time.Time `dynamo:"due,omitempty"`
	Attempts  int       `dynamo:"attempts,omitempty"`
}

func toScanItem(s *files.ScanState) *scanItem {
	if s == nil {
		return nil
	}
	return &scanItem{Verdict: string(s.Verdict), Signature: s.Signature, Due: s.Due, Attempts: s.Attempts}
}

func (it *scanItem) toState() *files.ScanState {
	if it == nil {
		return nil
	}
	return &files.ScanState{Verdict: files.ScanVerdict(it.Verdict), Signature: it.Signature, Due: it.Due.UTC(), Attempts: it.Attempts}
}
