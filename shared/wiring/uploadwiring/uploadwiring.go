// Package uploadwiring is the composition root of the functions that open
// or settle uploads: s3wiring's, plus files/upload, which links the MIME
// sniffer. Only their mains import it.
package uploadwiring

import (
	"context"
	"encoding/json"
	"fmt"

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

// Reconciler is the scheduled passes, through one client of each store.
func Reconciler(e *wiring.Env) *upload.Reconciler {
	store, objects, o := wiring.Store(e), s3wiring.Storage(e), wiring.Options(e)
	return upload.NewReconciler(store, objects, upload.NewSettlement(store, objects, o), o)
}

// S3Lambda is process-upload's handler signature.
type S3Lambda = func(context.Context, events.S3Event) error

// ProcessUpload is the S3 ObjectCreated handler.
func ProcessUpload(e *wiring.Env) S3Lambda {
	return (&s3events.Processor{Settlement: Settlement(e), Bucket: e.Config.BucketName, Log: e.Log}).Handle
}

// ReconcileLambda is the scheduled reconcile's handler signature.
type ReconcileLambda = func(context.Context, events.EventBridgeEvent) (upload.ReconcileReport, error)

// ReconcileRequest is a reconcile event's detail: which job to run. The
// template's schedules send {} (Converge, every 5 minutes) and
// {"job":"orphans"} (SweepOrphans); an operator may invoke the function
// with {"all":true} to look at every PENDING file at once (after an outage
// of the S3 events, say).
type ReconcileRequest struct {
	Job string `json:"job"`
	All bool   `json:"all"`
}

// Reconcile is the scheduled reconcile: Converge from the records, or the
// orphan walk (bounded to RECONCILE_BATCH objects a run, orphans deleted
// after ORPHAN_GRACE_SECONDS).
func Reconcile(e *wiring.Env) ReconcileLambda {
	reconciler, log := Reconciler(e), e.Log
	batch, grace := e.Config.ReconcileBatch, e.Config.OrphanGrace
	return func(ctx context.Context, ev events.EventBridgeEvent) (upload.ReconcileReport, error) {
		var req ReconcileRequest
		if len(ev.Detail) > 0 {
			if err := json.Unmarshal(ev.Detail, &req); err != nil {
				return upload.ReconcileReport{}, fmt.Errorf("reconcile event detail: %w", err)
			}
		}
		var rep upload.ReconcileReport
		var err error
		switch req.Job {
		case "", upload.ReconcileJob:
			rep, err = reconciler.Converge(ctx, req.All)
		case upload.OrphanJob:
			rep, err = reconciler.SweepOrphans(ctx, batch, grace)
		default:
			return rep, fmt.Errorf("reconcile event detail: unknown job %q (want %q or %q)", req.Job, upload.ReconcileJob, upload.OrphanJob)
		}
		log.InfoContext(ctx, "reconcile run", "job", req.Job, "all", req.All, "due", rep.Due, "settled", rep.Settled, "expired", rep.Expired,
			"assembled", rep.Assembled, "aborted", rep.Aborted, "scanned", rep.Scanned, "deleted", rep.Deleted, "done", rep.Done, "busy", rep.Busy, "err", err)
		return rep, err
	}
}
