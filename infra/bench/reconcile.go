package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/sdkcalls"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// ReconcileResult: the calls repairing lost S3 events beside each count of unrelated objects.
type ReconcileResult struct {
	LostEvents int            `json:"lost_events"`
	Rows       []ReconcileRow `json:"rows"`
	SameCalls  bool           `json:"same_calls"`
	Listings   int            `json:"listings"` // ListObjects* and ListMultipartUploads calls, every row
	Met        bool           `json:"met"`
}

// ReconcileRow is one bucket's repair.
type ReconcileRow struct {
	Unrelated int            `json:"unrelated_objects"`
	Calls     map[string]int `json:"calls"` // by service and operation
	Total     int            `json:"total_calls"`
	Runs      int            `json:"runs"`
	Ms        float64        `json:"ms"`
	RCU       float64        `json:"read_units"`
	WCU       float64        `json:"write_units"`
	Repaired  int            `json:"repaired"` // of the lost events, files COMPLETED after the runs
}

// runReconcile repairs lost events in a fresh table and bucket with the function's own handler.
func (h *harness) runReconcile(ctx context.Context, lost int, unrelated []int) (*ReconcileResult, error) {
	res := &ReconcileResult{LostEvents: lost, SameCalls: true}
	for _, n := range unrelated {
		row, err := h.reconcileRow(ctx, lost, n)
		if err != nil {
			return res, err
		}
		h.logf("reconcile: %d lost events beside %d unrelated objects: %d calls in %d runs, %.0f ms", lost, n, row.Total, row.Runs, row.Ms)
		if len(res.Rows) > 0 && !maps.Equal(row.Calls, res.Rows[0].Calls) {
			res.SameCalls = false
		}
		for op, k := range row.Calls {
			if strings.HasPrefix(op, "S3.ListObjects") || op == "S3.ListMultipartUploads" {
				res.Listings += k
			}
		}
		res.Rows = append(res.Rows, row)
	}
	res.Met = res.SameCalls && res.Listings == 0
	for _, r := range res.Rows {
		res.Met = res.Met && r.Repaired == lost
	}
	return res, nil
}

func (h *harness) reconcileRow(ctx context.Context, lost, unrelated int) (ReconcileRow, error) {
	row := ReconcileRow{Unrelated: unrelated}
	name := fmt.Sprintf("bench-reconcile-%d-%d", unrelated, time.Now().UnixNano())
	if err := localstack.CreateTable(ctx, h.ddb, name, h.stack.Template.Table); err != nil {
		return row, err
	}
	if err := localstack.CreateBucket(ctx, h.s3, name, nil); err != nil {
		return row, err
	}
	env := func(apiOptions ...func(*middleware.Stack) error) (*wiring.Env, error) {
		e, err := wiring.Load(func(k string) string {
			if k == "TABLE_NAME" || k == "BUCKET_NAME" {
				return name
			}
			return h.stack.Getenv(k)
		})
		if err == nil {
			e.Log, e.Out = slog.New(slog.DiscardHandler), io.Discard
			e.AWS.APIOptions = append(e.AWS.APIOptions, apiOptions...)
		}
		return e, err
	}
	seed, err := env()
	if err != nil {
		return row, err
	}
	// The lost events: sessions ended five minutes ago, bytes stored, no event.
	project := apitest.NewUUID()
	body := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	store := wiring.Store(seed)
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
	counter, meter := &sdkcalls.Counter{}, &Meter{}
	meter.Reset()
	metered, err := env(counter.Add, meter.Add)
	if err != nil {
		return row, err
	}
	run := uploadwiring.Reconcile(metered)
	timeout := h.stack.Template.Functions["ReconcileFunction"].Timeout
	began := time.Now()
	for done := false; !done; {
		if row.Runs++; row.Runs > 20 {
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
	row.Ms = round2(float64(time.Since(began).Microseconds()) / 1000)
	row.Calls = counter.Snapshot()
	for _, n := range row.Calls {
		row.Total += n
	}
	m := meter.Snapshot()
	row.RCU, row.WCU = m.RCU, m.WCU
	for _, id := range ids {
		if f, err := store.Get(ctx, project, id); err == nil && f.Status == files.StatusCompleted {
			row.Repaired++
		}
	}
	return row, nil
}

// putObject stores body at key, raising no event (no notifications).
func (h *harness) putObject(ctx context.Context, bucket, key string, body []byte) error {
	_, err := h.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body), ContentType: aws.String("application/pdf")})
	return err
}

// reconcileTable renders the section.
func reconcileTable(p func(string, ...any), r *ReconcileResult) {
	p("## 9. Reconcile: %d lost S3 events (sessions ended, bytes stored, no event) repaired by the scheduled runs, in buckets holding more unrelated objects\n\n", r.LostEvents)
	p("| unrelated objects | runs | calls | by operation | RCU | WCU | time | repaired |\n|---:|---:|---:|---|---:|---:|---:|---:|\n")
	for _, row := range r.Rows {
		p("| %d | %d | %d | %s | %s | %s | %.0f ms | %d |\n", row.Unrelated, row.Runs, row.Total, calls(row.Calls), trimFloat(row.RCU), trimFloat(row.WCU), row.Ms, row.Repaired)
	}
	p("\nSame calls in every bucket: %s; bucket listings: %d.\n\n", yes(r.SameCalls), r.Listings)
}
