package e2e

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"testing"

	"github.com/aws/smithy-go/middleware"

	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/wiring"
)

// stack is the local stack every test in this package shares; env is its
// functions' environment, for tests that build use cases as they do.
var (
	stack *localstack.Stack
	env   *wiring.Env
)

// testOrigin is the browser origin the stack's CORS rules allow.
const testOrigin = "http://127.0.0.1:5173"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	logFile, err := os.CreateTemp("", "filegate-e2e-*.log")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.Remove(logFile.Name())
	// Start ties DynamoDB Local and MinIO to ctx for their whole life;
	// readiness waits are bounded inside Start.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := localstack.Start(ctx, localstack.Options{
		Root: "../..",
		// Short enough for the lifecycle tests to watch orphans age.
		// Tenants' rate limits far above what any test offers: the tests
		// that meet a limit set their tenant's own (ratelimit_test.go);
		// the others must not meet one by running fast.
		Env: map[string]string{"ORPHAN_GRACE_SECONDS": "2", "RECONCILE_BATCH": "1000",
			"RATE_LIMIT_WRITE": "100000", "RATE_LIMIT_READ": "100000", "RATE_LIMIT_SEARCH": "100000",
			// Webhook receivers of the tests listen on 127.0.0.1 (make dev's
			// setting); retries come within a second, dead letters after 20 s.
			"WEBHOOK_ALLOW_LOOPBACK": "true", "WEBHOOK_RETRY_FIRST_MS": "200", "WEBHOOK_RETRY_MAX_MS": "1000",
			"WEBHOOK_RETRY_WINDOW_SECONDS": "20", "WEBHOOK_TIMEOUT_MS": "2000"},
		// No background webhook sender: tests run it (sendWebhooks), so
		// the sender's binary meets no other sender in its entry check.
		// A page origin of the tests' own, in place of the template's default.
		AllowedOrigins: []string{testOrigin},
		Log:            slog.New(slog.NewJSONHandler(logFile, nil)),
		// Records what each request writes (hotkeys_test.go).
		DynamoDBMiddleware: []func(*middleware.Stack) error{writes.middleware},
	})
	if err != nil {
		// Not a skip: the integration tests need the stack; say how to get it.
		fmt.Fprintf(os.Stderr, "FAIL: the local stack did not start: %v\n(run `make tools` to install MinIO and DynamoDB Local; Java 17+ is required)\n", err)
		return 1
	}
	stack = s
	if env, err = wiring.Load(s.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		s.Stop()
		return 1
	}
	code := m.Run()
	// Every test ran each function behind an IAM gate enforcing its
	// template policy, and every answer a tenant's client received went
	// through the OpenAPI check.
	failures, checked := apitest.SuiteFailures(s)
	for _, f := range failures {
		fmt.Fprintln(os.Stderr, "FAIL:", f)
		code = 1
	}
	if checked == 0 && code == 0 && flag.Lookup("test.run").Value.String() == "" {
		fmt.Fprintln(os.Stderr, "FAIL: no API response went through the OpenAPI check: the test kit's transport is bypassed")
		code = 1
	} else if len(failures) == 0 {
		fmt.Fprintf(os.Stderr, "openapi: %d API responses matched openapi/*.yaml\n", checked)
	}
	// Only a whole run exercises every function (-run picks some tests).
	if ungated := s.UngatedFunctions(); code == 0 && flag.Lookup("test.run").Value.String() == "" && len(ungated) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: no DynamoDB request of %v passed its IAM gate: their calls went round it, or no test exercised them\n", ungated)
		code = 1
	}
	s.Stop()
	if code != 0 {
		logs, _ := os.ReadFile(logFile.Name())
		fmt.Fprintf(os.Stderr, "--- local stack log (last 4 KiB) ---\n%s\n", tail(logs, 4096))
	}
	return code
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
