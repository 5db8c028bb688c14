// Package s3wiring is the composition root of the functions that use object
// storage: wiring's environment plus the S3 adapter. Only their mains
// import it, so only they link the S3 client.
package s3wiring

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/shared/emf"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/s3events"
	"github.com/filegate/filegate/shared/s3storage"
	"github.com/filegate/filegate/shared/streamevents"
	"github.com/filegate/filegate/shared/wiring"
)

// Storage is the uploads bucket, at the endpoint the environment names.
func Storage(e *wiring.Env) *s3storage.Storage {
	return s3storage.New(e.AWS, e.Config.BucketName, func(o *s3.Options) {
		o.BaseEndpoint = e.Endpoint("S3")
		o.UsePathStyle = e.Config.S3PathStyle
	})
}

// Files is the file service over records and objects.
func Files(e *wiring.Env) *files.Service {
	svc := files.NewService(wiring.Store(e), Storage(e), e.Config.Files, nil, e.Log)
	svc.ReportTo(emf.New(e.Out))
	return svc
}

// S3Lambda is process-upload's handler signature.
type S3Lambda = func(context.Context, events.S3Event) error

// ProcessUpload is the S3 ObjectCreated handler.
func ProcessUpload(e *wiring.Env) S3Lambda {
	return (&s3events.Processor{Files: Files(e), Bucket: e.Config.BucketName, Log: e.Log}).Handle
}

// CleanupLambda is the stream cleanup's handler signature.
type CleanupLambda = func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// Cleanup is the handler for the table's stream: TTL removals delete their
// objects.
func Cleanup(e *wiring.Env) CleanupLambda {
	return (&streamevents.Cleanup{Files: Files(e), Log: e.Log}).Handle
}

// ReconcileLambda is the scheduled reconcile's handler signature.
type ReconcileLambda = func(context.Context, events.EventBridgeEvent) (files.ReconcileReport, error)

// Reconcile is the scheduled reconcile: bounded work per run
// (RECONCILE_BATCH objects), orphans deleted after ORPHAN_GRACE_SECONDS.
func Reconcile(e *wiring.Env) ReconcileLambda {
	svc, log := Files(e), e.Log
	batch, grace := e.Config.ReconcileBatch, e.Config.OrphanGrace
	return func(ctx context.Context, _ events.EventBridgeEvent) (files.ReconcileReport, error) {
		rep, err := svc.Reconcile(ctx, batch, grace)
		log.InfoContext(ctx, "reconcile run", "scanned", rep.Scanned, "settled", rep.Settled, "deleted", rep.Deleted, "done", rep.Done, "busy", rep.Busy, "err", err)
		return rep, err
	}
}
