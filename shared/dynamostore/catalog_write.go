package dynamostore

import (
	"context"
	"errors"
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
// and a 255-character name may take 1020, so longer names are cut at a rune
// boundary: names sharing their first 900 bytes then sort by id among
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

// transitionCataloged runs a transition into or out of COMPLETED: the record
// update u (conditional on from) gains or loses the catalog attributes, and
// the project's completed counter moves with it in the same transaction.
// The name and external id that key the catalog are immutable, so f (the
// record as the caller read it) supplies them without another read.
func (s *Store) transitionCataloged(ctx context.Context, u *dynamo.Update, f *files.File, from files.Status, c files.Change) (*files.File, error) {
	pk := projectPK(f.ProjectID)
	count := s.table.Update("pk", pk).Range("sk", counterSK)
	switch {
	case c.To == files.StatusCompleted && from != files.StatusCompleted:
		u.Set("cpk", pk).Set("cid", f.ID).Set("cname", nameSortKey(f.Filename, f.ID))
		if f.ExternalFileID != "" {
			u.Set("cxk", externalPK(f.ProjectID, f.ExternalFileID))
		}
		count.Add("completed", 1)
	case from == files.StatusCompleted && c.To != files.StatusCompleted:
		u.Remove(catalogAttrs...)
		count.Add("completed", -1)
	default: // COMPLETED to COMPLETED changes no index
		var out fileItem
		if err := u.Value(ctx, &out); err != nil {
			return nil, classify(err)
		}
		return out.toFile(), nil
	}
	if err := classify(s.db.WriteTx().Update(u).Update(count).Run(ctx)); err != nil {
		return nil, err
	}
	it := toItem(f)
	applyChange(&it, c)
	return it.toFile(), nil
}

// applyChange is what transitionUpdate's expression does to a record,
// for returning the new record without another read.
func applyChange(it *fileItem, c files.Change) {
	it.Status, it.UpdatedAt = string(c.To), c.At
	if c.To == files.StatusCompleted {
		at := c.At
		it.CompletedAt = &at
	}
	if c.ETag != "" {
		it.ETag = c.ETag
	}
	if c.MD5 != "" {
		it.MD5 = c.MD5
	}
	if c.Rejection != nil {
		it.RejectionCode, it.RejectionMessage = c.Rejection.Code, c.Rejection.Message
	}
	it.TTL = max(c.TTL, 0)
}

// deleteCounted deletes a record and decrements the counters it is counted
// in, in one transaction. Whether it is in the completed count shows in its
// cpk attribute, so each try is conditional on that; a failed pair of tries
// means the record is gone, or changed between them (then try again).
func (s *Store) deleteCounted(ctx context.Context, projectID, id string) error {
	pk := projectPK(projectID)
	for range 3 {
		for _, cataloged := range []bool{true, false} {
			del := s.table.Delete("pk", pk).Range("sk", fileSK(id))
			count := s.table.Update("pk", pk).Range("sk", counterSK).Add("files", -1)
			if cataloged {
				del.If("attribute_exists($)", "cpk")
				count.Add("completed", -1)
			} else {
				del.If("attribute_exists($) AND attribute_not_exists($)", "pk", "cpk")
			}
			err := classify(s.db.WriteTx().Delete(del).Update(count).Run(ctx))
			if !errors.Is(err, files.ErrConditionFailed) {
				return err
			}
		}
		if _, err := s.Get(ctx, projectID, id); err != nil {
			return err // ErrNotFound: nothing to delete
		}
	}
	return files.Unavailable("storage", errors.New("delete kept racing concurrent transitions"))
}
