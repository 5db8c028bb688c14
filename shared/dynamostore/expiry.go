package dynamostore

import (
	"context"
	"strings"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files/upload"
)

// Upload sessions waiting to expire: a PENDING record also carries
//
//	npk=X#<nn> nat=<uploadExpiresAt, epoch ms>    nn = a shard of the file id
//
// which puts it in the sparse ByNextAttempt index, the one webhook retries
// use (N#<nn> keys): CloudFormation adds one index to a table per update,
// and one "what is due when" index serves both. Create writes the pair,
// any transition out of PENDING removes it in the same UpdateItem, so the
// index holds only open sessions and the reconcile pass that stores
// EXPIRED (upload.Reconciler) reads those whose window has passed, never
// the table. Sharded like the retries' keys, for the same reason: a burst
// of uploads (each one index write) stays below a key's ~1,000 writes a
// second times expiryShards. Records created before this layout have no
// entry and expire only on read, as before.
const expiryShards = 16

func expiryPK(fileID string) string {
	n := shardOf(fileID, expiryShards)
	return "X#" + string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// ExpiredSessions lists the PENDING records whose upload window ended by
// before, at most max, oldest first within each shard. The index is
// eventually consistent: a record may have settled since; the caller's
// write is conditional on PENDING.
func (s *Store) ExpiredSessions(ctx context.Context, before time.Time, max int) ([]upload.SessionRef, error) {
	var out []upload.SessionRef
	for shard := range uint32(expiryShards) {
		if len(out) >= max {
			break
		}
		pk := "X#" + string(rune('0'+shard/10)) + string(rune('0'+shard%10))
		var rows []dynamo.Item
		q := s.table.Get("npk", pk).Index(IndexNextAttempt).Range("nat", dynamo.LessOrEqual, before.UnixMilli()).Limit(max - len(out))
		if err := q.All(ctx, &rows); err != nil {
			return out, classify(err)
		}
		for _, r := range rows {
			project, ok1 := strings.CutPrefix(str(r["pk"]), "P#")
			id, ok2 := strings.CutPrefix(str(r["sk"]), "F#")
			if ok1 && ok2 {
				out = append(out, upload.SessionRef{ProjectID: project, ID: id})
			}
		}
	}
	return out, nil
}
