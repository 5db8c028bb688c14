// Package uploadwiring is the composition root of the functions that open
// or settle uploads: s3wiring's, plus files/upload, which links the MIME
// sniffer. Only their mains import it.
package uploadwiring

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/files/upload"
	"github.com/filegate/filegate/shared/s3events"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// Sessions opens upload sessions.
func Sessions(e *wiring.Env) *upload.Sessions {
	return upload.NewSessions(wiring.Store(e), s3wiring.Storage(e), wiring.Options(e))
}

// Settlement validates uploads and settles their files.
func Settlement(e *wiring.Env) *upload.Settlement {
	return upload.NewSettlement(wiring.Store(e), s3wiring.Storage(e), wiring.Options(e))
}

// Direct stores and settles the compat API's direct uploads, through one
// client of each store.
func Direct(e *wiring.Env) *upload.Direct {
	store, objects, o := wiring.Store(e), s3wiring.Storage(e), wiring.Options(e)
	return upload.NewDirect(store, objects, upload.NewSettlement(store, objects, o), o)
}

// Reconciler is the scheduled pass over the bucket and over the sessions
// whose window ended, through one client of each store.
func Reconciler(e *wiring.Env) *upload.Reconciler {
	store, objects, o := wiring.Store(e), s3wiring.Storage(e), wiring.Options(e)
	return upload.NewReconciler(objects, store, upload.NewSettlement(store, objects, o), o).Expiring(store)
}

// S3Lambda is process-upload's handler signature.
type S3Lambda = func(context.Context, events.S3Event) error

// ProcessUpload is the S3 ObjectCreated handler.
func ProcessUpload(e *wiring.Env) S3Lambda {
	return (&s3events.Processor{Settlement: Settlement(e), Bucket: e.Config.BucketName, Log: e.Log}).Handle
}

// ReconcileLambda is the scheduled reconcile's handler signature.
type ReconcileLambda = func(context.Context, events.EventBridgeEvent) (upload.ReconcileReport, error)

// Reconcile is the scheduled reconcile: bounded work per run
// (RECONCILE_BATCH objects), orphans deleted after ORPHAN_GRACE_SECONDS.
func Reconcile(e *wiring.Env) ReconcileLambda {
	reconciler, log := Reconciler(e), e.Log
	batch, grace := e.Config.ReconcileBatch, e.Config.OrphanGrace
	return func(ctx context.Context, _ events.EventBridgeEvent) (upload.ReconcileReport, error) {
		rep, err := reconciler.Run(ctx, batch, grace)
		log.InfoContext(ctx, "reconcile run", "scanned", rep.Scanned, "settled", rep.Settled, "deleted", rep.Deleted, "aborted", rep.Aborted, "expired", rep.Expired, "done", rep.Done, "busy", rep.Busy, "err", err)
		return rep, err
	}
}
