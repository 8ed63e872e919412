//go:build !windows

package main

import (
	"os/exec"
	"syscall"
	"testing"
)

func interruptible(*exec.Cmd) {}

// sendInterrupt is Ctrl-C: SIGINT.
func sendInterrupt(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	_ = cmd.Process.Signal(syscall.SIGINT)
}
