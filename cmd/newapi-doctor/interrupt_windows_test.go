package main

import (
	"os/exec"
	"syscall"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	"golang.org/x/sys/windows"
)

// interruptible starts cmd in its own process group: Windows has no SIGINT
// to send, Ctrl-C is a console event delivered to a group.
func interruptible(cmd *exec.Cmd) {
	// The event only reaches processes sharing our console; a test binary
	// started without one (CI, wine) gets its own, which the child inherits.
	_, _, _ = windows.NewLazySystemDLL("kernel32.dll").NewProc("AllocConsole").Call()
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP}
}

// sendInterrupt is Ctrl-Break to cmd's group, which Go delivers as
// os.Interrupt (Ctrl-C itself cannot be sent to another group).
func sendInterrupt(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(cmd.Process.Pid)); err != nil {
		if testenv.Wine() {
			cmd.Process.Kill()
			cmd.Wait()
			t.Skipf("%s (%v)", testenv.GapCtrlEvent, err)
		}
		t.Fatalf("GenerateConsoleCtrlEvent: %v", err)
	}
}
