package wiring

import (
	"fmt"
	"math"
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

// configFrom reads Config through getenv; a malformed value is an error,
// never a silent default.
func configFrom(getenv func(string) string) (Config, error) {
	c := Config{TableName: getenv("TABLE_NAME"), BucketName: getenv("BUCKET_NAME")}
	if c.TableName == "" || c.BucketName == "" {
		return c, fmt.Errorf("TABLE_NAME and BUCKET_NAME must be set")
	}
	intIn := func(name string, lo, hi int64) (int64, error) { return intValue(name, getenv(name), lo, hi) }
	secondsIn := func(name string, lo, hi time.Duration) (time.Duration, error) {
		n, err := intIn(name, int64(lo/time.Second), int64(hi/time.Second))
		return time.Duration(n) * time.Second, err
	}
	var err error
	if c.S3PathStyle, err = boolValue("S3_FORCE_PATH_STYLE", getenv("S3_FORCE_PATH_STYLE")); err != nil {
		return c, err
	}
	if c.Files.UploadURLTTL, err = secondsIn("UPLOAD_URL_TTL_SECONDS", time.Minute, files.MaxURLTTL); err != nil {
		return c, err
	}
	if c.Files.DownloadURLTTL, err = secondsIn("DOWNLOAD_URL_TTL_SECONDS", files.MinURLTTL, files.MaxURLTTL); err != nil {
		return c, err
	}
	if c.Files.MaxBytes, err = intIn("MAX_FILE_SIZE_BYTES", 1, files.MaxSinglePutBytes); err != nil {
		return c, err
	}
	if c.Files.PendingGrace, err = secondsIn("PENDING_GRACE_SECONDS", time.Second, maxKeep); err != nil {
		return c, err
	}
	if c.Files.TerminalKeep, err = secondsIn("TERMINAL_RETENTION_SECONDS", time.Second, maxKeep); err != nil {
		return c, err
	}
	if c.Files.Purposes, err = purposes(getenv("PURPOSE_RULES")); err != nil {
		return c, err
	}
	batch, err := intIn("RECONCILE_BATCH", 0, math.MaxInt64)
	if err != nil {
		return c, err
	}
	c.ReconcileBatch = 500
	if batch > 0 {
		c.ReconcileBatch = int(min(batch, 1000)) // one S3 list page at most
	}
	if c.OrphanGrace, err = secondsIn("ORPHAN_GRACE_SECONDS", 0, maxKeep); err != nil {
		return c, err
	}
	if getenv("ORPHAN_GRACE_SECONDS") == "" {
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

// intValue reads the variable name's value v within [lo, hi] ("" is 0).
func intValue(name, v string, lo, hi int64) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be an integer from %d to %d, got %q", name, lo, hi, v)
	}
	return n, nil
}

func boolValue(name, v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, got %q", name, v)
	}
	return b, nil
}
