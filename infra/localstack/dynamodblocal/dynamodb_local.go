// Package dynamodblocal runs DynamoDB Local (the official jar, installed by
// make tools) as a process the local stack starts, restarts, pauses and stops.
package dynamodblocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/filegate/filegate/infra/localstack/process"
)

// Credentials and region every local client uses. With -sharedDb DynamoDB Local ignores
// them for data separation, but the SDK still needs something to sign with.
const (
	LocalRegion    = "us-east-1"
	DynamoDBKeyID  = "local"
	DynamoDBSecret = "local"
)

// DynamoDB is a running DynamoDB Local (the official jar).
type DynamoDB struct {
	Endpoint string // http://127.0.0.1:N
	Port     int
	proc     atomic.Pointer[process.Process] // the running server; a restart replaces it
	java     string
	args     []string
	logPath  string
	dir      string
}

// StartDynamoDB runs DynamoDB Local from toolsDir/dynamodb, persisting to dataDir (created
// if needed) or in memory when dataDir is "". It returns once ListTables succeeds. The
// server stops when ctx is done or Stop is called. Note: DynamoDB Local has no bind-address
// option; Jetty listens on all interfaces, we only ever connect via 127.0.0.1.
func StartDynamoDB(ctx context.Context, toolsDir, dataDir, logPath string) (*DynamoDB, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, errors.New("DynamoDB Local needs Java 17+: install it (e.g. apt-get install openjdk-17-jre-headless)")
	}
	home := filepath.Join(toolsDir, "dynamodb")
	jar := filepath.Join(home, "DynamoDBLocal.jar")
	if _, err := os.Stat(jar); err != nil {
		return nil, fmt.Errorf("DynamoDB Local not installed (%v): run `make tools`", err)
	}
	port, err := process.FreePort()
	if err != nil {
		return nil, err
	}
	args := []string{
		"-Djava.library.path=" + filepath.Join(home, "DynamoDBLocal_lib"),
		"-jar", jar, "-port", strconv.Itoa(port),
		"-disableTelemetry", // no phoning home from dev machines and CI
		"-sharedDb",         // one database for all credentials/regions: no "table not found" surprises
	}
	if dataDir == "" {
		args = append(args, "-inMemory")
	} else {
		if dataDir, err = filepath.Abs(dataDir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return nil, fmt.Errorf("dynamodb data dir: %w", err)
		}
		args = append(args, "-dbPath", dataDir)
	}
	// It writes dynamodb-local-metadata.json into its cwd: keep that next to the log, not
	// in whatever directory we were started from. DDB_LOCAL_TELEMETRY=0 backs up the flag.
	scratch := filepath.Dir(logPath)
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return nil, fmt.Errorf("dynamodb log dir: %w", err)
	}
	d := &DynamoDB{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), Port: port, java: java, args: args, logPath: logPath, dir: scratch}
	if err := d.start(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// start runs the server and waits until it answers.
func (d *DynamoDB) start(ctx context.Context) error {
	proc, err := process.StartProcess(ctx, "dynamodb-local", d.logPath, d.dir, []string{"DDB_LOCAL_TELEMETRY=0"}, d.java, d.args...)
	if err != nil {
		return err
	}
	d.proc.Store(proc)
	probe := d.Client(func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	return proc.WaitReady(ctx, process.DefaultReadyTimeout, func(ctx context.Context) error {
		_, err := probe.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
		return err
	})
}

// Restart starts a stopped server again on the same port and data (fault
// tests stop it mid-run and bring it back). Data survives only with a dataDir.
func (d *DynamoDB) Restart(ctx context.Context) error {
	_ = d.proc.Load().Stop()
	return d.start(ctx)
}

// Client returns a DynamoDB client for this server.
func (d *DynamoDB) Client(optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       LocalRegion,
		BaseEndpoint: aws.String(d.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(DynamoDBKeyID, DynamoDBSecret, ""),
	}, optFns...)
}

// Stop terminates the server and waits for it to exit.
func (d *DynamoDB) Stop() error { return d.proc.Load().Stop() }

// Kill crashes the server with SIGKILL (fault tests): no shutdown, in-flight requests cut.
func (d *DynamoDB) Kill() error { return d.proc.Load().Kill() }

// Pause freezes the server (SIGSTOP, fault tests): its connections stay
// open and requests go unanswered, as when DynamoDB stalls. It returns once
// every thread of the server is stopped. Resume lets it go on.
func (d *DynamoDB) Pause() error { return d.proc.Load().Pause() }

// Resume continues a paused server (SIGCONT).
func (d *DynamoDB) Resume() error { return d.proc.Load().Resume() }

// Current is the running server's process (a restart replaces it), for a supervisor.
func (d *DynamoDB) Current() *process.Process { return d.proc.Load() }

// LogPath is the server's log file.
func (d *DynamoDB) LogPath() string { return d.logPath }
