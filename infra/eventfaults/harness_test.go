package eventfaults

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/localstack/process"
	"github.com/filegate/filegate/infra/webhookreceiver"
	"github.com/filegate/filegate/shared/auth"
)

// schedule is the shortened retry schedule every test runs with: retries
// from 200 ms, at most a second apart, dead letters after window.
func schedule(window time.Duration) map[string]string {
	return map[string]string{
		"WEBHOOK_ALLOW_LOOPBACK": "true", "WEBHOOK_RETRY_FIRST_MS": "200", "WEBHOOK_RETRY_MAX_MS": "1000",
		"WEBHOOK_RETRY_WINDOW_SECONDS": fmt.Sprint(int(window / time.Second)), "WEBHOOK_TIMEOUT_MS": "2000",
	}
}

// window is how long a delivery is retried before it is dead-lettered:
// the schedule's 24 hours shortened to seconds.
const window = 10 * time.Second

// stack is the package's stack (TestMain): the shortened schedule, the
// sender every 200 ms. The SIGKILL test runs `make dev` of its own.
var stack *localstack.Stack

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "filegate-eventfaults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	logPath := filepath.Join(dir, "stack.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer logFile.Close()
	go func() { _, _ = apitest.DevBinary() }() // built beside the stack's start, not in a test's time
	stack, err = localstack.Start(context.Background(), localstack.Options{
		Root: "../..", DataDir: filepath.Join(dir, "data"), Env: schedule(window), SendEvery: 200 * time.Millisecond,
		Log: slog.New(slog.NewJSONHandler(logFile, nil)),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the local stack did not start: %v (run `make tools`; Java 17+ is required)\n", err)
		return 1
	}
	code := m.Run()
	stack.Stop()
	apitest.RemoveDevBinary()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "--- last lines of the stack log ---\n%s\n", process.TailFile(logPath, 40))
	}
	return code
}

// startReceiver starts the Node receiver (standardwebhooks) on port (0:
// free), verifying with secrets from its first request.
func startReceiver(t *testing.T, port int, secrets ...string) *webhookreceiver.Receiver {
	t.Helper()
	r, err := webhookreceiver.StartOn(t.Context(), port, secrets...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// register registers r for every event type as c's project; the receiver
// verifies with the secret from then on.
func register(t *testing.T, c *apitest.Tenant, r *webhookreceiver.Receiver) string {
	t.Helper()
	var e struct{ ID, Secret string }
	body := map[string]any{"url": r.HookURL, "eventTypes": []string{"file.completed", "file.rejected", "file.cancelled", "file.expired", "file.deleted"}}
	if st := c.Call("POST", "/v1/webhook-endpoints", body, &e); st != http.StatusCreated {
		t.Fatalf("register: %d", st)
	}
	if err := r.SetSecrets(e.Secret); err != nil {
		t.Fatal(err)
	}
	return e.Secret
}

func newTenant(t *testing.T, st *localstack.Stack) *apitest.Tenant {
	return apitest.NewTenant(t, st, auth.ScopeCreate, auth.ScopeRead, auth.ScopeWebhooks)
}

// cancelled opens and cancels n sessions: n file.cancelled events.
func cancelled(t *testing.T, c *apitest.Tenant, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		f := c.Create(fmt.Sprintf("f%d.pdf", i), "application/pdf", 100, "")
		var out filegate.File
		if st := c.Call("POST", "/v1/files/"+f.ID+"/cancel", map[string]any{}, &out); st != http.StatusOK {
			t.Fatalf("cancel: %d", st)
		}
		ids[i] = f.ID
	}
	return ids
}

// checkEveryEventOnce waits (bounded) until the receiver has taken (2xx) a
// verified file.cancelled of every file, then checks at least once and no
// duplicates with another id: one event id per file, whatever was
// redelivered.
func checkEveryEventOnce(t *testing.T, r *webhookreceiver.Receiver, files []string, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	taken := func(ds []webhookreceiver.Delivery) map[string]bool {
		out := map[string]bool{}
		for _, d := range ds {
			if ev, err := d.Event(); err == nil && d.Verified && d.Status/100 == 2 {
				out[ev.Data.File.ID] = true
			}
		}
		return out
	}
	ds, err := r.Wait(ctx, func(ds []webhookreceiver.Delivery) bool { return len(taken(ds)) == len(files) })
	got := taken(ds)
	for _, f := range files {
		if !got[f] {
			t.Errorf("file %s: its event was never taken by the receiver", f)
		}
	}
	if err != nil {
		t.Fatalf("waiting for every event: %v", err)
	}
	ids := map[string]string{} // file → event id
	redelivered := 0
	for _, d := range ds {
		ev, err := d.Event()
		if err != nil {
			t.Fatalf("payload: %v", err)
		}
		if !d.Verified {
			t.Errorf("delivery %s not verified: %s", d.ID, d.Error)
		}
		if prev, ok := ids[ev.Data.File.ID]; ok {
			redelivered++
			if prev != d.ID {
				t.Errorf("file %s was announced with two event ids, %s and %s", ev.Data.File.ID, prev, d.ID)
			}
		}
		ids[ev.Data.File.ID] = d.ID
	}
	t.Logf("%d deliveries for %d events (%d repeated with their id)", len(ds), len(files), redelivered)
}
