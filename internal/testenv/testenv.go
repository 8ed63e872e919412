// Package testenv holds what tests need to run honestly both natively and as
// Windows test binaries under wine (../shared/windows): the wine gaps are
// named here, once, and a test skips only for one of them.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Gap is a named difference between wine 8 and real Windows.
type Gap string

const (
	// GapUDP: wine fails WSAIoctl(SIO_UDP_CONNRESET), which Go's runtime calls
	// on every UDP socket, with WSAEOPNOTSUPP (10045); no UDP socket opens.
	GapUDP Gap = "wine gap: every UDP socket fails WSAIoctl(SIO_UDP_CONNRESET) with 10045, so no UDP socket (DNS fake, UDP trace) opens"
	// GapDeleteEx: wine 8 lacks FileDispositionInformationEx, which Go's
	// os.RemoveAll (unlinkat) uses: "Invalid function".
	GapDeleteEx Gap = "wine gap: unlinkat (NtSetInformationFile FileDispositionInformationEx) fails with Invalid function"
	// GapWinsockText: wine's Winsock messages are its own ("connectex: Connection
	// refused."), neither Windows' English nor Chinese wording.
	GapWinsockText Gap = "wine gap: Winsock message texts are wine's, not Windows' wording"
	// GapCtrlEvent: wine's console refuses GenerateConsoleCtrlEvent to another
	// process group, the only way to send Ctrl-C/Ctrl-Break on Windows.
	GapCtrlEvent Gap = "wine gap: GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, group) fails with Invalid access"
	// GapICMPv6: wine's iphlpapi has IcmpSendEcho2 (IPv4) but not
	// Icmp6CreateFile (ERROR_CALL_NOT_IMPLEMENTED).
	GapICMPv6 Gap = "wine gap: Icmp6CreateFile is not implemented (error 120)"
	// GapLingerReset: under wine a close with SO_LINGER 0 now and then reaches
	// the peer as a FIN (about 1 run in 30), where Windows sends a RST.
	GapLingerReset Gap = "wine gap: a SO_LINGER 0 close sometimes arrives as FIN (EOF), not RST"
	// GapTCPOwnerPID: wine's GetExtendedTcpTable lists listeners but gives
	// every one owning PID 0 (netstat -ano shows the real PID on Windows).
	GapTCPOwnerPID Gap = "wine gap: GetExtendedTcpTable reports owning PID 0 for every socket"
	// GapNoGo: no Windows Go toolchain exists inside the wine prefix; set
	// NEWAPI_DOCTOR_TEST_BIN to a prebuilt newapi-doctor.exe instead.
	GapNoGo Gap = "wine gap: no Windows go toolchain in the wine prefix and NEWAPI_DOCTOR_TEST_BIN is unset"
	// GapCreateProcess: under wine, CreateProcess of a child now and then
	// fails with ERROR_INTERNAL_ERROR ("Internal error."), seen once in a CI
	// run of the whole suite; the program never ran, so Start tries again.
	GapCreateProcess Gap = "wine gap: CreateProcess sometimes fails with ERROR_INTERNAL_ERROR (1359)"
)

// errInternal is ERROR_INTERNAL_ERROR, wine's GapCreateProcess.
const errInternal syscall.Errno = 1359

// startAttempts bounds the GapCreateProcess retries: one failure in a whole
// CI run was seen; five in a row would be a real fault, not the gap.
const startAttempts = 5

// Start starts the command newCmd builds. Under wine, a start that failed for
// GapCreateProcess (the child never ran, so nothing was observed) is retried
// with a fresh command from newCmd; anywhere else, and for any other error,
// the first error is returned. newCmd must set up pipes itself, since a
// command cannot be started twice.
func Start(newCmd func() *exec.Cmd) (*exec.Cmd, error) {
	return start(newCmd, Wine(), (*exec.Cmd).Start)
}

func start(newCmd func() *exec.Cmd, wine bool, startCmd func(*exec.Cmd) error) (*exec.Cmd, error) {
	var err error
	for i := 0; i < startAttempts; i++ {
		if i > 0 {
			time.Sleep(time.Duration(i) * 100 * time.Millisecond) // let wineserver settle
		}
		cmd := newCmd()
		if err = startCmd(cmd); err == nil {
			return cmd, nil
		}
		if !wine || !errors.Is(err, errInternal) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w (%d attempts; %s)", err, startAttempts, GapCreateProcess)
}

// SkipOnWine skips t under wine for the named gap and does nothing elsewhere.
func SkipOnWine(t testing.TB, gap Gap) {
	t.Helper()
	if Wine() {
		t.Skip(string(gap))
	}
}

// TempDir is t.TempDir that also cleans up under wine: there os.RemoveAll
// fails (GapDeleteEx) and testing would report the leftover as a failure, so
// the tree is removed first with os.Remove (DeleteFileW / RemoveDirectoryW,
// which wine has). Natively it is exactly t.TempDir.
func TempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if Wine() {
		// Cleanups run last-in first-out: this one runs before testing's own
		// RemoveAll of the per-test parent, which then finds nothing.
		parent := filepath.Dir(dir)
		t.Cleanup(func() { removeTree(parent) })
	}
	return dir
}

func removeTree(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			removeTree(p)
			continue
		}
		os.Chmod(p, 0o600) // a read-only file refuses DeleteFileW
		os.Remove(p)
	}
	os.Remove(dir)
}
