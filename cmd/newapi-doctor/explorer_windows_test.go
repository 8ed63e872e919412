package main

import (
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	"golang.org/x/sys/windows"
)

// TestDoubleClickKeepsWindowOpen starts the exe as Explorer does — a console
// of its own, no arguments — and wants a check, then a wait for Enter.
func TestDoubleClickKeepsWindowOpen(t *testing.T) {
	dir := testenv.TempDir(t)
	var out, errOut syncBuffer
	var stdin io.WriteCloser
	cmd, err := testenv.Start(func() *exec.Cmd {
		cmd := exec.Command(doctorBinary(t))
		cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_CONSOLE}
		cmd.Dir = dir
		cmd.Env = []string{"PORT=1"} // the local gateway check meets a closed port at once
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if stdin != nil {
			stdin.Close() // the last attempt's
		}
		stdin, _ = cmd.StdinPipe() // fails only on a started command
		return cmd
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(string(errOut.Bytes()), "Press Enter") {
		select {
		case err := <-done:
			t.Fatalf("exited before asking for Enter (%v)\nstdout %s\nstderr %s", err, string(out.Bytes()), string(errOut.Bytes()))
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("no prompt\nstdout %s\nstderr %s", string(out.Bytes()), string(errOut.Bytes()))
		case <-time.After(50 * time.Millisecond):
		}
	}
	select {
	case <-done:
		t.Fatal("did not wait for Enter")
	case <-time.After(300 * time.Millisecond):
	}
	stdin.Write([]byte("\r\n"))
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("Enter did not close it")
	}
	if len(out.Bytes()) == 0 {
		t.Errorf("no check output before the prompt; stderr %s", string(errOut.Bytes()))
	}
}
