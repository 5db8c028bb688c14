package localstack

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files/upload"
)

// scheduledEvent is what EventBridge hands the reconcile function on its
// schedule for Converge; orphanWalk is the orphan walk's schedule input.
var (
	scheduledEvent = events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events", Detail: []byte("{}")}
	orphanWalk     = events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events", Detail: []byte(`{"job":"orphans"}`)}
	// allPending is Converge over every PENDING file, due or not.
	allPending = events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events", Detail: []byte(`{"all":true}`)}
)

// RestartMinIO starts MinIO again on its port and data (fault tests kill it
// first) and runs the same reconcile pass as Start. MinIO then runs until ctx
// is done or the stack stops.
func (s *Stack) RestartMinIO(ctx context.Context) (upload.ReconcileReport, error) {
	if err := s.MinIO.Restart(ctx); err != nil {
		return upload.ReconcileReport{}, err
	}
	return s.reconcileAfterMinIOStart(ctx)
}

// reconcileAfterMinIOStart settles what got no S3 event: uploads that landed
// while MinIO was booting (its S3 API answers before it has loaded the
// bucket's notification rules) and, after a crash, uploads whose event had
// not reached the queue directory yet. Without this pass they would wait for
// the end of their upload session and the scheduled reconcile after it.
func (s *Stack) reconcileAfterMinIOStart(ctx context.Context) (upload.ReconcileReport, error) {
	rep, err := s.ReconcileAll(ctx)
	if err != nil {
		return rep, fmt.Errorf("reconcile after MinIO start: %w", err)
	}
	s.log.Info("reconciled after MinIO start", "due", rep.Due, "settled", rep.Settled, "expired", rep.Expired, "scanned", rep.Scanned, "deleted", rep.Deleted)
	return rep, nil
}

// ReconcileAll runs the reconcile function's jobs to the end: Converge over
// every PENDING file, due or not (those whose bytes are stored settle), and
// the orphan walk until it has looked at every object under uploads/ once.
// A walk run resumes where the last one stopped and looks at
// RECONCILE_BATCH objects, so this takes as many runs as the bucket needs,
// wrapping round to the start when the cursor was mid-way. A run that finds
// another holding its job's lease (the scheduled one) waits for it.
func (s *Stack) ReconcileAll(ctx context.Context) (upload.ReconcileReport, error) {
	total, err := s.reconcileRun(ctx, allPending)
	if err != nil {
		return total, err
	}
	n, err := countObjects(ctx, s.S3Client(), BucketName, "uploads/")
	if err != nil {
		return total, err
	}
	walked := false
	// Every run but a finishing one looks at one object at least.
	for runs := 0; runs <= n+1; runs++ {
		rep, err := s.reconcileRun(ctx, orphanWalk)
		total.Scanned += rep.Scanned
		total.Deleted += rep.Deleted
		total.ScansDue += rep.ScansDue
		total.ScansSettled += rep.ScansSettled
		if err != nil {
			return total, err
		}
		walked = walked || rep.Done // reached the end once
		if walked && total.Scanned >= n {
			return total, nil
		}
	}
	return total, fmt.Errorf("reconcile looked at %d objects in %d runs, short of the bucket's %d", total.Scanned, n+2, n)
}

// reconcileRun invokes the reconcile function as its schedule does, with
// the template's timeout as its deadline, waiting for a run of the same job
// that holds its lease.
func (s *Stack) reconcileRun(ctx context.Context, ev events.EventBridgeEvent) (upload.ReconcileReport, error) {
	for {
		run, cancel := context.WithTimeout(ctx, s.reconcileTimeout)
		rep, err := s.Reconcile(run, ev)
		cancel()
		if err != nil || !rep.Busy {
			return rep, err
		}
		select {
		case <-ctx.Done():
			return rep, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// breakStaleLeases frees the leases a killed run left in the stack's data:
// this process has just started DynamoDB Local, so no run can be live (on
// AWS a lease expires at the killed run's deadline).
func (s *Stack) breakStaleLeases(ctx context.Context) error {
	store := dynamostore.New(dynamo.NewFromIface(s.DynamoClient()), TableName)
	for _, job := range []string{upload.ReconcileJob, upload.OrphanJob} {
		if err := store.BreakLease(ctx, job); err != nil {
			return err
		}
	}
	return nil
}

func countObjects(ctx context.Context, c *s3.Client, bucket, prefix string) (int, error) {
	n := 0
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("list %s/%s: %w", bucket, prefix, err)
		}
		n += len(page.Contents)
	}
	return n, nil
}
