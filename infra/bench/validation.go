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

// runValidation completes PDFs of each size, in process (S3 bytes counted) and via the API; events off (README.md §5).
func (h *harness) runValidation(ctx context.Context, c Config) (*Section, error) {
	restore, err := h.eventsOff(ctx)
	if err != nil {
		return nil, err
	}
	defer restore()
	api, _, project, err := h.tenant(ctx)
	if err != nil {
		return nil, err
	}
	in, err := h.instrumented()
	if err != nil {
		return nil, err
	}
	// Warm both clients' connections, so the first size is not timed cold.
	if _, err := in.records.Get(ctx, project, files.NewID(time.Now())); !errors.Is(err, files.ErrNotFound) {
		return nil, fmt.Errorf("warm-up read: %v", err)
	}
	if _, _, err := in.objects.Peek(ctx, files.ObjectKey(project, files.NewID(time.Now())), sniffBytes); !errors.Is(err, files.ErrObjectMissing) {
		return nil, fmt.Errorf("warm-up GET: %v", err)
	}
	s := &Section{Name: "validation"}
	t := s.table(fmt.Sprintf("Validation: S3 bytes read to complete a file of each size (events off); its range GET repeated %d times", validationReps),
		"object | bytes read | S3 requests | complete (instrumented) | complete (API) | range GET p50 | p99 | upload")
	maxRead := int64(0)
	for _, size := range c.ObjectSizes {
		var ids [2]string
		var upload time.Duration
		for k := range ids {
			f, err := create(ctx, api, "big.pdf", "application/pdf", size)
			if err != nil {
				return nil, err
			}
			start := time.Now()
			if err := api.Upload(ctx, f, newPDFStream(size), size); err != nil {
				return nil, fmt.Errorf("upload %d bytes: %w", size, err)
			}
			upload = time.Since(start)
			ids[k] = f.ID
		}
		read, requests, service, err := in.complete(ctx, project, ids[0])
		if err != nil {
			return nil, fmt.Errorf("%d bytes: %w", size, err)
		}
		start := time.Now()
		if _, err := complete(ctx, api, ids[1]); err != nil {
			return nil, err
		}
		apiComplete := time.Since(start)
		// The validation reads alone, repeated on the stored object: the
		// part of complete that could grow with the object.
		var reads []time.Duration
		key := files.ObjectKey(project, files.MustParseFileID(ids[0]))
		for range validationReps {
			start := time.Now()
			if _, _, err := in.objects.Peek(ctx, key, sniffBytes); err != nil {
				return nil, err
			}
			reads = append(reads, time.Since(start))
		}
		r := Summarize(reads)
		t.row("%s | %d | %d | %.1f ms | %.1f ms | %.2f ms | %.2f ms | %.0f ms", sizeLabel(size), read, requests, ms(service), ms(apiComplete), r.P50, r.P99, ms(upload))
		maxRead = max(maxRead, read)
		h.logf("validation: %s: read %d bytes in %d S3 requests", sizeLabel(size), read, requests)
		for _, id := range ids { // free the disk
			_, _ = h.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(files.ObjectKey(project, files.MustParseFileID(id)))})
		}
	}
	s.budget("bytes read by validation", "constant, ≤ 16 KiB", maxRead <= ValidationBytesBudget, "%d bytes at most, at every size from %s to %s",
		maxRead, sizeLabel(c.ObjectSizes[0]), sizeLabel(c.ObjectSizes[len(c.ObjectSizes)-1]))
	return s, nil
}
