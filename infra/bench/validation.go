package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/files"
)

// ValidationBytesBudget caps what validation reads (docs/ARCHITECTURE.md "Budgets").
const ValidationBytesBudget = 16 << 10

// validationReps times validation's reads this many times per object size.
const validationReps = 20

// runValidation completes PDFs of each size, in process (S3 bytes counted) and via the API; events off.
func (h *harness) runValidation(ctx context.Context, sizes []int64) ([]ValidationRow, bool, error) {
	if err := h.events(ctx, false); err != nil {
		return nil, false, err
	}
	defer func() { _ = h.events(context.WithoutCancel(ctx), true) }()
	api, _, project, err := h.tenant(ctx)
	if err != nil {
		return nil, false, err
	}
	in, err := h.instrumented()
	if err != nil {
		return nil, false, err
	}
	// Warm both clients' connections, so the first size is not timed cold.
	if _, err := in.records.Get(ctx, project, files.NewID(time.Now())); !errors.Is(err, files.ErrNotFound) {
		return nil, false, fmt.Errorf("warm-up read: %v", err)
	}
	if _, _, err := in.objects.Peek(ctx, files.ObjectKey(project, files.NewID(time.Now())), sniffBytes); !errors.Is(err, files.ErrObjectMissing) {
		return nil, false, fmt.Errorf("warm-up GET: %v", err)
	}
	flat := true
	var rows []ValidationRow
	for _, size := range sizes {
		row := ValidationRow{SizeBytes: size}
		var ids [2]files.FileID
		for k := range ids {
			f, err := create(ctx, api, "big.pdf", "application/pdf", size)
			if err != nil {
				return nil, false, err
			}
			start := time.Now()
			if err := api.Upload(ctx, f, newPDFStream(size), size); err != nil {
				return nil, false, fmt.Errorf("upload %d bytes: %w", size, err)
			}
			if k == 0 {
				row.UploadMs = ms(time.Since(start))
			}
			ids[k] = files.MustParseFileID(f.ID)
		}
		in.s3.bytes.Store(0)
		in.s3.calls.Store(0)
		start := time.Now()
		done, err := in.settlement.Complete(ctx, project, ids[0], "", "")
		row.ServiceMs = ms(time.Since(start))
		if err != nil {
			return nil, false, fmt.Errorf("complete %d bytes: %w", size, err)
		}
		if done.Status != files.StatusCompleted {
			return nil, false, fmt.Errorf("complete %d bytes: %s", size, done.Status)
		}
		row.BytesRead, row.S3Requests = in.s3.bytes.Load(), in.s3.calls.Load()
		start = time.Now()
		if _, err := complete(ctx, api, ids[1].String()); err != nil {
			return nil, false, err
		}
		row.APICompleteMs = ms(time.Since(start))
		// The validation reads alone, repeated on the stored object: the
		// part of complete that could grow with the object.
		var reads []time.Duration
		key := files.ObjectKey(project, ids[0])
		for range validationReps {
			start := time.Now()
			if _, _, err := in.objects.Peek(ctx, key, sniffBytes); err != nil {
				return nil, false, err
			}
			reads = append(reads, time.Since(start))
		}
		row.Reads = Summarize(reads)
		flat = flat && row.BytesRead <= ValidationBytesBudget
		rows = append(rows, row)
		h.logf("validation: %d bytes: read %d bytes in %d S3 requests, complete %.1f ms (API %.1f ms), range GET p50 %.2f ms, upload %.0f ms",
			size, row.BytesRead, row.S3Requests, row.ServiceMs, row.APICompleteMs, row.Reads.P50, row.UploadMs)
		for _, id := range ids { // free the disk
			_, _ = h.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(files.ObjectKey(project, id))})
		}
	}
	return rows, flat, nil
}
