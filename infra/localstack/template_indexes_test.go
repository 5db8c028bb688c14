package localstack

import (
	"slices"
	"testing"
)

// releasedIndexes are the files table's global secondary indexes as the
// last release deployed them. Move an index here once a release with it
// has shipped.
var releasedIndexes = []string{"ByProjectNewest", "ByCompletedId", "ByCompletedName", "ByExternalId", "ByExternalName"}

// DynamoDB creates one global secondary index per UpdateTable, so a
// CloudFormation update of an existing stack whose template adds two fails
// (and rolls back). A release may add at most one index over the last, and
// drop none (a dropped index's readers would fail mid-deploy); work lists
// that need "what is due when" share ByReconcileAt under their own key
// prefixes instead (shared/dynamostore/retry_index.go).
func TestTemplateAddsAtMostOneIndex(t *testing.T) {
	var names []string
	for _, gsi := range repoTemplate(t).Table.GlobalSecondaryIndexes {
		names = append(names, gsi.IndexName)
	}
	var added []string
	for _, n := range names {
		if !slices.Contains(releasedIndexes, n) {
			added = append(added, n)
		}
	}
	if len(added) > 1 {
		t.Errorf("template.yaml adds %d indexes %v over the last release: an update of an existing stack can create only one", len(added), added)
	}
	for _, n := range releasedIndexes {
		if !slices.Contains(names, n) {
			t.Errorf("template.yaml drops the released index %s", n)
		}
	}
}
