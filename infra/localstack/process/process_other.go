//go:build unix && !linux

package process

import "syscall"

// No Pdeathsig outside Linux: children are stopped via Stop or the context only.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
