package files

import "context"

// A project's counts (its files, COMPLETED files, what its quota holds, and
// the position counts a deep native list starts from) follow the table's
// stream, not the requests: the counter consumer turns each change to a file
// record into a CountChange and hands a shard's changes to a CountApplier.

// CountChange is what one stream record changes in its project's counts.
type CountChange struct {
	Seq       string // the record's sequence number in its shard
	ID        FileID // the file's id: its time places it in the position counts
	Files     int    // +1 a file record appeared, -1 one was removed
	Completed int    // +1 a file entered COMPLETED, -1 one left it
	// Held and Bytes move with the files a project holds (PENDING or
	// COMPLETED) and their declared sizes: what its quota counts.
	Held  int
	Bytes int64
}

// CountApplier adds a shard's stream changes to one project's counts, once
// however often they are delivered.
type CountApplier interface {
	ApplyCounts(ctx context.Context, projectID, shard string, changes []CountChange) error
}
