package clamd

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/filegate/filegate/infra/localstack/process"
	"github.com/filegate/filegate/shared/clamav"
)

// clamdReadyTimeout bounds clamd's start: seconds with the local database,
// up to a minute once an operator has loaded the official ones.
const clamdReadyTimeout = 3 * time.Minute

// Clamd is a running clamd with the stack's generated config (infra/clamd).
type Clamd struct {
	*Setup
	Client  *clamav.Client
	proc    atomic.Pointer[process.Process] // swapped by Restart while a supervisor watches it
	logPath string
}

// StartClamd prepares dir for a clamd scanning objects of up to limit
// bytes and runs it until ctx is done or Stop is called. It returns once
// clamd answers PING (its database is loaded).
func StartClamd(ctx context.Context, dir, logPath string, limit int64) (*Clamd, error) {
	setup, err := Prepare(dir, limit)
	if err != nil {
		return nil, err
	}
	client, err := clamav.New(setup.Address())
	if err != nil {
		return nil, err
	}
	c := &Clamd{Setup: setup, Client: client, logPath: logPath}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Clamd) start(ctx context.Context) error {
	bin, args, err := c.Command()
	if err != nil {
		return err
	}
	proc, err := process.StartProcess(ctx, "clamd", c.logPath, c.Dir, nil, bin, args...)
	if err != nil {
		return err
	}
	c.proc.Store(proc)
	return proc.WaitReady(ctx, clamdReadyTimeout, c.Client.Ping)
}

// Restart starts clamd again with the same config (fault tests stop it and
// bring it back); a running clamd is stopped first.
func (c *Clamd) Restart(ctx context.Context) error {
	_ = c.proc.Load().Stop()
	return c.start(ctx)
}

// Stop terminates clamd, waits for it to exit and removes its socket.
func (c *Clamd) Stop() error {
	err := c.proc.Load().Stop()
	_ = c.Setup.Close()
	return err
}

// Current is the running server's process (a restart replaces it), for a supervisor.
func (c *Clamd) Current() *process.Process { return c.proc.Load() }

// LogPath is the server's log file.
func (c *Clamd) LogPath() string { return c.logPath }
