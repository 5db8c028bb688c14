package localstack

import (
	"context"
	"fmt"
	"time"

	"github.com/filegate/filegate/infra/localstack/process"
)

// RestartPolicy bounds how the stack brings back a crashed DynamoDB Local
// or MinIO: on the same port and data, after a backoff, at most Max times
// within Window; one more crash (or a restart that fails) within Window
// gives up, and the stack reports it on Failed.
type RestartPolicy struct {
	Max    int
	Window time.Duration
	// Backoff is the wait before the first restart within Window; each
	// further one waits twice as long, up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
}

// DefaultRestartPolicy is `make dev`'s: 5 restarts of one server within 10
// minutes, after 1, 2, 4, 8 and 16 s.
var DefaultRestartPolicy = RestartPolicy{Max: 5, Window: 10 * time.Minute, Backoff: time.Second, MaxBackoff: 30 * time.Second}

// backoff is the wait before the n-th restart within the window (n ≥ 1).
func (p RestartPolicy) backoff(n int) time.Duration {
	d := p.Backoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

// supervised is a server the stack restarts when it crashes.
type supervised struct {
	name    string
	logPath string
	current func() *process.Process
	restart func(context.Context) error
	// recover runs once the server is back: what must hold again before
	// it serves as it did (MinIO's bucket notification). Its failure counts
	// as a failed restart.
	recover func(context.Context) error
	// settle runs after recover: catching up on what the outage left (a
	// failure is logged; the schedule repeats it).
	settle func(context.Context) error
}

// supervise restarts srv each time it exits until ctx ends (the stack
// stopping) or p gives up, which it reports on s.failed. parent is the
// stack's own context (ctx derives from it): its end stops the first
// servers, which must not read as a crash even in the instant before ctx
// learns of it.
func (s *Stack) supervise(parent, ctx context.Context, srv supervised, p RestartPolicy) {
	stopping := func() bool { return parent.Err() != nil || ctx.Err() != nil }
	var crashes []time.Time
	for {
		proc := srv.current()
		select {
		case <-ctx.Done():
			return
		case <-proc.Done():
		}
		if stopping() {
			return // stopped with the stack
		}
		now := time.Now()
		crashes = append(crashes, now)
		for len(crashes) > 0 && now.Sub(crashes[0]) > p.Window {
			crashes = crashes[1:]
		}
		if len(crashes) > p.Max {
			s.log.Error(srv.name+" crashed past its restart bound; giving up", "server", srv.name, "exit", fmt.Sprint(proc.ExitErr()), "crashes", len(crashes), "window", p.Window.String())
			s.fail(fmt.Errorf("%s crashed %d times within %s (restart bound: %d per %s): stopping the stack; its log is %s\n--- last lines of %[6]s ---\n%s",
				srv.name, len(crashes), p.Window, p.Max, p.Window, srv.logPath, process.TailFile(srv.logPath, process.LogTailLines)))
			return
		}
		wait := p.backoff(len(crashes))
		s.log.Error(srv.name+" exited; restarting it", "server", srv.name, "exit", fmt.Sprint(proc.ExitErr()),
			"restart", fmt.Sprintf("%d of %d", len(crashes), p.Max), "window", p.Window.String(), "after", wait.String(), "log", srv.logPath)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		began := time.Now()
		err := srv.restart(ctx)
		if err == nil {
			err = srv.recover(ctx)
			if err != nil {
				_ = srv.current().Kill() // counts as the next crash
			}
		}
		if err != nil {
			if !stopping() {
				s.log.Error(srv.name+" restart failed", "server", srv.name, "err", err)
			}
			continue
		}
		s.log.Info(srv.name+" restarted", "server", srv.name, "took", time.Since(began).String(), "pid", srv.current().Pid())
		if err := srv.settle(ctx); err != nil && !stopping() {
			s.log.Error(srv.name+": catching up after the restart failed; the schedule will", "server", srv.name, "err", err)
		}
	}
}

// fail reports the first reason the stack gave up.
func (s *Stack) fail(err error) {
	select {
	case s.failed <- err:
	default:
	}
}

// Failed receives an error once the stack has given up on one of its
// servers (Options.Supervise's bound); the stack is then no longer whole,
// and its owner stops it.
func (s *Stack) Failed() <-chan error { return s.failed }

// superviseServers watches DynamoDB Local, MinIO and the stack's clamd
// until the stack stops.
// A restarted DynamoDB Local is on its port and data: the functions, the
// stream feed (its iterators name positions, which survive a restart) and
// the sweeper reconnect by themselves. A restarted MinIO is on its address,
// data and webhook target; its bucket notification is set again, and one
// reconcile pass settles uploads that landed while it booted, as at start.
// A restarted clamd loads its database again; one reconcile run looks at
// the files whose scan is due.
func (s *Stack) superviseServers(parent context.Context, p RestartPolicy) {
	ctx, stop := context.WithCancel(parent)
	s.stopSupervising = stop
	nothing := func(context.Context) error { return nil }
	servers := []supervised{
		{name: "dynamodb-local", logPath: s.DynamoDB.LogPath(), current: s.DynamoDB.Current, restart: s.DynamoDB.Restart, recover: nothing, settle: nothing},
		{name: "minio", logPath: s.MinIO.LogPath(), current: s.MinIO.Current, restart: s.MinIO.Restart,
			recover: func(ctx context.Context) error {
				return s.MinIO.Notify(ctx, BucketName, webhookID, s.Template.UploadEvents.Prefix)
			},
			settle: func(ctx context.Context) error { _, err := s.reconcileAfterMinIOStart(ctx); return err }},
	}
	if s.Clamd != nil {
		servers = append(servers, supervised{name: "clamd", logPath: s.Clamd.LogPath(), current: s.Clamd.Current, restart: s.Clamd.Restart, recover: nothing,
			settle: func(ctx context.Context) error { _, err := s.reconcileRun(ctx, scheduledEvent); return err }})
	}
	for _, srv := range servers {
		s.supervising.Add(1)
		go func() {
			defer s.supervising.Done()
			s.supervise(parent, ctx, srv, p)
		}()
	}
}
