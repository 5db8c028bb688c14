// Package wiring is the composition root: it reads a function's configuration
// from the environment, builds the adapters and services, and hands each
// Lambda (and the local API Gateway emulator) the same handler.
package wiring

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/filegate/filegate/shared/files"
)

// Config is what the template's environment variables set.
type Config struct {
	TableName   string
	BucketName  string
	S3PathStyle bool // local S3 stand-ins address buckets by path
	Files       files.Config
	// ReconcileBatch bounds one reconcile run; OrphanGrace is how old an
	// object without a record must be before reconcile deletes it.
	ReconcileBatch int
	OrphanGrace    time.Duration
}

// ConfigFromEnv reads Config; a malformed value is an error, never a silent default.
func ConfigFromEnv() (Config, error) {
	c := Config{TableName: os.Getenv("TABLE_NAME"), BucketName: os.Getenv("BUCKET_NAME")}
	if c.TableName == "" || c.BucketName == "" {
		return c, fmt.Errorf("TABLE_NAME and BUCKET_NAME must be set")
	}
	var err error
	if c.S3PathStyle, err = envBool("S3_FORCE_PATH_STYLE"); err != nil {
		return c, err
	}
	if c.Files.UploadURLTTL, err = envSeconds("UPLOAD_URL_TTL_SECONDS"); err != nil {
		return c, err
	}
	if c.Files.DownloadURLTTL, err = envSeconds("DOWNLOAD_URL_TTL_SECONDS"); err != nil {
		return c, err
	}
	if c.Files.MaxBytes, err = envInt("MAX_FILE_SIZE_BYTES"); err != nil {
		return c, err
	}
	if c.Files.PendingGrace, err = envSeconds("PENDING_GRACE_SECONDS"); err != nil {
		return c, err
	}
	if c.Files.TerminalKeep, err = envSeconds("TERMINAL_RETENTION_SECONDS"); err != nil {
		return c, err
	}
	if c.Files.Purposes, err = purposesFromEnv("PURPOSE_RULES"); err != nil {
		return c, err
	}
	batch, err := envInt("RECONCILE_BATCH")
	if err != nil {
		return c, err
	}
	c.ReconcileBatch = 500
	if batch > 0 {
		c.ReconcileBatch = int(min(batch, 1000)) // one S3 list page at most
	}
	if c.OrphanGrace, err = envSeconds("ORPHAN_GRACE_SECONDS"); err != nil {
		return c, err
	}
	if os.Getenv("ORPHAN_GRACE_SECONDS") == "" {
		c.OrphanGrace = time.Hour
	}
	return c, nil
}

func envInt(name string) (int64, error) {
	v := os.Getenv(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s must be a non-negative integer, got %q", name, v)
	}
	return n, nil
}

func envSeconds(name string) (time.Duration, error) {
	n, err := envInt(name)
	return time.Duration(n) * time.Second, err
}

func envBool(name string) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, got %q", name, v)
	}
	return b, nil
}
