package localstack

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/filegate/filegate/infra/localstack/process"
)

// The default bound is the one docs/recovery.md "The local stack" states: restarts after 1, 2, 4, 8
// and 16 s, 5 of them within 10 minutes.
func TestDefaultRestartPolicyBacksOffAsDocumented(t *testing.T) {
	p := DefaultRestartPolicy
	if p.Max != 5 || p.Window != 10*time.Minute {
		t.Errorf("bound %d per %s, want 5 per 10m", p.Max, p.Window)
	}
	for n, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second} {
		if got := p.backoff(n + 1); got != want {
			t.Errorf("backoff before restart %d: %s, want %s", n+1, got, want)
		}
	}
}

// sleeper is a supervised stand-in server (a sleep process) that counts its
// restarts.
type sleeper struct {
	t        *testing.T
	logPath  string
	proc     atomic.Pointer[process.Process]
	restarts atomic.Int32
}

func (s *sleeper) start(ctx context.Context) error {
	p, err := process.StartProcess(ctx, "sleeper", s.logPath, "", nil, "sleep", "600")
	if err == nil {
		s.proc.Store(p)
		s.t.Cleanup(func() { p.Stop() })
	}
	return err
}

func (s *sleeper) supervised() supervised {
	nothing := func(context.Context) error { return nil }
	return supervised{name: "sleeper", logPath: s.logPath, current: s.proc.Load, recover: nothing, settle: nothing,
		restart: func(ctx context.Context) error {
			_ = s.proc.Load().Stop()
			s.restarts.Add(1)
			return s.start(ctx)
		}}
}

// crash SIGKILLs the running process and waits (bounded) for the
// supervisor to replace it.
func (s *sleeper) crash() {
	s.t.Helper()
	old := s.proc.Load()
	_ = old.Kill()
	for deadline := time.Now().Add(10 * time.Second); s.proc.Load() == old; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			s.t.Fatal("the crashed process was not restarted")
		}
	}
}

// A crashed server is restarted as often as the bound allows; the next
// crash within the window gives up, with a message naming the server, its
// crashes and its log. Stopping the stack is no crash.
func TestSupervisorRestartsWithinItsBoundThenGivesUp(t *testing.T) {
	st := &Stack{log: slog.New(slog.DiscardHandler), failed: make(chan error, 1)}
	s := &sleeper{t: t, logPath: filepath.Join(t.TempDir(), "sleeper.log")}
	if err := s.start(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		st.supervise(ctx, ctx, s.supervised(), RestartPolicy{Max: 2, Window: time.Minute, Backoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	}()
	s.crash()
	s.crash()
	_ = s.proc.Load().Kill() // the third within the window
	select {
	case err := <-st.Failed():
		if msg := err.Error(); !strings.HasPrefix(msg, "sleeper crashed 3 times within 1m0s (restart bound: 2 per 1m0s): stopping the stack; its log is "+s.logPath) {
			t.Errorf("giving up said %q", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a crash past the bound did not give up")
	}
	<-ended
	if n := s.restarts.Load(); n != 2 {
		t.Errorf("%d restarts, want 2", n)
	}

	// A stop is no crash.
	if err := s.start(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithCancel(t.Context())
	ended = make(chan struct{})
	go func() {
		defer close(ended)
		st.supervise(ctx, ctx, s.supervised(), DefaultRestartPolicy)
	}()
	cancel()
	_ = s.proc.Load().Stop()
	<-ended
	if n := s.restarts.Load(); n != 2 {
		t.Errorf("a stop was restarted: %d restarts, want 2", n)
	}
}
