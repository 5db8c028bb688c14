// Package scan is the malware scanning's end-to-end suite: the local stack
// with its own clamd (Debian's clamav-daemon, the generated config and the
// locally built signature database), driven through the API as clients
// drive it. A package of its own, so the main suites stay unscanned and
// fast; bounded by a 1 MiB scan limit and a 1 s retry schedule.
package scan

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"

	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/wiring"
)

// scanLimit is the stack's clamd's size limit: small, so a file one byte
// over it is cheap.
const scanLimit = 1 << 20

var (
	stack *localstack.Stack
	env   *wiring.Env
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	logFile, err := os.CreateTemp("", "filegate-scan-*.log")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.Remove(logFile.Name())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := localstack.Start(ctx, localstack.Options{
		Root: "../../..", Scan: files.ScanClamAV, ScanLimit: scanLimit,
		// A scan that got no verdict is looked at again a second later, and
		// upload sessions last the minimum, so a waiting file outlives one.
		Env: map[string]string{"SCAN_RETRY_SECONDS": "1", "UPLOAD_URL_TTL_SECONDS": "60"},
		Log: slog.New(slog.NewJSONHandler(logFile, nil)),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the local stack did not start: %v\n(run `make tools`: MinIO, DynamoDB Local and, as root, Debian's clamav-daemon; Java 17+ is required)\n", err)
		return 1
	}
	stack = s
	if env, err = wiring.Load(s.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		s.Stop()
		return 1
	}
	code := m.Run()
	failures, _ := apitest.SuiteFailures(s)
	for _, f := range failures {
		fmt.Fprintln(os.Stderr, "FAIL:", f)
		code = 1
	}
	s.Stop()
	if code != 0 {
		logs, _ := os.ReadFile(logFile.Name())
		if len(logs) > 8192 {
			logs = logs[len(logs)-8192:]
		}
		fmt.Fprintf(os.Stderr, "--- local stack log (last 8 KiB) ---\n%s\n", logs)
	}
	return code
}
