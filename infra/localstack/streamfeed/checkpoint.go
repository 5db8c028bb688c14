package streamfeed

import (
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
)

// readCheckpoint is a feed's saved position: shard → the sequence number
// of its last delivered record (none: the stream's start).
func readCheckpoint(path string, log *slog.Logger) map[string]string {
	if path == "" {
		return nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var cp map[string]string
	if err == nil {
		err = json.Unmarshal(raw, &cp)
	}
	if err != nil {
		log.Warn("stream feed: unreadable checkpoint; reading the stream from its start", "path", path, "err", err)
		return nil
	}
	return cp
}

// saveCheckpoint writes every shard's last delivered record, replacing
// the file whole (a crash leaves the old position or the new one: records
// after it are delivered again, at least once, as Lambda does).
func (f *StreamFeed) saveCheckpoint() {
	if f.Checkpoint == "" {
		return
	}
	cp := map[string]string{}
	for id, r := range f.shards {
		if r.delivered != "" {
			cp[id] = r.delivered
		}
	}
	raw, _ := json.Marshal(cp)
	tmp := f.Checkpoint + ".tmp"
	err := os.MkdirAll(filepath.Dir(f.Checkpoint), 0o700)
	if err == nil {
		err = os.WriteFile(tmp, raw, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, f.Checkpoint)
	}
	if err != nil {
		f.Log.Warn("stream feed: saving the checkpoint failed", "path", f.Checkpoint, "err", err)
	}
}
