// Package process starts the local stack's servers (DynamoDB Local, MinIO,
// clamd) as child processes: free ports, readiness, logs, stop, kill, pause.
package process

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Defaults for child processes; generous because a cold JVM or a first MinIO start on a
// slow CI disk can take several seconds.
const (
	DefaultReadyTimeout = 60 * time.Second
	DefaultStopTimeout  = 10 * time.Second
	LogTailLines        = 30
)

// FreePort returns a loopback TCP port that was free a moment ago. Another process may
// still grab it before the child binds; callers accept that small race.
func FreePort() (int, error) {
	ports, err := FreePorts(1)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

// FreePorts returns n distinct free loopback ports; the listeners are held open together
// so the kernel cannot hand out the same port twice.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("allocate loopback port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Process is a child process tied to a context, with its output in a log file.
type Process struct {
	Name        string
	LogPath     string
	StopTimeout time.Duration // SIGTERM grace period before SIGKILL

	cmd      *exec.Cmd
	log      *os.File
	done     chan struct{} // closed once the child has exited
	waitErr  error
	stopOnce sync.Once
	stopErr  error
}

// StartProcess runs bin with args in dir ("" = our cwd; servers that drop files in their
// cwd should get a scratch dir) and extra env (appended to os.Environ()). stdout and
// stderr go to logPath (appended, so restarts keep history). The child runs in its own
// process group, gets SIGKILL if we die (Linux), and is stopped when ctx is done.
func StartProcess(ctx context.Context, name, logPath, dir string, env []string, bin string, args ...string) (*Process, error) {
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return nil, fmt.Errorf("%s: log dir: %w", name, err)
	}
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: open log: %w", name, err)
	}
	fmt.Fprintf(logf, "=== %s: %s %s\n", time.Now().Format(time.RFC3339), bin, strings.Join(args, " "))

	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf // *os.File: no copy goroutines, Wait returns at exit
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("%s: start %s: %w", name, bin, err)
	}
	p := &Process{Name: name, LogPath: logPath, StopTimeout: DefaultStopTimeout, cmd: cmd, log: logf,
		done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	go func() {
		select {
		case <-ctx.Done():
			p.Stop()
		case <-p.done:
		}
	}()
	return p, nil
}

// Pid returns the child's process id (also its process group id).
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the child has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// ExitErr is how the child exited (nil: status 0); read it once Done is closed.
func (p *Process) ExitErr() error { return p.waitErr }

// Stop sends SIGTERM to the child's process group, SIGKILL after StopTimeout, and
// waits for exit. Safe to call more than once; an exit caused by our signal is not an error.
func (p *Process) Stop() error { return p.end(p.StopTimeout) }

// Kill sends SIGKILL to the child's process group at once and waits for exit: a crash,
// with no chance to flush or finish requests (fault tests). Later Stop/Kill calls are no-ops.
func (p *Process) Kill() error { return p.end(0) }

// end stops the child, giving it grace after SIGTERM (0: straight to SIGKILL).
func (p *Process) end(grace time.Duration) error {
	p.stopOnce.Do(func() {
		pgid := p.cmd.Process.Pid
		if grace > 0 {
			_ = syscall.Kill(-pgid, syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(grace):
			}
		}
		// SIGKILL the leader if it is still running, and anything it left behind in its
		// group (leader gone, members may not be).
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
		fmt.Fprintf(p.log, "=== %s: stopped (%v)\n", time.Now().Format(time.RFC3339), p.waitErr)
		p.log.Close()
		var ee *exec.ExitError
		if p.waitErr != nil && !errors.As(p.waitErr, &ee) {
			p.stopErr = fmt.Errorf("%s: %w", p.Name, p.waitErr)
		}
	})
	return p.stopErr
}

// WaitReady polls probe (each call bounded to a few seconds) until it returns nil, the
// child exits, ctx ends or timeout passes. Errors carry the log tail for diagnosis; a
// child that never became ready is stopped, so no caller leaves one running.
func (p *Process) WaitReady(ctx context.Context, timeout time.Duration, probe func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		pctx, pcancel := context.WithTimeout(ctx, 3*time.Second)
		last = probe(pctx)
		pcancel()
		if last == nil {
			return nil
		}
		select {
		case <-p.done:
			return p.failure(fmt.Errorf("exited before ready: %v (last probe: %v)", p.waitErr, last))
		case <-ctx.Done():
			err := p.failure(fmt.Errorf("not ready after %s: %v", timeout, last))
			_ = p.Stop()
			return err
		case <-tick.C:
		}
	}
}

func (p *Process) failure(err error) error {
	return fmt.Errorf("%s: %w\n--- last lines of %s ---\n%s", p.Name, err, p.LogPath, TailFile(p.LogPath, LogTailLines))
}

// TailFile returns up to n last lines of path (best effort, for error messages).
func TailFile(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	defer f.Close()
	const max = 64 << 10
	var off int64
	if st, err := f.Stat(); err == nil && st.Size() > max {
		off = st.Size() - max
	}
	buf := make([]byte, max)
	k, _ := f.ReadAt(buf, off)
	lines := strings.Split(strings.TrimRight(string(buf[:k]), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
