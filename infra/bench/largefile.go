package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/minio"
	"github.com/filegate/filegate/infra/localstack/process"
	"github.com/filegate/filegate/shared/files"
)

const largeRounds = 3

// runLargeFile times the CLI against s5cmd both ways, then multipart validation's reads (README.md §11).
func (h *harness) runLargeFile(ctx context.Context, c Config) (*Section, error) {
	size := c.LargeFile
	s5cmd := filepath.Join(process.ToolsDir(), "bin", "s5cmd")
	if _, err := os.Stat(s5cmd); err != nil {
		return nil, fmt.Errorf("no s5cmd at %s: `make bench` installs it (infra/tools/s5cmd.sh)", s5cmd)
	}
	// The CLI picks its part size (filegate.AutoPartSize) and parallelism, as a user's run would.
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
	if err := goBuild(ctx, c.Root, runtime.GOOS, runtime.GOARCH, cli, "./cmd/filegate"); err != nil {
		return nil, err
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
	s := &Section{Name: "largefile"}
	t := s.table(fmt.Sprintf("8. Bulk transfer: a %s file, median of %d interleaved rounds through the same S3 proxy: `filegate upload` (%d MiB parts, 4 at a time, per-part SHA-256, to COMPLETED) and `filegate download` (sha256 verified) vs `s5cmd cp` both ways",
		sizeLabel(size), largeRounds, filegate.AutoPartSize(size)>>20), "direction | CLI | s5cmd | CLI throughput vs s5cmd (≥ 1.0×)")
	mib := float64(size) / (1 << 20)
	met, vs := true, []string{}
	for _, d := range []struct {
		dir        string
		cli, s5cmd []float64
	}{{"up", cliUp, s5Up}, {"down", cliDown, s5Down}} {
		cl, s5 := Median(d.cli), Median(d.s5cmd)
		t.row("%s | %.2f s (%.0f MiB/s) | %.2f s (%.0f MiB/s) | %.2f×", d.dir, cl, mib/cl, s5, mib/s5, s5/cl)
		vs = append(vs, fmt.Sprintf("%s %.2f× (%.1f vs %.1f s)", d.dir, s5/cl, cl, s5))
		met = met && s5/cl >= 1
	}
	t.note("One GET of the download URL, read and dropped: %.2f s (%.0f MiB/s).", Median(oneGET), mib/Median(oneGET))
	s.budget(fmt.Sprintf("CLI transfer of %s vs s5cmd, same proxy", sizeLabel(size)), "≥ 1.0× s5cmd's throughput", met, "%s", strings.Join(vs, ", "))
	h.logf("large file: %s", strings.Join(vs, ", "))
	mt := s.table("S3 bytes read to complete a multipart object (8 MiB parts, events off)", "size | parts | bytes read | of which ListParts | S3 requests")
	for _, vs := range c.LargeValidation {
		if err := h.multipartValidation(ctx, api, project, vs, mt); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// multipartValidation completes a multipart PDF of size (8 MiB parts, events off), counting S3 bytes read.
func (h *harness) multipartValidation(ctx context.Context, api *filegate.Client, projectID string, size int64, t *Table) error {
	const part = 8 << 20
	restore, err := h.eventsOff(ctx)
	if err != nil {
		return err
	}
	defer restore()
	in, err := h.instrumented()
	if err != nil {
		return err
	}
	f, err := api.Create(ctx, filegate.CreateRequest{Filename: "big.pdf", MimeType: "application/pdf", SizeBytes: size, Multipart: &filegate.MultipartRequest{PartSizeBytes: part}})
	if err != nil {
		return err
	}
	stream := newPDFStream(size)
	for n := 1; n <= f.Multipart.PartCount; n++ {
		urls, err := api.SignParts(ctx, f.ID, []filegate.PartRequest{{Number: n}})
		if err != nil {
			return err
		}
		body := make([]byte, min(part, size-int64(n-1)*part))
		if _, err := io.ReadFull(stream, body); err != nil {
			return fmt.Errorf("part %d's bytes: %w", n, err)
		}
		if st, err := apitest.PutWith(ctx, api.HTTP, urls[0].URL, urls[0].Headers, bytes.NewReader(body), int64(len(body))); err != nil || st != 200 {
			return fmt.Errorf("PUT part %d: %d %v", n, st, err)
		}
	}
	rec, err := in.records.Get(ctx, projectID, files.MustParseFileID(f.ID))
	if err != nil {
		return err
	}
	in.s3.bytes.Store(0)
	if _, err := in.objects.ListParts(ctx, rec.ObjectKey, rec.Multipart.UploadID); err != nil {
		return err
	}
	listParts := in.s3.bytes.Load()
	read, requests, _, err := in.complete(ctx, projectID, f.ID)
	t.row("%s | %d | %d | %d | %d", sizeLabel(size), f.Multipart.PartCount, read, listParts, requests)
	return err
}

// writeRandomFile writes size incompressible bytes.
func writeRandomFile(path string, size int64) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = io.Copy(fh, randomStream(size))
	return errors.Join(err, fh.Close())
}
