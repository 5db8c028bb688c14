package process

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFreePortsDistinct(t *testing.T) {
	ports, err := FreePorts(3)
	if err != nil {
		t.Fatal(err)
	}
	if ports[0] == ports[1] || ports[1] == ports[2] || ports[0] == ports[2] {
		t.Fatalf("ports not distinct: %v", ports)
	}
}

func TestProcessStopEscalatesToKill(t *testing.T) {
	// The shell ignores SIGTERM, so Stop must fall back to SIGKILL.
	p, err := StartProcess(t.Context(), "stubborn", filepath.Join(t.TempDir(), "p.log"), "", nil,
		"sh", "-c", `trap "" TERM; echo started; while :; do sleep 0.1; done`)
	if err != nil {
		t.Fatal(err)
	}
	p.StopTimeout = 300 * time.Millisecond
	time.Sleep(200 * time.Millisecond) // let the trap install
	start := time.Now()
	if err := p.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Stop took %s", d)
	}
	// Grandchildren die asynchronously after the group SIGKILL; give them a moment.
	deadline := time.Now().Add(3 * time.Second)
	for syscall.Kill(-p.Pid(), 0) == nil {
		if time.Now().After(deadline) {
			t.Fatal("process group still alive after Stop")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

func TestProcessStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	p, err := StartProcess(ctx, "sleeper", filepath.Join(t.TempDir(), "p.log"), "", nil, "sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-p.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("child still running after context cancel")
	}
}

func TestWaitReadyReportsLogTail(t *testing.T) {
	p, err := StartProcess(t.Context(), "crasher", filepath.Join(t.TempDir(), "p.log"), "", nil,
		"sh", "-c", "echo boom: port in use >&2; exit 3")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	err = p.WaitReady(t.Context(), 5*time.Second, func(context.Context) error { return errors.New("not yet") })
	if err == nil || !strings.Contains(err.Error(), "boom: port in use") || !strings.Contains(err.Error(), "exited before ready") {
		t.Fatalf("want early-exit error with log tail, got: %v", err)
	}
}

// A child that never becomes ready is stopped by WaitReady, so no caller
// leaves a half-started server running.
func TestWaitReadyStopsAChildThatNeverGetsReady(t *testing.T) {
	p, err := StartProcess(t.Context(), "sleeper", filepath.Join(t.TempDir(), "p.log"), "", nil, "sh", "-c", "while :; do sleep 0.05; done")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if err := p.WaitReady(t.Context(), 300*time.Millisecond, func(context.Context) error { return errors.New("not yet") }); err == nil || !strings.Contains(err.Error(), "not ready after") {
		t.Fatalf("want a not-ready error, got %v", err)
	}
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the child still runs after WaitReady gave up on it")
	}
}

// TestProcessKillIsACrash: Kill must not give the child the SIGTERM it could use to
// shut down cleanly (crash tests rely on that), nor wait for the stop grace period.
func TestProcessKillIsACrash(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "p.log")
	p, err := StartProcess(t.Context(), "graceful", logPath, "", nil,
		"sh", "-c", `trap "echo got TERM; exit 0" TERM; echo started; while :; do sleep 0.05; done`)
	if err != nil {
		t.Fatal(err)
	}
	p.StopTimeout = time.Minute
	time.Sleep(200 * time.Millisecond) // let the trap install
	start := time.Now()
	if err := p.Kill(); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Kill took %s; it must not wait for the stop grace period", d)
	}
	// Whole lines: the log's first line is the command, which names both.
	if log := TailFile(logPath, 10) + "\n"; strings.Contains(log, "\ngot TERM\n") || !strings.Contains(log, "\nstarted\n") {
		t.Fatalf("the child saw SIGTERM (or never ran); its log:\n%s", log)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("Stop after Kill: %v", err)
	}
}
