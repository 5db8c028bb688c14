package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/files"
)

// The large-file section (issue 13): a file uploaded through the filegate
// CLI (multipart, 4 parts at a time, per-part SHA-256, through the API and
// the checking S3 proxy, completed and validated) against one raw PutObject
// of the same file through the same proxy; and what complete reads of S3 to
// validate a multipart object of each size.

// LargeFileResult is the section's measurements.
type LargeFileResult struct {
	SizeBytes    int64              `json:"size_bytes"`
	PartMiB      int64              `json:"part_mib"`
	Parallel     int                `json:"parallel"`
	CLISeconds   float64            `json:"cli_seconds"` // upload → COMPLETED, the whole command
	RawSeconds   float64            `json:"raw_put_seconds"`
	CLIOfRaw     float64            `json:"cli_throughput_of_raw"` // goal ≥ 0.9
	Validation   []MultipartReadRow `json:"multipart_validation"`
	CLIBytesSent int64              `json:"cli_bytes_sent"`
}

// MultipartReadRow is what completing a multipart object read of S3.
type MultipartReadRow struct {
	SizeBytes      int64 `json:"size_bytes"`
	Parts          int   `json:"parts"`
	BytesRead      int64 `json:"bytes_read"`       // every S3 response byte during complete
	ListPartsBytes int64 `json:"list_parts_bytes"` // of which the part listing (grows with the part count)
	S3Requests     int64 `json:"s3_requests"`
}

const largeParallel = 4

func (h *harness) runLargeFile(ctx context.Context, root string, size int64, validationSizes []int64) (*LargeFileResult, error) {
	// The CLI picks its part size (filegate.AutoPartSize), as a user's run would.
	r := &LargeFileResult{SizeBytes: size, PartMiB: filegate.AutoPartSize(size) >> 20, Parallel: largeParallel}
	dir, err := os.MkdirTemp("", "filegate-largefile-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "large.bin")
	if err := writeRandomFile(path, size); err != nil {
		return nil, err
	}
	cli := filepath.Join(dir, "filegate")
	build := exec.CommandContext(ctx, "go", "build", "-o", cli, "./cmd/filegate")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/filegate: %w\n%s", err, out)
	}
	api, _, project, err := h.tenant(ctx)
	if err != nil {
		return nil, err
	}
	// Interleaved rounds, median of each: the machine is shared, so one
	// round of either is mostly noise.
	var raws, clis []float64
	for range largeRounds {
		secs, err := h.rawPut(ctx, path, size)
		if err != nil {
			return nil, err
		}
		raws = append(raws, secs)
		if secs, err = h.cliUpload(ctx, cli, api, dir, path, &r.CLIBytesSent); err != nil {
			return nil, err
		}
		clis = append(clis, secs)
	}
	r.RawSeconds, r.CLISeconds = round2(Median(raws)), round2(Median(clis))
	r.CLIOfRaw = round2(r.RawSeconds / r.CLISeconds)
	h.logf("large file: %d MiB by CLI in %.2f s, raw PutObject %.2f s (%.2f×)", size>>20, r.CLISeconds, r.RawSeconds, r.CLIOfRaw)
	for _, vs := range validationSizes {
		row, err := h.multipartValidation(ctx, api, project, vs)
		if err != nil {
			return nil, err
		}
		r.Validation = append(r.Validation, row)
	}
	return r, nil
}

const largeRounds = 3

// rawPut is one PutObject of the file through the checking S3 proxy (as the
// CLI's presigned PUTs go), in seconds.
func (h *harness) rawPut(ctx context.Context, path string, size int64) (float64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	raw := s3.New(h.s3.Options(), func(o *s3.Options) { o.BaseEndpoint = aws.String(h.stack.S3Endpoint) })
	key := aws.String("bench/raw-large")
	start := time.Now()
	_, err = raw.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(localstack.BucketName), Key: key,
		Body: fh, ContentLength: aws.Int64(size), ContentType: aws.String("application/octet-stream")})
	secs := time.Since(start).Seconds()
	if err != nil {
		return 0, fmt.Errorf("raw PutObject: %w", err)
	}
	_, _ = h.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(localstack.BucketName), Key: key})
	return secs, nil
}

// cliUpload is one `filegate upload` of the file to COMPLETED, in seconds.
func (h *harness) cliUpload(ctx context.Context, cli string, api *filegate.Client, dir, path string, sent *int64) (float64, error) {
	cmd := exec.CommandContext(ctx, cli, "upload", "--json", "--parallel", fmt.Sprint(largeParallel), "--state-dir", dir, path)
	cmd.Env = append(os.Environ(), "FILEGATE_API_URL="+api.Base, "FILEGATE_API_KEY="+api.Key)
	start := time.Now()
	out, err := cmd.Output()
	secs := time.Since(start).Seconds()
	if err != nil {
		return 0, fmt.Errorf("filegate upload: %w\n%s", err, out)
	}
	var line struct {
		Status    string `json:"status"`
		BytesSent int64  `json:"bytesSent"`
	}
	if err := json.Unmarshal(out, &line); err != nil || line.Status != "COMPLETED" {
		return 0, fmt.Errorf("filegate upload answered %s", out)
	}
	*sent = line.BytesSent
	return secs, nil
}

// multipartValidation uploads a multipart PDF of size bytes in 8 MiB parts
// (events off) and completes it through the instrumented service, counting
// the S3 bytes complete reads.
func (h *harness) multipartValidation(ctx context.Context, api *filegate.Client, projectID string, size int64) (MultipartReadRow, error) {
	const part = 8 << 20
	if err := h.events(ctx, false); err != nil {
		return MultipartReadRow{}, err
	}
	defer func() { _ = h.events(context.WithoutCancel(ctx), true) }()
	in, err := h.instrumented()
	if err != nil {
		return MultipartReadRow{}, err
	}
	f, err := api.Create(ctx, filegate.CreateRequest{Filename: "big.pdf", MimeType: "application/pdf", SizeBytes: size, Multipart: &filegate.MultipartRequest{PartSizeBytes: part}})
	if err != nil {
		return MultipartReadRow{}, err
	}
	stream := newPDFStream(size)
	row := MultipartReadRow{SizeBytes: size, Parts: f.Multipart.PartCount}
	for n := 1; n <= f.Multipart.PartCount; n++ {
		urls, err := api.SignParts(ctx, f.ID, []filegate.PartRequest{{Number: n}})
		if err != nil {
			return row, err
		}
		body := make([]byte, min(part, size-int64(n-1)*part))
		_, _ = stream.Read(body)
		if st, err := filegate.Put(ctx, api.HTTP, urls[0].URL, urls[0].Headers, bytes.NewReader(body), int64(len(body))); err != nil || st != 200 {
			return row, fmt.Errorf("PUT part %d: %d %v", n, st, err)
		}
	}
	rec, err := in.records.Get(ctx, projectID, files.MustParseFileID(f.ID))
	if err != nil {
		return row, err
	}
	in.s3.bytes.Store(0)
	if _, err := in.objects.ListParts(ctx, rec.ObjectKey, rec.Multipart.UploadID); err != nil {
		return row, err
	}
	row.ListPartsBytes = in.s3.bytes.Load()
	in.s3.bytes.Store(0)
	in.s3.calls.Store(0)
	done, err := in.settlement.Complete(ctx, projectID, files.MustParseFileID(f.ID), "", "")
	if err != nil || done.Status != files.StatusCompleted {
		return row, fmt.Errorf("complete a %d-byte multipart file: %v %v", size, done, err)
	}
	row.BytesRead, row.S3Requests = in.s3.bytes.Load(), in.s3.calls.Load()
	return row, nil
}

// writeRandomFile writes size incompressible bytes.
func writeRandomFile(path string, size int64) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	r := rand.NewChaCha8([32]byte{42})
	buf := make([]byte, 4<<20)
	for left := size; left > 0; left -= int64(len(buf)) {
		b := buf[:min(int64(len(buf)), left)]
		_, _ = r.Read(b)
		if _, err := fh.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func largeFileTable(p func(string, ...any), r *LargeFileResult) {
	p("## 8. Large files: a %d MiB file, median of 3 interleaved rounds, through `filegate upload` (%d MiB parts, %d at a time, per-part SHA-256, via the API and the checking S3 proxy, to COMPLETED) vs one raw PutObject of it through the same proxy\n\n", r.SizeBytes>>20, r.PartMiB, r.Parallel)
	p("| CLI | raw PutObject | CLI throughput vs raw (goal ≥ 0.9×) |\n|---:|---:|---:|\n| %.2f s (%.0f MiB/s) | %.2f s (%.0f MiB/s) | %.2f× |\n\n",
		r.CLISeconds, float64(r.SizeBytes>>20)/r.CLISeconds, r.RawSeconds, float64(r.SizeBytes>>20)/r.RawSeconds, r.CLIOfRaw)
	p("### S3 bytes read to complete a multipart object (8 MiB parts, events off)\n\n| size | parts | bytes read | of which ListParts | S3 requests |\n|---:|---:|---:|---:|---:|\n")
	for _, v := range r.Validation {
		p("| %d MiB | %d | %d | %d | %d |\n", v.SizeBytes>>20, v.Parts, v.BytesRead, v.ListPartsBytes, v.S3Requests)
	}
	p("\n")
}
