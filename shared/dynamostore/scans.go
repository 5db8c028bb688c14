package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

// The files waiting for a malware scan's verdict are found through a sparse
// index, ByScanDue: its key attributes exist only while a file is SCANNING,
// so it holds those files and nothing else, ordered by when reconcile is to
// look at each again. Its partition key is sharded (scanShards), so entering
// and leaving the index spreads over partitions whatever the upload rate:
// no item, and no index partition, is shared by every upload.

// IndexScanDue is the sparse GSI of SCANNING files by due time.
const IndexScanDue = "ByScanDue"

// scanShards spreads the index over this many partition keys; reading every
// due file queries each once.
const scanShards = 8

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

// scanShard is the index partition of file id.
func scanShard(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("SCAN#%d", h.Sum32()%scanShards)
}

// dueScans keeps update u's file in the index while (and only while) it is
// SCANNING, at its scan's due time.
func dueScans(u *dynamo.Update, f *files.File, from files.Status, c files.Change) {
	switch {
	case c.To == files.StatusScanning && c.Scan != nil:
		u.Set("spk", scanShard(f.ID)).Set("sdue", c.Scan.Due.UnixMilli())
	case from == files.StatusScanning && c.To != files.StatusScanning:
		u.Remove("spk", "sdue")
	}
}

// DueScans returns up to max files whose scan is due at now (their next
// look has come), most overdue first within each shard. Cost follows the
// waiting files, never the table: each shard is one Query of the sparse
// index, then one strongly consistent read per file.
func (s *Store) DueScans(ctx context.Context, now time.Time, max int) ([]*files.File, error) {
	var out []*files.File
	for shard := range scanShards {
		if len(out) >= max {
			break
		}
		var keys []struct {
			PK string `dynamo:"pk"`
			SK string `dynamo:"sk"`
		}
		err := s.table.Get("spk", fmt.Sprintf("SCAN#%d", shard)).Index(IndexScanDue).
			Range("sdue", dynamo.LessOrEqual, now.UnixMilli()).Limit(max-len(out)).All(ctx, &keys)
		if err != nil {
			return out, classify(err)
		}
		for _, k := range keys {
			var it fileItem
			err := s.table.Get("pk", k.PK).Range("sk", dynamo.Equal, k.SK).Consistent(true).One(ctx, &it)
			if err != nil {
				if err = classify(err); errors.Is(err, files.ErrNotFound) {
					continue // deleted since the index saw it
				}
				return out, err
			}
			out = append(out, it.toFile())
		}
	}
	return out, nil
}
