package guardduty

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/files/upload"
)

// Results is the scan-result Lambda's handler: GuardDuty's result events,
// routed from the default bus by the template's rule, settle files.
type Results struct {
	Settlement *upload.Settlement
	// Bucket is the uploads bucket: results for any other are ignored, so
	// no other bucket's object can settle a file whose key it shares.
	Bucket string
	Log    *slog.Logger
}

// Handle settles the file the result names. Only faults are returned, so
// EventBridge's retries redeliver those and nothing else; a result that is
// no verdict (FAILED, ACCESS_DENIED) leaves the file waiting, logged as an
// error for the operator (the plan's role, or GuardDuty itself, needs
// attention), and reconcile reads the object's tag again later.
func (r *Results) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	res, err := Decode(ev)
	if err != nil {
		r.Log.WarnContext(ctx, "ignoring an event that is no GuardDuty scan result", "err", err)
		return nil
	}
	log := r.Log.With("bucket", res.Bucket, "key", res.Key, "status", res.Status)
	if res.Bucket != r.Bucket {
		log.WarnContext(ctx, "ignoring a scan result for another bucket")
		return nil
	}
	verdict, ok := Verdict(res.Status, res.Threats)
	if !ok {
		log.ErrorContext(ctx, "GuardDuty could not scan the object: its file waits for a verdict")
		return nil
	}
	out, err := r.Settlement.Scanned(ctx, res.Key, verdict)
	log.InfoContext(ctx, "scan result", "verdict", verdict.Verdict, "outcome", out, "err", err)
	return err
}
