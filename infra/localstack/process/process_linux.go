package process

import "syscall"

// Own process group so Stop can signal the whole tree; Pdeathsig so the child dies with
// us even if we are SIGKILLed (it fires when the forking OS thread exits, which for Go is
// effectively process exit).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
