package files

import "time"

// Operation is a create made under an Idempotency-Key, as the idempotency
// layer names it. Every attempt of one request under one key carries the
// same Operation, so all of them address one file (KeyedID) and a retry
// finds whatever an earlier attempt left behind: nothing, a PENDING record,
// its bytes, or the finished file.
type Operation struct {
	// Seed names the operation: project, route, key and request
	// fingerprint. It is hashed into the file's id, never stored.
	Seed string
	// At is the key's first attempt of this request: the id's time and the
	// file's createdAt, so that listings (ordered by id) stay in creation order.
	At time.Time
	// Replay marks a create whose answer was stored: its file is looked up,
	// never written again, so a file deleted since stays deleted. Only Create
	// reads it (the compat upload's answer is replayed as stored).
	Replay bool
}
