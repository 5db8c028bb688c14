package wiring

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/filegate/filegate/shared/clamav"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/ratelimit"
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
	// The root secret (shared/rootsecret), for the functions that sign or
	// verify: RootSecretARN names it in Secrets Manager (AWS); RootSecretFile
	// is the local stack's file, which wins when set.
	RootSecretARN  string
	RootSecretFile string
	// RateLimits are the deployment's requests per second per organization
	// and category (RATE_LIMIT_WRITE, _READ, _SEARCH; 25 each by default,
	// Lightfield's); the operator overrides them per organization or
	// project in the table (dynamostore.Limits).
	RateLimits ratelimit.Rates
	// SignerRoleARN is the role whose AssumeRole'd credentials (of known
	// expiry) sign presigned URLs (shared/stssigner); empty signs with the
	// function's own credentials (the local stand-ins' static keys).
	SignerRoleARN string
	// MetricsNamespace is the EMF metrics' namespace (Filegate/<stack> on
	// AWS; empty: emf.DefaultNamespace).
	MetricsNamespace string
	// Events (shared/fileevents): the stack's EventBridge bus (EVENT_BUS_NAME;
	// unset: no bus, as on the local stack) and the webhook deliveries.
	EventBusName string
	Webhooks     WebhookConfig
	// Clamd is the clamd malware scanning reaches in clamav mode
	// (CLAMD_ADDRESS); nil otherwise.
	Clamd *clamav.Client
}

// WebhookConfig tunes webhook deliveries. Zero values take the defaults;
// tests shorten the schedule (the template sets none of them).
type WebhookConfig struct {
	// AllowLoopback lets receivers on 127.0.0.1 and ::1 (over http too)
	// through the SSRF guard: `make dev`'s setting, never AWS's.
	AllowLoopback bool
	// RetryFirst, RetryMax and RetryWindow are fileevents.Backoff's First,
	// Max and Window (WEBHOOK_RETRY_FIRST_MS, WEBHOOK_RETRY_MAX_MS,
	// WEBHOOK_RETRY_WINDOW_SECONDS); Timeout bounds an attempt
	// (WEBHOOK_TIMEOUT_MS).
	RetryFirst, RetryMax, RetryWindow, Timeout time.Duration
}

// DefaultRateLimit is each category's default rate: Lightfield's.
const DefaultRateLimit = 25

// MaxRateLimit bounds a configured rate (the template's parameters say the
// same): far past what one organization needs, short of what one bucket
// item could not keep up with (ratelimit.MaxLease).
const MaxRateLimit = 100_000

// configFrom reads Config through getenv; a malformed value is an error,
// never a silent default.
func configFrom(getenv func(string) string) (Config, error) {
	c := Config{TableName: getenv("TABLE_NAME"), BucketName: getenv("BUCKET_NAME"),
		RootSecretARN: getenv("ROOT_SECRET_ARN"), RootSecretFile: getenv("ROOT_SECRET_FILE"),
		SignerRoleARN: getenv("SIGNER_ROLE_ARN"), MetricsNamespace: getenv("METRICS_NAMESPACE"),
		EventBusName: getenv("EVENT_BUS_NAME")}
	if c.TableName == "" || c.BucketName == "" {
		return c, fmt.Errorf("TABLE_NAME and BUCKET_NAME must be set")
	}
	var err error
	if c.S3PathStyle, err = boolValue("S3_FORCE_PATH_STYLE", getenv("S3_FORCE_PATH_STYLE")); err != nil {
		return c, err
	}
	if c.Webhooks, err = webhookConfig(getenv); err != nil {
		return c, err
	}
	var batch int64
	c.OrphanGrace = time.Hour
	write, read, search := int64(DefaultRateLimit), int64(DefaultRateLimit), int64(DefaultRateLimit)
	// Each setting is seconds (into a Duration) or a plain number.
	for _, v := range []struct {
		name   string
		lo, hi int64
		secs   *time.Duration
		n      *int64
	}{
		{"UPLOAD_URL_TTL_SECONDS", 60, seconds(files.MaxURLTTL), &c.Files.UploadURLTTL, nil},
		{"DOWNLOAD_URL_TTL_SECONDS", seconds(files.MinURLTTL), seconds(files.MaxURLTTL), &c.Files.DownloadURLTTL, nil},
		{"MAX_FILE_SIZE_BYTES", 1, files.MaxObjectBytes, nil, &c.Files.MaxBytes},
		{"MULTIPART_SESSION_SECONDS", 900, seconds(files.MaxMultipartSession), &c.Files.MultipartTTL, nil},
		{"PENDING_GRACE_SECONDS", 1, seconds(maxKeep), &c.Files.PendingGrace, nil},
		{"TERMINAL_RETENTION_SECONDS", 1, seconds(maxKeep), &c.Files.TerminalKeep, nil},
		{"RECONCILE_BATCH", 0, math.MaxInt64, nil, &batch},
		{"ORPHAN_GRACE_SECONDS", 0, seconds(maxKeep), &c.OrphanGrace, nil},
		{"ASSEMBLY_GRACE_SECONDS", 1, 3600, &c.Files.AssemblyGrace, nil},
		{"RATE_LIMIT_WRITE", 1, MaxRateLimit, nil, &write},
		{"RATE_LIMIT_READ", 1, MaxRateLimit, nil, &read},
		{"RATE_LIMIT_SEARCH", 1, MaxRateLimit, nil, &search},
		{"SCAN_RETRY_SECONDS", 1, 24 * 3600, &c.Files.Scan.RetryAfter, nil},
		{"SCAN_KEEP_SECONDS", 1, seconds(maxKeep), &c.Files.Scan.ScanKeep, nil},
		// A compat upload's wait stays under API Gateway's 30 s.
		{"SCAN_WAIT_SECONDS", 1, 25, &c.Files.Scan.Wait, nil},
	} {
		raw := getenv(v.name)
		if raw == "" {
			continue // the default
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < v.lo || n > v.hi {
			return c, fmt.Errorf("%s must be an integer from %d to %d, got %q", v.name, v.lo, v.hi, raw)
		}
		if v.secs != nil {
			*v.secs = time.Duration(n) * time.Second
		} else {
			*v.n = n
		}
	}
	c.RateLimits = ratelimit.Rates{Write: int(write), Read: int(read), Search: int(search)}
	c.ReconcileBatch = 500
	if batch > 0 {
		c.ReconcileBatch = int(min(batch, 1000)) // one S3 list page at most
	}
	if c.Files.Purposes, err = purposes(getenv("PURPOSE_RULES")); err != nil {
		return c, err
	}
	if err := scanFrom(getenv, &c); err != nil {
		return c, err
	}
	return c, nil
}

// scanFrom reads the malware scan's mode (SCAN_MODE: off, guardduty or
// clamav; unset: off), what becomes of files the scanner cannot judge
// (SCAN_UNSUPPORTED: reject or accept; unset: reject) and, in clamav mode,
// where clamd listens (CLAMD_ADDRESS, required).
func scanFrom(getenv func(string) string, c *Config) error {
	switch mode := files.ScanMode(getenv("SCAN_MODE")); mode {
	case "", files.ScanOff, files.ScanGuardDuty, files.ScanClamAV:
		c.Files.Scan.Mode = mode
	default:
		return fmt.Errorf("SCAN_MODE must be off, guardduty or clamav, got %q", mode)
	}
	switch v := getenv("SCAN_UNSUPPORTED"); v {
	case "", "reject":
	case "accept":
		c.Files.Scan.AcceptUnsupported = true
	default:
		return fmt.Errorf("SCAN_UNSUPPORTED must be reject or accept, got %q", v)
	}
	addr := getenv("CLAMD_ADDRESS")
	if c.Files.Scan.Mode != files.ScanClamAV {
		return nil
	}
	if addr == "" {
		return fmt.Errorf("SCAN_MODE=clamav needs CLAMD_ADDRESS (unix:///path/to/clamd.sock or tcp://host:3310)")
	}
	var err error
	c.Clamd, err = clamav.New(addr)
	return err
}

func seconds(d time.Duration) int64 { return int64(d / time.Second) }

// The bounds of the settings template.yaml passes from its parameters: the
// same as the parameters' MinValue and MaxValue (a test keeps them equal), so
// a value either deploys and works or is refused before anything is created.
// Unset means the service's default; set, a value outside its bounds is an
// error, never a silent default (0 is no way to say "default").
const maxKeep = 10 * 365 * 24 * time.Hour // record keeping: far past any use, short of overflow

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

// webhookConfig reads the webhook settings; each is optional.
func webhookConfig(getenv func(string) string) (WebhookConfig, error) {
	var w WebhookConfig
	var err error
	if w.AllowLoopback, err = boolValue("WEBHOOK_ALLOW_LOOPBACK", getenv("WEBHOOK_ALLOW_LOOPBACK")); err != nil {
		return w, err
	}
	for _, v := range []struct {
		name   string
		unit   time.Duration
		lo, hi int64
		d      *time.Duration
	}{
		{"WEBHOOK_RETRY_FIRST_MS", time.Millisecond, 10, 3_600_000, &w.RetryFirst},
		{"WEBHOOK_RETRY_MAX_MS", time.Millisecond, 10, 86_400_000, &w.RetryMax},
		{"WEBHOOK_RETRY_WINDOW_SECONDS", time.Second, 1, 7 * 86_400, &w.RetryWindow},
		{"WEBHOOK_TIMEOUT_MS", time.Millisecond, 100, 30_000, &w.Timeout},
	} {
		raw := getenv(v.name)
		if raw == "" {
			continue
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < v.lo || n > v.hi {
			return w, fmt.Errorf("%s must be an integer from %d to %d, got %q", v.name, v.lo, v.hi, raw)
		}
		*v.d = time.Duration(n) * v.unit
	}
	return w, nil
}
