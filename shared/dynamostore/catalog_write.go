package dynamostore

import (
	"unicode/utf8"

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

// nameKeyBytes bounds the name part of cname. GSI sort keys hold 1024 bytes
// and a name may take up to 12,000 (3,000 characters of UTF-8, the compat
// API's limit), so longer names are cut at a rune boundary: names sharing their first 900 bytes then sort by id among
// themselves, and exact-name queries re-check the projected full filename.
const nameKeyBytes = 900

func nameKey(name string) string {
	if len(name) <= nameKeyBytes {
		return name
	}
	cut := nameKeyBytes
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut]
}

// nameSortKey sorts by name, then id. Filenames never contain control
// characters, so "\x00" ends the name unambiguously: "a" sorts before "a b",
// and an exact-name query is begins_with(name + "\x00").
func nameSortKey(name, id string) string { return nameKey(name) + "\x00" + id }

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
		u.Set("cpk", pk).Set("cid", f.ID).Set("cname", nameSortKey(f.Filename, f.ID))
		if f.ExternalFileID != "" {
			u.Set("cxk", externalPK(f.ProjectID, f.ExternalFileID))
		}
	case from == files.StatusCompleted && to != files.StatusCompleted:
		u.Remove(catalogAttrs...)
	}
}
