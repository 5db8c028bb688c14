package e2e

import (
	"net/http"
	"time"
)

// The project counts (native totalCount, compat total_size) are eventually
// consistent: the counter consumer moves them from the table's stream, which
// the local stack reads 4 times a second. Tests wait for them to converge,
// within counterLag, instead of reading them right after a write.
const counterLag = 15 * time.Second

// waitCounts waits until the native totalCount is files and the compat
// total_size is completed; it fails the test with the last values seen.
func (c *tenant) waitCounts(files, completed int) {
	c.T.Helper()
	c.waitCountsWithin(counterLag, files, completed)
}

// waitCountsWithin is waitCounts with its own bound (a large seeding's
// stream backlog takes longer than counterLag to drain).
func (c *tenant) waitCountsWithin(counterLag time.Duration, files, completed int) {
	c.T.Helper()
	var native struct{ TotalCount int }
	var compat struct {
		TotalSize int `json:"total_size"`
	}
	deadline := time.Now().Add(counterLag)
	for {
		stN := c.Call("GET", "/v1/files?limit=1", nil, &native)
		stC := c.Call("GET", "/api/v1/beta/files?page_size=1", nil, &compat)
		if stN == http.StatusOK && stC == http.StatusOK && native.TotalCount == files && compat.TotalSize == completed {
			return
		}
		if time.Now().After(deadline) {
			c.T.Fatalf("counts did not converge within %s: totalCount %d (status %d), total_size %d (status %d); want %d and %d",
				counterLag, native.TotalCount, stN, compat.TotalSize, stC, files, completed)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
