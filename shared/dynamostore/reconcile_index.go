package dynamostore

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

// Reconcile's index: a sparse GSI (template.yaml, FilesTable) holding the
// files reconcile must look at, keyed rpk (a shard) and rat (when, epoch
// milliseconds). Only records with a files.File.ReconcileAt carry the two
// attributes: PENDING files, multipart files that just left PENDING, and
// SCANNING files at their scan's next look (Config.ReconcileAt; they have
// no index of their own, as a stack update can add only one to the table:
// scans.go). Reconcile reads the entries due (rat <= now) of
// every shard, so its cost follows the uploads in flight, never the
// bucket's size or the table's.
//
// Real DynamoDB, which DynamoDB Local does not show:
//   - Every create and every settle writes the index. A GSI partition takes
//     about 1,000 write units a second, like a table's, and a throttled GSI
//     throttles the table's writes; one partition key for every pending
//     file of the table would cap all uploads at some 500 a second. The key
//     is spread over reconcileShards shards by a hash of the file id: about
//     reconcileShards * 500 uploads a second table-wide (16,000), past the
//     per-project ceiling of §2a many times over.
//   - A GSI is eventually consistent: an entry may lag its record by a
//     second or so (a settled file still listed, a new one not yet).
//     Reconcile reads each record it is handed with a consistent GetItem and
//     trusts only the record; and nothing is due within a second of being
//     written (a session lasts minutes).
const (
	IndexReconcile = "ByReconcileAt"
	// reconcileShards is the number of index partitions. Raise it only
	// with a migration: entries of shards past a lowered count are never read.
	reconcileShards = 32
	// reconcilePage bounds one Query of the index; its entries are keys
	// only (some 100 bytes), far below a page's 1 MB.
	reconcilePage = 500
)

// reconcileAttrs are the index's key attributes.
var reconcileAttrs = []string{"rpk", "rat"}

// reconcilePK is the index shard of file id.
func reconcilePK(id files.FileID) string {
	return fmt.Sprintf("R#%02d", shardOf(id.String(), reconcileShards))
}

// reconcileIndex sets u's index attributes to at, or removes them when at
// is zero.
func reconcileIndex(u *dynamo.Update, f *files.File, at time.Time) {
	if at.IsZero() {
		u.Remove(reconcileAttrs...)
		return
	}
	u.Set("rpk", reconcilePK(f.ID)).Set("rat", at.UnixMilli())
}

// Due lists the files reconcile must look at by before: every shard's
// entries with rat <= before, oldest first within a shard, a page (one
// Query) at a time as the caller ranges over them. It stops at the first
// error it yields.
func (s *Store) Due(ctx context.Context, before time.Time) iter.Seq2[files.FileKey, error] {
	return func(yield func(files.FileKey, error) bool) {
		for r, err := range dueEntries(ctx, s.table, "R#", reconcileShards, reconcilePage, before) {
			if err != nil {
				yield(files.FileKey{}, err)
				return
			}
			projectID, okP := strings.CutPrefix(str(r["pk"]), "P#")
			stored, okF := strings.CutPrefix(str(r["sk"]), "F#")
			id, okID := files.StoredFileID(stored)
			if okP && okF && !okID {
				yield(files.FileKey{}, fmt.Errorf("dynamostore: reconcile's index names the unreadable file id %q", stored))
				return
			}
			if okP && okF && !yield(files.FileKey{ProjectID: projectID, ID: id}, nil) {
				return
			}
		}
	}
}

// dueEntries ranges over the index entries due by before (rat <= before)
// in the shards prefix00 to prefix<shards-1>, oldest first within a shard,
// one Query of at most page entries at a time as the caller ranges. Each
// work list sharing the index reads only its own prefix. It stops at the
// first error it yields.
func dueEntries(ctx context.Context, table dynamo.Table, prefix string, shards uint32, page int, before time.Time) iter.Seq2[dynamo.Item, error] {
	return func(yield func(dynamo.Item, error) bool) {
		for shard := range shards {
			var start dynamo.PagingKey
			for {
				q := table.Get("rpk", fmt.Sprintf("%s%02d", prefix, shard)).Index(IndexReconcile).
					Range("rat", dynamo.LessOrEqual, before.UnixMilli()).SearchLimit(page)
				if start != nil {
					q.StartFrom(start)
				}
				var rows []dynamo.Item
				lek, err := q.AllWithLastEvaluatedKey(ctx, &rows)
				if err != nil {
					yield(nil, classify(err))
					return
				}
				for _, r := range rows {
					if !yield(r, nil) {
						return
					}
				}
				if lek == nil {
					break
				}
				start = lek
			}
		}
	}
}

// Expire stores EXPIRED for f, a PENDING file whose upload session has
// ended by at: one conditional UpdateItem, on status PENDING and
// assemblingSince as f has it (a complete that began assembling meanwhile
// wins). uploadExpiresAt never changes once written, so checking it on f
// is checking it on the record. The file is next due at reconcileAt (zero:
// it leaves reconcile's index); its TTL stays (the expired session's grace).
func (s *Store) Expire(ctx context.Context, f *files.File, at, reconcileAt time.Time) (*files.File, error) {
	if at.Before(f.UploadExpiresAt) {
		return nil, files.ErrConditionFailed
	}
	u := s.table.Update("pk", projectPK(f.ProjectID)).Range("sk", fileSK(f.ID)).
		Set("status", string(files.StatusExpired)).Set("updatedAt", at).
		If("$ = ?", "status", string(files.StatusPending))
	reconcileIndex(u, f, reconcileAt)
	if f.AssemblingSince == nil {
		u.If("attribute_not_exists($)", "assemblingSince")
	} else {
		u.If("$ = ?", "assemblingSince", f.AssemblingSince.UnixMilli())
	}
	var it fileItem
	if err := u.Value(ctx, &it); err != nil {
		return nil, classify(err)
	}
	return it.toFile()
}

// Reconciled takes f out of reconcile's index once reconcile has done what
// it was there for, unless its status changed since f was read.
func (s *Store) Reconciled(ctx context.Context, f *files.File) error {
	return classify(s.table.Update("pk", projectPK(f.ProjectID)).Range("sk", fileSK(f.ID)).
		Remove(reconcileAttrs...).If("$ = ?", "status", string(f.Status)).Run(ctx))
}
