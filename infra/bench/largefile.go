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

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/minio"
	"github.com/filegate/filegate/shared/files"
)

// LargeFileResult is the section's measurements (seconds: medians of
// largeRounds interleaved rounds).
type LargeFileResult struct {
	SizeBytes   int64              `json:"size_bytes"`
	PartMiB     int64              `json:"part_mib"`
	Parallel    int                `json:"parallel"`
	CLIUp       float64            `json:"cli_upload_seconds"`
	CLIDown     float64            `json:"cli_download_seconds"`
	S5cmdUp     float64            `json:"s5cmd_upload_seconds"`
	S5cmdDown   float64            `json:"s5cmd_download_seconds"`
	OneGET      float64            `json:"single_get_seconds"` // the download URL read in one GET, no hashing
	UpOfS5cmd   float64            `json:"cli_upload_vs_s5cmd"`
	DownOfS5cmd float64            `json:"cli_download_vs_s5cmd"`
	Met         bool               `json:"met"`
	Validation  []MultipartReadRow `json:"multipart_validation"`
}

// MultipartReadRow is what completing a multipart object read of S3.
type MultipartReadRow struct {
	SizeBytes      int64 `json:"size_bytes"`
	Parts          int   `json:"parts"`
	BytesRead      int64 `json:"bytes_read"`       // every S3 response byte during complete
	ListPartsBytes int64 `json:"list_parts_bytes"` // of which the part listing (grows with the part count)
	S3Requests     int64 `json:"s3_requests"`
}

const largeRounds = 3

func (h *harness) runLargeFile(ctx context.Context, root string, size int64, validationSizes []int64) (*LargeFileResult, error) {
	s5cmd := filepath.Join(localstack.ToolsDir(), "bin", "s5cmd")
	if _, err := os.Stat(s5cmd); err != nil {
		return nil, fmt.Errorf("no s5cmd at %s: `make bench` installs it (infra/tools/s5cmd.sh)", s5cmd)
	}
	// The CLI picks its part size (filegate.AutoPartSize) and parallelism, as a user's run would.
	r := &LargeFileResult{SizeBytes: size, PartMiB: filegate.AutoPartSize(size) >> 20, Parallel: 4}
	dir, err := os.MkdirTemp("", "filegate-largefile-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path, back := filepath.Join(dir, "large.bin"), filepath.Join(dir, "back.bin")
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
	env := append(os.Environ(), "FILEGATE_API_URL="+api.Base, "FILEGATE_API_KEY="+api.Key,
		"AWS_ACCESS_KEY_ID="+minio.MinIOAccessKey, "AWS_SECRET_ACCESS_KEY="+minio.MinIOSecretKey, "AWS_REGION="+dynamodblocal.LocalRegion)
	object := "s3://" + localstack.BucketName + "/bench/s5cmd-large"
	run := func(out *[]float64, name string, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = env
		start := time.Now()
		b, err := cmd.Output()
		*out = append(*out, time.Since(start).Seconds())
		if err != nil {
			return b, fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), args[0], err, b)
		}
		return b, nil
	}
	// Interleaved rounds, medians: one round is mostly noise on a shared machine.
	var cliUp, cliDown, s5Up, s5Down, oneGET []float64
	for range largeRounds {
		if _, err := run(&s5Up, s5cmd, "--endpoint-url", h.stack.S3Endpoint, "cp", path, object); err != nil {
			return nil, err
		}
		if _, err := run(&s5Down, s5cmd, "--endpoint-url", h.stack.S3Endpoint, "cp", object, back); err != nil {
			return nil, err
		}
		out, err := run(&cliUp, cli, "upload", "--json", "--state-dir", dir, path)
		var line struct{ ID, Status string }
		if err == nil && (json.Unmarshal(out, &line) != nil || line.Status != "COMPLETED") {
			err = fmt.Errorf("filegate upload answered %s", out)
		}
		if err != nil {
			return nil, err
		}
		if _, err := run(&cliDown, cli, "download", "--json", line.ID, "-o", back); err != nil {
			return nil, err
		}
		url, _, err := api.DownloadURL(ctx, line.ID)
		start := time.Now()
		if err == nil {
			err = h.get(ctx, url)
		}
		if oneGET = append(oneGET, time.Since(start).Seconds()); err != nil {
			return nil, err
		}
	}
	r.CLIUp, r.CLIDown, r.S5cmdUp, r.S5cmdDown, r.OneGET = round2(Median(cliUp)), round2(Median(cliDown)), round2(Median(s5Up)), round2(Median(s5Down)), round2(Median(oneGET))
	r.UpOfS5cmd, r.DownOfS5cmd = round2(r.S5cmdUp/r.CLIUp), round2(r.S5cmdDown/r.CLIDown)
	r.Met = r.UpOfS5cmd >= 1 && r.DownOfS5cmd >= 1
	h.logf("large file: %d MiB up: CLI %.2f s, s5cmd %.2f s (%.2f×); down: CLI %.2f s, s5cmd %.2f s (%.2f×), one GET %.2f s",
		size>>20, r.CLIUp, r.S5cmdUp, r.UpOfS5cmd, r.CLIDown, r.S5cmdDown, r.DownOfS5cmd, r.OneGET)
	for _, vs := range validationSizes {
		row, err := h.multipartValidation(ctx, api, project, vs)
		if err != nil {
			return nil, err
		}
		r.Validation = append(r.Validation, row)
	}
	return r, nil
}

// multipartValidation completes a multipart PDF of size (8 MiB parts, events off), counting S3 bytes read.
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
		if st, err := apitest.PutWith(ctx, api.HTTP, urls[0].URL, urls[0].Headers, bytes.NewReader(body), int64(len(body))); err != nil || st != 200 {
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
	mib := func(secs float64) float64 { return float64(r.SizeBytes>>20) / secs }
	p("## 8. Bulk transfer: a %d MiB file, median of %d interleaved rounds through the same S3 proxy: `filegate upload` (%d MiB parts, %d at a time, per-part SHA-256, to COMPLETED) and `filegate download` (sha256 verified) vs `s5cmd cp` both ways\n\n", r.SizeBytes>>20, largeRounds, r.PartMiB, r.Parallel)
	p("| direction | CLI | s5cmd | CLI throughput vs s5cmd (≥ 1.0×) |\n|---|---:|---:|---:|\n")
	p("| up | %.2f s (%.0f MiB/s) | %.2f s (%.0f MiB/s) | %.2f× |\n", r.CLIUp, mib(r.CLIUp), r.S5cmdUp, mib(r.S5cmdUp), r.UpOfS5cmd)
	p("| down | %.2f s (%.0f MiB/s) | %.2f s (%.0f MiB/s) | %.2f× |\n\n", r.CLIDown, mib(r.CLIDown), r.S5cmdDown, mib(r.S5cmdDown), r.DownOfS5cmd)
	p("One GET of the download URL, read and dropped: %.2f s (%.0f MiB/s).\n\n", r.OneGET, mib(r.OneGET))
	p("### S3 bytes read to complete a multipart object (8 MiB parts, events off)\n\n| size | parts | bytes read | of which ListParts | S3 requests |\n|---:|---:|---:|---:|---:|\n")
	for _, v := range r.Validation {
		p("| %d MiB | %d | %d | %d | %d |\n", v.SizeBytes>>20, v.Parts, v.BytesRead, v.ListPartsBytes, v.S3Requests)
	}
	p("\n")
}
