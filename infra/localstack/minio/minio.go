// Package minio runs MinIO as the local stack's S3: the process, its
// credentials, its bucket notifications and its restart.
package minio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/process"
	"github.com/filegate/filegate/shared/files"
)

// Fixed dev credentials: the server only listens on loopback.
const (
	MinIOAccessKey = "filegatelocal"
	MinIOSecretKey = "filegatelocalsecret"
)

// StaleUploadsExpiry is how old an unfinished multipart upload gets before
// MinIO aborts it. MinIO ignores the bucket's AbortIncompleteMultipartUpload
// rule and aborts stale uploads itself after MINIO_API_STALE_UPLOADS_EXPIRY,
// 24 h by default: a live multipart session (up to 7 days) would lose its
// parts. It is the template's rule instead: the longest session + 1 day.
const StaleUploadsExpiry = files.MaxMultipartSession + 24*time.Hour

// Webhook ids become env var suffixes and part of a directory name.
var webhookIDRe = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// MinIO is a running MinIO server.
type MinIO struct {
	Endpoint  string // http://127.0.0.1:N (S3 API)
	AccessKey string
	SecretKey string
	proc      atomic.Pointer[process.Process] // the running server; a restart replaces it
	bin       string
	args      []string
	env       []string
	logPath   string
	queueDirs map[string]string // webhook id -> its queue dir
}

// StartMinIO runs toolsDir/bin/minio on dataDir (created), bound to loopback. webhooks maps
// a target id to its endpoint URL; each gets a queue dir next to dataDir
// (<dataDir>/../minio-events-<id>) so events raised while the receiver is down are kept on
// disk and delivered later. It returns once the server is ready for requests and for its
// notification targets (health/cluster) and answers S3 ListBuckets;
// the server stops when ctx is done or Stop is called.
func StartMinIO(ctx context.Context, toolsDir, dataDir, logPath string, webhooks map[string]string) (*MinIO, error) {
	bin := filepath.Join(toolsDir, "bin", "minio")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("MinIO not installed (%v): run `make tools`", err)
	}
	if dataDir == "" {
		return nil, errors.New("minio: dataDir is required")
	}
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	parent := filepath.Dir(dataDir)
	// Own certs dir: the default ~/.minio/certs would switch us to TLS if it held certs.
	certsDir := filepath.Join(parent, "minio-certs")
	for _, dir := range []string{dataDir, certsDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("minio: %w", err)
		}
	}
	env := []string{
		"MINIO_ROOT_USER=" + MinIOAccessKey,
		"MINIO_ROOT_PASSWORD=" + MinIOSecretKey,
		"MINIO_BROWSER=off", // no console UI needed
		"MINIO_UPDATE=off",  // no update checks
		"MINIO_API_STALE_UPLOADS_EXPIRY=" + StaleUploadsExpiry.String(),
	}
	queueDirs := map[string]string{}
	for id, endpoint := range webhooks {
		if !webhookIDRe.MatchString(id) {
			return nil, fmt.Errorf("minio: webhook id %q must match %s", id, webhookIDRe)
		}
		queueDir := filepath.Join(parent, "minio-events-"+id)
		if err := os.MkdirAll(queueDir, 0o755); err != nil {
			return nil, fmt.Errorf("minio: %w", err)
		}
		queueDirs[id] = queueDir
		env = append(env,
			"MINIO_NOTIFY_WEBHOOK_ENABLE_"+id+"=on",
			"MINIO_NOTIFY_WEBHOOK_ENDPOINT_"+id+"="+endpoint,
			"MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_"+id+"="+queueDir)
	}
	ports, err := process.FreePorts(2)
	if err != nil {
		return nil, err
	}
	m := &MinIO{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		AccessKey: MinIOAccessKey, SecretKey: MinIOSecretKey, bin: bin, env: env, logPath: logPath, queueDirs: queueDirs,
		args: []string{"server", dataDir,
			"--address", "127.0.0.1:" + strconv.Itoa(ports[0]),
			"--console-address", "127.0.0.1:" + strconv.Itoa(ports[1]),
			"--certs-dir", certsDir}}
	if err := m.start(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// start runs the server and waits until it is ready.
func (m *MinIO) start(ctx context.Context) error {
	proc, err := process.StartProcess(ctx, "minio", m.logPath, "", m.env, m.bin, m.args...)
	if err != nil {
		return err
	}
	m.proc.Store(proc)
	probe := m.Client(func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	return proc.WaitReady(ctx, process.DefaultReadyTimeout, func(ctx context.Context) error {
		// The S3 API answers before MinIO has registered its notification targets
		// (a background step at boot); until then PutBucketNotificationConfiguration
		// fails with "A specified destination ARN does not exist". health/cluster
		// answers 200 only once bucket metadata is loaded, which MinIO's boot
		// sequence does after registering the targets (cmd/server-main.go).
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.Endpoint+"/minio/health/cluster", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("health/cluster: %s %s", resp.Status, resp.Header.Get("X-Minio-Server-Status"))
		}
		_, err = probe.ListBuckets(ctx, &s3.ListBucketsInput{})
		return err
	})
}

// Restart starts the server again on the same port, data and webhooks (fault tests
// kill it and bring it back); a running server is stopped first.
func (m *MinIO) Restart(ctx context.Context) error {
	_ = m.proc.Load().Stop()
	return m.start(ctx)
}

// Kill crashes the server with SIGKILL (fault tests): no shutdown, in-flight requests cut.
func (m *MinIO) Kill() error { return m.proc.Load().Kill() }

// Pause freezes the server (SIGSTOP, fault tests): storage stalls, every
// request hangs unanswered until Resume.
func (m *MinIO) Pause() error { return m.proc.Load().Pause() }

// Resume continues a paused server (SIGCONT).
func (m *MinIO) Resume() error { return m.proc.Load().Resume() }

// QueueDir is where MinIO keeps the events for webhook id it has not delivered yet.
func (m *MinIO) QueueDir(id string) string { return m.queueDirs[id] }

// Client returns a path-style S3 client for this server.
func (m *MinIO) Client(optFns ...func(*s3.Options)) *s3.Client {
	return s3.New(s3.Options{
		Region:       dynamodblocal.LocalRegion,
		BaseEndpoint: aws.String(m.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, ""),
		UsePathStyle: true,
	}, optFns...)
}

// Notify sends s3:ObjectCreated:* events for keys under prefix ("" = all) in bucket to the
// webhook started with id webhookID. It replaces the bucket's whole notification config.
func (m *MinIO) Notify(ctx context.Context, bucket, webhookID, prefix string) error {
	qc := types.QueueConfiguration{
		QueueArn: aws.String("arn:minio:sqs::" + webhookID + ":webhook"),
		Events:   []types.Event{"s3:ObjectCreated:*"},
	}
	if prefix != "" {
		qc.Filter = &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{
			FilterRules: []types.FilterRule{{Name: types.FilterRuleNamePrefix, Value: aws.String(prefix)}},
		}}
	}
	_, err := m.Client().PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket:                    aws.String(bucket),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{qc}},
	})
	if err != nil {
		return fmt.Errorf("minio: notify %s -> %s: %w", bucket, webhookID, err)
	}
	return nil
}

// Unnotify removes all event notifications from bucket (tests use it to drop events).
func (m *MinIO) Unnotify(ctx context.Context, bucket string) error {
	_, err := m.Client().PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket:                    aws.String(bucket),
		NotificationConfiguration: &types.NotificationConfiguration{},
	})
	if err != nil {
		return fmt.Errorf("minio: unnotify %s: %w", bucket, err)
	}
	return nil
}

// Stop terminates the server and waits for it to exit.
func (m *MinIO) Stop() error { return m.proc.Load().Stop() }

// Current is the running server's process (a restart replaces it), for a supervisor.
func (m *MinIO) Current() *process.Process { return m.proc.Load() }

// LogPath is the server's log file.
func (m *MinIO) LogPath() string { return m.logPath }
