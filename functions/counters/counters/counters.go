// Package counters is counters, which consumes the files table's stream: every
// change to a file record moves its project's counts (totalCount, total_size),
// off the request path. Its main (functions/counters) and the local stack both
// start what New returns, so the handler is named once.
package counters

import (
	"github.com/filegate/filegate/shared/wiring"
)

// New is counters's handler over env.
func New(env *wiring.Env) wiring.CountersLambda {
	return wiring.Counters(env)
}
