// Package reconcile is reconcile, which runs on a schedule: it settles uploads
// whose S3 event was lost and deletes objects that have no record. Its main
// (functions/reconcile) and the local stack both start what New returns, so
// the handler is named once.
package reconcile

import (
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// New is reconcile's handler over env.
func New(env *wiring.Env) uploadwiring.ReconcileLambda {
	return uploadwiring.Reconcile(env)
}
