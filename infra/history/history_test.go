package history

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/filegate"
	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/historycheck"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/localstack/process"
	"github.com/filegate/filegate/shared/auth"
)

// The run's bounds. `make test` takes the defaults; `make history` sets the
// environment for a longer run.
const (
	defaultSeconds = 50 // of operations; at most maxBoundedSeconds unless FILEGATE_HISTORY_LONG=1
	defaultFaults  = 3
	// maxBoundedSeconds and maxBoundedFaults bound the run in `make test`.
	maxBoundedSeconds = 60
	maxBoundedFaults  = 3
	clients           = 4
	liveFiles         = 6 // files the clients work on at a time
	// callTimeout ends a call whose answer is late: past the functions'
	// 10 s timeout (template.yaml), its outcome is unknown.
	callTimeout = 15 * time.Second
)

// config is the run's shape, from the environment.
type config struct {
	seed     uint64
	duration time.Duration
	faults   int
	vizPath  string
}

func readConfig(t *testing.T) config {
	t.Helper()
	c := config{seed: uint64(time.Now().UnixNano()), duration: defaultSeconds * time.Second, faults: defaultFaults}
	if v := os.Getenv("FILEGATE_HISTORY_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("FILEGATE_HISTORY_SEED=%q: %v", v, err)
		}
		c.seed = n
	}
	if v := os.Getenv("FILEGATE_HISTORY_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("FILEGATE_HISTORY_SECONDS=%q: want a number of seconds", v)
		}
		c.duration = time.Duration(n) * time.Second
	}
	if v := os.Getenv("FILEGATE_HISTORY_FAULTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("FILEGATE_HISTORY_FAULTS=%q: want a count", v)
		}
		c.faults = n
	}
	if os.Getenv("FILEGATE_HISTORY_LONG") != "1" && (c.duration > maxBoundedSeconds*time.Second || c.faults > maxBoundedFaults) {
		t.Fatalf("%s of operations and %d faults: past the bounds of `make test` (%d s, %d faults); `make history` runs longer",
			c.duration, c.faults, maxBoundedSeconds, maxBoundedFaults)
	}
	c.vizPath = os.Getenv("FILEGATE_HISTORY_OUT")
	if c.vizPath == "" {
		c.vizPath = filepath.Join(os.TempDir(), fmt.Sprintf("filegate-history-%d.html", c.seed))
	}
	return c
}

// TestHistoryUnderFaultsIsLinearizable has concurrent clients create, PUT,
// complete, cancel, delete, get and download a few files at a time while
// DynamoDB Local (on disk) and MinIO are killed and stalled, and checks
// that some order of the calls explains every answer (historycheck.Check),
// (infra/faults audits records against storage after its faults).
func TestHistoryUnderFaultsIsLinearizable(t *testing.T) {
	cfg := readConfig(t)
	t.Logf("seed %d (FILEGATE_HISTORY_SEED=%d repeats its choices; the interleaving is the machine's): %s of operations, %d faults",
		cfg.seed, cfg.seed, cfg.duration, cfg.faults)
	st := startStack(t)
	key, err := st.MintKey(context.Background(), apitest.NewUUID(), apitest.NewUUID(), auth.ScopeCreate, auth.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	rec := historycheck.NewRecorder()
	run := &run{rec: rec, pool: &pool{}}
	opsBegan := time.Now()
	ctx, stop := context.WithTimeout(context.Background(), cfg.duration)
	defer stop()
	var wg sync.WaitGroup
	for i := range clients {
		w := &worker{run: run, id: i, rng: rand.New(rand.NewPCG(cfg.seed, uint64(i))),
			api: filegate.Client{Base: st.APIURL, Key: key, HTTP: newHTTPClient()}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx)
		}()
	}
	injected := injectFaults(ctx, t, st, rec, cfg, rand.New(rand.NewPCG(cfg.seed, clients)))
	wg.Wait()
	ops := rec.Operations()
	t.Logf("%d calls recorded (%v), faults: %v", len(ops), run.counts(), injected)
	if len(ops) < 25*clients { // a DynamoDB Local restart stops most calls for 5-25 s
		t.Errorf("only %d calls in %s: too few to show anything", len(ops), cfg.duration)
	}

	began := time.Now()
	t.Logf("operations took %s", began.Sub(opsBegan).Round(100*time.Millisecond))
	if err := historycheck.Check(ops, rec.Faults(), 30*time.Second+cfg.duration/2, cfg.vizPath); err != nil {
		t.Errorf("seed %d: %v", cfg.seed, err)
	} else {
		t.Logf("linearizable (checked in %s)", time.Since(began).Round(time.Millisecond))
	}
}

// startStack runs a stack of the test's own on disk, as `make dev` does:
// DynamoDB Local on -dbPath, restarted with MinIO when they crash, and
// authorizations cached as API Gateway caches them.
func startStack(t *testing.T) *localstack.Stack {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "stack.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	restarts := localstack.RestartPolicy{Max: 100, Window: time.Hour, Backoff: 200 * time.Millisecond, MaxBackoff: time.Second}
	st, err := localstack.Start(context.Background(), localstack.Options{
		Root: "../..", DataDir: filepath.Join(dir, "data"),
		Log:                 slog.New(slog.NewJSONHandler(logFile, nil)),
		CacheAuthorizations: true, Supervise: &restarts,
	})
	if err != nil {
		t.Fatalf("the local stack did not start: %v (run `make tools`; Java 17+ is required)", err)
	}
	t.Cleanup(func() {
		st.Stop()
		logFile.Close()
		if t.Failed() {
			t.Logf("--- last lines of the stack log ---\n%s", process.TailFile(logPath, 40))
		}
	})
	return st
}
