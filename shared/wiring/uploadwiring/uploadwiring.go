// Package uploadwiring is the composition root of the functions that open
// or settle uploads: s3wiring's, plus files/upload, which links the MIME
// sniffer. Only their mains import it.
package uploadwiring

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/files/upload"
	"github.com/filegate/filegate/shared/guardduty"
	"github.com/filegate/filegate/shared/s3events"
	"github.com/filegate/filegate/shared/s3storage"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
)

// Sessions opens upload sessions, within their projects' quotas.
func Sessions(e *wiring.Env) *upload.Sessions {
	return upload.NewSessions(wiring.Store(e), s3wiring.Storage(e), wiring.Options(e)).WithQuotas(wiring.Quotas(e))
}

// Settlement validates uploads and settles their files (complete): with
// scanning on, a valid file goes to SCANNING, and the functions that scan
// (ScanningSettlement) give it its verdict.
func Settlement(e *wiring.Env) *upload.Settlement {
	return upload.NewSettlement(wiring.Store(e), storage(e), wiring.Options(e))
}

// ScanningSettlement is Settlement that also scans, in the deployment's
// mode: process-upload, reconcile, the compat upload and GuardDuty's
// results settle files with it.
func ScanningSettlement(e *wiring.Env) *upload.Settlement {
	store, objects := wiring.Store(e), storage(e)
	return upload.NewScanningSettlement(store, objects, scanner(e, objects), wiring.Options(e))
}

// storage is the bucket as validation reads it: in guardduty mode, the tag
// GuardDuty writes (perhaps before validation reads the object) is not
// counted as metadata the upload brought.
func storage(e *wiring.Env) *s3storage.Storage {
	st := s3wiring.Storage(e)
	if e.Config.Files.Scan.Mode == files.ScanGuardDuty {
		st.IgnoreScannerTags(guardduty.TagKey)
	}
	return st
}

// scanner asks for verdicts in the deployment's mode: clamd, streamed the
// object; GuardDuty's tag; none when scanning is off.
func scanner(e *wiring.Env, objects *s3storage.Storage) upload.Scanner {
	switch e.Config.Files.Scan.Mode {
	case files.ScanClamAV:
		return upload.Streamed(objects, e.Config.Clamd)
	case files.ScanGuardDuty:
		return guardduty.Tags{Objects: objects}
	}
	return nil
}

// Direct stores and settles the compat API's direct uploads, through one
// client of each store.
func Direct(e *wiring.Env) *upload.Direct {
	store, objects, o := wiring.Store(e), storage(e), wiring.Options(e)
	return upload.NewDirect(store, objects, upload.NewScanningSettlement(store, objects, scanner(e, objects), o), o).WithQuotas(wiring.Quotas(e))
}

// Reconciler is the scheduled passes (which also ask again for the malware
// verdict on files whose scan is due), through one client of each store.
func Reconciler(e *wiring.Env) *upload.Reconciler {
	store, objects, o := wiring.Store(e), storage(e), wiring.Options(e)
	return upload.NewReconciler(store, objects, upload.NewScanningSettlement(store, objects, scanner(e, objects), o), o)
}

// S3Lambda is process-upload's handler signature.
type S3Lambda = func(context.Context, events.S3Event) error

// ProcessUpload is the S3 ObjectCreated handler.
func ProcessUpload(e *wiring.Env) S3Lambda {
	return (&s3events.Processor{Settlement: ScanningSettlement(e), Bucket: e.Config.BucketName, Log: e.Log}).Handle
}

// ScanResultLambda is scan-result's handler signature.
type ScanResultLambda = func(context.Context, events.EventBridgeEvent) error

// ScanResult settles files with GuardDuty's scan results (the default
// bus's events a rule routes here).
func ScanResult(e *wiring.Env) ScanResultLambda {
	return (&guardduty.Results{Settlement: ScanningSettlement(e), Bucket: e.Config.BucketName, Log: e.Log}).Handle
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
			"assembled", rep.Assembled, "aborted", rep.Aborted, "scansDue", rep.ScansDue, "scansSettled", rep.ScansSettled, "scanned", rep.Scanned, "deleted", rep.Deleted, "done", rep.Done, "busy", rep.Busy, "err", err)
		return rep, err
	}
}
