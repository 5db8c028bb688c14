package bench

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/sdkcalls"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// runReconcile repairs lost events in a fresh table and bucket with the function's own handler.
func (h *harness) runReconcile(ctx context.Context, lost int, unrelated []int) (*Section, error) {
	s := &Section{Name: "reconcile"}
	t := s.table(fmt.Sprintf("9. Reconcile: %d lost S3 events (sessions ended, bytes stored, no event) repaired by the scheduled runs, in buckets holding more unrelated objects", lost),
		"unrelated objects | runs | calls | by operation | RCU | WCU | time | repaired")
	var first map[string]int
	same, listings, met := true, 0, true
	var measured []string
	for _, n := range unrelated {
		row, err := h.reconcileRow(ctx, lost, n)
		if err != nil {
			return nil, err
		}
		h.logf("reconcile: %d lost events beside %d unrelated objects: %d calls in %d runs, %.0f ms", lost, n, total(row.calls), row.runs, row.ms)
		if first == nil {
			first = row.calls
		}
		same = same && maps.Equal(row.calls, first)
		for op, k := range row.calls {
			if strings.HasPrefix(op, "S3.ListObjects") || op == "S3.ListMultipartUploads" {
				listings += k
			}
		}
		met = met && row.repaired == lost
		t.row("%d | %d | %d | %s | %s | %s | %.0f ms | %d", n, row.runs, total(row.calls), calls(row.calls), trimFloat(row.rcu), trimFloat(row.wcu), row.ms, row.repaired)
		measured = append(measured, fmt.Sprintf("%d calls beside %d objects (%d repaired)", total(row.calls), n, row.repaired))
	}
	t.note("Same calls in every bucket: %s; bucket listings: %d.", yes(same), listings)
	s.budget(fmt.Sprintf("reconcile of %d lost S3 events", lost), "same calls beside more unrelated objects; no bucket listing", met && same && listings == 0,
		"%s; same: %s; %d listings", strings.Join(measured, ", "), yes(same), listings)
	return s, nil
}

// reconcileRow is one bucket's repair.
type reconcileRow struct {
	calls          map[string]int // by service and operation
	runs, repaired int            // repaired: of the lost events, files COMPLETED after the runs
	ms, rcu, wcu   float64
}

func (h *harness) reconcileRow(ctx context.Context, lost, unrelated int) (reconcileRow, error) {
	var row reconcileRow
	name := fmt.Sprintf("bench-reconcile-%d-%d", unrelated, time.Now().UnixNano())
	if err := localstack.CreateTable(ctx, h.ddb, name, h.stack.Template.Table); err != nil {
		return row, err
	}
	if err := localstack.CreateBucket(ctx, h.s3, name, nil); err != nil {
		return row, err
	}
	counter, meter := &sdkcalls.Counter{}, &Meter{}
	env, err := h.envOf(name, counter.Add, meter.Add)
	if err != nil {
		return row, err
	}
	// The lost events: sessions ended five minutes ago, bytes stored, no event.
	project := apitest.NewUUID()
	body := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	store := wiring.Store(env)
	ids := make([]files.FileID, lost)
	err = parallel(ctx, 32, lost+unrelated, func(i int) error {
		if i >= lost { // an unrelated object (of another project, no record)
			return h.putObject(ctx, name, files.ObjectKey(apitest.NewUUID(), files.NewID(time.Now())), body)
		}
		f := pendingFile(apitest.NewUUID(), project)
		f.Filename, f.MimeType, f.SizeBytes = "lost.pdf", "application/pdf", int64(len(body))
		f.UploadExpiresAt = time.Now().Add(-5 * time.Minute).UTC()
		f.ReconcileAt = f.UploadExpiresAt // as Create records a session
		ids[i] = f.ID
		if err := store.Create(ctx, f); err != nil {
			return err
		}
		return h.putObject(ctx, name, f.ObjectKey, body)
	})
	if err != nil {
		return row, err
	}
	counter.Reset()
	meter.Reset()
	run := uploadwiring.Reconcile(env)
	timeout := h.stack.Template.Functions["ReconcileFunction"].Timeout
	began := time.Now()
	for done := false; !done; {
		if row.runs++; row.runs > 20 {
			return row, fmt.Errorf("reconcile never finished the lost events in 20 runs")
		}
		rctx, cancel := context.WithTimeout(ctx, timeout)
		rep, err := run(rctx, events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events", Detail: []byte("{}")})
		cancel()
		if err != nil {
			return row, err
		}
		done = rep.Done
	}
	row.ms = round2(float64(time.Since(began).Microseconds()) / 1000)
	m := meter.Snapshot()
	row.calls, row.rcu, row.wcu = counter.Snapshot(), m.RCU, m.WCU
	for _, id := range ids {
		if f, err := store.Get(ctx, project, id); err == nil && f.Status == files.StatusCompleted {
			row.repaired++
		}
	}
	return row, nil
}

// putObject stores body at key, raising no event (no notifications).
func (h *harness) putObject(ctx context.Context, bucket, key string, body []byte) error {
	_, err := h.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body), ContentType: aws.String("application/pdf")})
	return err
}
