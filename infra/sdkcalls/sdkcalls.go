// Package sdkcalls counts the calls an AWS SDK client makes, by service and
// operation ("S3.ListObjectsV2"): the bench's reconcile section and the
// end-to-end tests that check which calls a job makes (none a bucket
// listing) read them alike.
package sdkcalls

import (
	"context"
	"maps"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Counter counts calls, each once whatever its retries (it sits in the
// Initialize step, above the retry loop). Its zero value is ready.
type Counter struct {
	mu    sync.Mutex
	calls map[string]int
}

// Add installs the counter on every call of a client: it goes in
// aws.Config.APIOptions.
func (c *Counter) Add(s *middleware.Stack) error {
	return s.Initialize.Add(middleware.InitializeMiddlewareFunc("SDKCallCounter", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		c.mu.Lock()
		if c.calls == nil {
			c.calls = map[string]int{}
		}
		c.calls[awsmiddleware.GetServiceID(ctx)+"."+awsmiddleware.GetOperationName(ctx)]++
		c.mu.Unlock()
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

// Snapshot is the counts so far, by "Service.Operation".
func (c *Counter) Snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

// Reset clears the counts.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = nil
}
