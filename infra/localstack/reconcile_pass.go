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

// scheduledEvent is what EventBridge hands the reconcile function.
var scheduledEvent = events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events"}

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
// the scheduled reconcile (every 5 minutes).
func (s *Stack) reconcileAfterMinIOStart(ctx context.Context) (upload.ReconcileReport, error) {
	rep, err := s.ReconcileAll(ctx)
	if err != nil {
		return rep, fmt.Errorf("reconcile after MinIO start: %w", err)
	}
	s.log.Info("reconciled after MinIO start", "scanned", rep.Scanned, "settled", rep.Settled, "deleted", rep.Deleted)
	return rep, nil
}

// ReconcileAll runs the reconcile function until it has looked at every
// object under uploads/ once. A run resumes where the last one stopped and
// looks at RECONCILE_BATCH objects, so this takes as many runs as the bucket
// needs, wrapping round to the start when the cursor was mid-way. A run that
// finds another holding the job's lease (the scheduled one) waits for it.
func (s *Stack) ReconcileAll(ctx context.Context) (upload.ReconcileReport, error) {
	var total upload.ReconcileReport
	n, err := countObjects(ctx, s.S3Client(), BucketName, "uploads/")
	if err != nil {
		return total, err
	}
	// Every run but a finishing one looks at one object at least.
	for runs := 0; runs <= n+1; runs++ {
		rep, err := s.reconcileRun(ctx)
		if err == nil && rep.Busy {
			runs--
			select {
			case <-ctx.Done():
				return total, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		total.Scanned += rep.Scanned
		total.Settled += rep.Settled
		total.Deleted += rep.Deleted
		total.ScansDue += rep.ScansDue
		total.ScansSettled += rep.ScansSettled
		if err != nil {
			return total, err
		}
		total.Done = total.Done || rep.Done // reached the end once
		if total.Done && total.Scanned >= n {
			return total, nil
		}
	}
	return total, fmt.Errorf("reconcile looked at %d objects in %d runs, short of the bucket's %d", total.Scanned, n+2, n)
}

// reconcileRun invokes the reconcile function as its schedule does, with the
// template's timeout as its deadline.
func (s *Stack) reconcileRun(ctx context.Context) (upload.ReconcileReport, error) {
	ctx, cancel := context.WithTimeout(ctx, s.reconcileTimeout)
	defer cancel()
	return s.Reconcile(ctx, scheduledEvent)
}

// breakStaleLease frees a lease a killed run left in the stack's data: this
// process has just started DynamoDB Local, so no run can be live (on AWS the
// lease expires at the killed run's deadline).
func (s *Stack) breakStaleLease(ctx context.Context) error {
	return dynamostore.New(dynamo.NewFromIface(s.DynamoClient()), TableName).BreakLease(ctx, upload.ReconcileJob)
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
