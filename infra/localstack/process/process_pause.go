package process

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Pause freezes the child's process group (SIGSTOP, fault tests): its
// connections stay open and requests go unanswered, as when a service
// stalls. It returns once every thread of the child is stopped.
func (p *Process) Pause() error {
	pid := p.Pid()
	if err := syscall.Kill(-pid, syscall.SIGSTOP); err != nil {
		return err
	}
	for deadline := time.Now().Add(5 * time.Second); !allStopped(pid); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("%s (pid %d) did not stop within 5s of SIGSTOP", p.Name, pid)
		}
	}
	return nil
}

// Resume continues a paused child (SIGCONT).
func (p *Process) Resume() error { return syscall.Kill(-p.Pid(), syscall.SIGCONT) }

// allStopped reports whether every thread of pid is stopped (Linux's /proc:
// state T, or t when traced).
func allStopped(pid int) bool {
	stats, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	for _, name := range stats {
		raw, err := os.ReadFile(name)
		// The state follows the command name, which is in parentheses.
		i := bytes.LastIndexByte(raw, ')')
		if err != nil || i < 0 || i+2 >= len(raw) || (raw[i+2] != 'T' && raw[i+2] != 't') {
			return false
		}
	}
	return len(stats) > 0
}
