package dynamostore

import (
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

// The catalog: sparse GSIs (template.yaml, FilesTable) that hold a file only
// while it is COMPLETED, because their key attributes exist only then. The
// compat API lists through them, so no listing reads another status's records.
const (
	IndexCompletedID   = "ByCompletedId"   // cpk, cid: by id (oldest or newest first)
	IndexCompletedName = "ByCompletedName" // cpk, cname: by name; projects filename, externalFileId
	IndexExternalID    = "ByExternalId"    // cxk, cid: one external id, by id
	IndexExternalName  = "ByExternalName"  // cxk, cname: one external id, by name
)

// catalogAttrs are the index key attributes a COMPLETED file carries.
var catalogAttrs = []string{"cpk", "cid", "cname", "cxk"}

// nameKeyBytes bounds the name part of cname (GSI sort keys hold 1024
// bytes; a name may take 12,000): the domain's rule for how much of a name
// sorts, which the listing by file ids follows too (files.NameSortBytes).
const nameKeyBytes = files.NameSortBytes

func nameKey(name string) string { return files.NameSortKey(name) }

// nameSortKey sorts by name, then id. Filenames never contain control
// characters, so "\x00" ends the name unambiguously: "a" sorts before "a b",
// and an exact-name query is begins_with(name + "\x00").
func nameSortKey(name string, id files.FileID) string { return nameKey(name) + "\x00" + id.String() }

// externalPK partitions a project's COMPLETED files by external id; the
// project prefix has a fixed length, so no external id can reach past it.
func externalPK(projectID, externalID string) string {
	return projectPK(projectID) + "#X#" + externalID
}

// catalog adds the index key attributes to update u of a transition into
// COMPLETED, and removes them from one out of it. The name and external id
// that key the catalog are immutable, so f (the record as the caller read
// it) supplies them without another read.
func catalog(u *dynamo.Update, f *files.File, from, to files.Status) {
	switch {
	case to == files.StatusCompleted && from != files.StatusCompleted:
		pk := projectPK(f.ProjectID)
		u.Set("cpk", pk).Set("cid", f.ID.String()).Set("cname", nameSortKey(f.Filename, f.ID))
		if f.ExternalFileID != "" {
			u.Set("cxk", externalPK(f.ProjectID, f.ExternalFileID))
		}
	case from == files.StatusCompleted && to != files.StatusCompleted:
		u.Remove(catalogAttrs...)
	}
}
