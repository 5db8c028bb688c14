// Package cleanup is cleanup, which consumes the files table's stream: when
// DynamoDB TTL removes a record, it deletes the file's object, so expiry
// leaves no orphans. Its main (functions/cleanup) and the local stack both
// start what New returns, so the handler is named once.
package cleanup

import (
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// New is cleanup's handler over env.
func New(env *wiring.Env) s3wiring.CleanupLambda {
	return s3wiring.Cleanup(env)
}
