package template_test

import (
	"slices"
	"testing"
)

// lastReleaseIndexes are the FilesTable's global secondary indexes in the
// last release. Update it when a release ships, to what it shipped.
var lastReleaseIndexes = []string{"ByProjectNewest", "ByCompletedId", "ByCompletedName", "ByExternalId", "ByExternalName"}

// A release adds at most one global secondary index to the FilesTable, and
// drops none of the last release's. CloudFormation changes a table's
// indexes through DynamoDB's UpdateTable, which creates or deletes only one
// global secondary index per call: a release adding two fails to update
// every stack already deployed (a new stack still creates, so nothing short
// of an update shows it; DynamoDB Local does not enforce it either). Work
// that needs another index list shares an existing sparse one instead, as
// the files waiting for a malware scan share reconcile's ByReconcileAt
// and webhook retries its D# shards (shared/dynamostore/retry_index.go).
func TestFilesTableAddsAtMostOneIndexPerRelease(t *testing.T) {
	doc := readCfnDoc(t)
	table := doc.resources(t, "AWS::DynamoDB::Table")["FilesTable"]
	if table == nil {
		t.Fatal("template.yaml has no AWS::DynamoDB::Table FilesTable")
	}
	var now []string
	list, _ := at(table, "Properties", "GlobalSecondaryIndexes").([]any)
	for _, gsi := range list {
		name, _ := at(gsi, "IndexName").(string)
		now = append(now, name)
	}
	if len(now) == 0 {
		t.Fatal("FilesTable has no GlobalSecondaryIndexes: the test reads the wrong place")
	}
	var added []string
	for _, name := range now {
		if !slices.Contains(lastReleaseIndexes, name) {
			added = append(added, name)
		}
	}
	for _, name := range lastReleaseIndexes {
		if !slices.Contains(now, name) {
			t.Errorf("FilesTable drops %s, an index of the last release: deleting it as well as adding one fails the stack update", name)
		}
	}
	if len(added) > 1 {
		t.Errorf("FilesTable adds %d global secondary indexes over the last release (%v): a stack update can create only one; share a sparse index instead", len(added), added)
	}
}
