// Package wiring is the composition root: it reads a function's configuration
// from the environment, builds the adapters and services, and hands each
// Lambda (and the local API Gateway emulator) the same handler.
package wiring

import (
	"fmt"
	"math"
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
	if c.Files.UploadURLTTL, err = envSecondsIn("UPLOAD_URL_TTL_SECONDS", time.Minute, files.MaxURLTTL); err != nil {
		return c, err
	}
	if c.Files.DownloadURLTTL, err = envSecondsIn("DOWNLOAD_URL_TTL_SECONDS", files.MinURLTTL, files.MaxURLTTL); err != nil {
		return c, err
	}
	if c.Files.MaxBytes, err = envIntIn("MAX_FILE_SIZE_BYTES", 1, files.MaxSinglePutBytes); err != nil {
		return c, err
	}
	if c.Files.PendingGrace, err = envSecondsIn("PENDING_GRACE_SECONDS", time.Second, maxKeep); err != nil {
		return c, err
	}
	if c.Files.TerminalKeep, err = envSecondsIn("TERMINAL_RETENTION_SECONDS", time.Second, maxKeep); err != nil {
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

// The bounds of the settings template.yaml passes from its parameters: the
// same as the parameters' MinValue and MaxValue (a test keeps them equal), so
// a value either deploys and works or is refused before anything is created.
// Unset means the service's default; set, a value outside its bounds is an
// error, never a silent default (0 is no way to say "default").
const maxKeep = 10 * 365 * 24 * time.Hour // record keeping: far past any use, short of overflow

func envIntIn(name string, lo, hi int64) (int64, error) {
	v := os.Getenv(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be an integer from %d to %d, got %q", name, lo, hi, v)
	}
	return n, nil
}

func envSecondsIn(name string, lo, hi time.Duration) (time.Duration, error) {
	n, err := envIntIn(name, int64(lo/time.Second), int64(hi/time.Second))
	return time.Duration(n) * time.Second, err
}

func envInt(name string) (int64, error) { return envIntIn(name, 0, math.MaxInt64) }

func envSeconds(name string) (time.Duration, error) { return envSecondsIn(name, 0, maxKeep) }

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
