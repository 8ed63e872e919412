//go:build linux

package probe

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// testNetns builds a throwaway network namespace (prefix "nd-", removed in
// Cleanup) and returns a runner that executes fn on an OS thread moved into
// it. The thread is never unlocked, so Go discards it afterwards and no other
// goroutine ever runs in the namespace by accident.
func testNetns(tb testing.TB, setup ...string) func(fn func()) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("needs root to create a network namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		tb.Skip("needs iproute2 (ip): " + err.Error())
	}
	name := fmt.Sprintf("nd-probe-%d", os.Getpid())
	removeStaleNetns()
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		tb.Skipf("ip netns unavailable here: %v: %s", err, out)
	}
	tb.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	for _, s := range append([]string{"link set lo up"}, setup...) {
		args := append([]string{"-n", name}, strings.Fields(s)...)
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			tb.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return func(fn func()) {
		done := make(chan error, 1)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread dies with this goroutine
			f, err := os.Open("/var/run/netns/" + name)
			if err != nil {
				done <- err
				return
			}
			defer f.Close()
			if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
				done <- err
				return
			}
			fn()
			done <- nil
		}()
		if err := <-done; err != nil {
			tb.Fatalf("entering %s: %v", name, err)
		}
	}
}

// silentNetns routes 198.51.100.0/24 out of one end of a veth pair to a
// gateway with a fixed MAC nobody has: probes leave, the other end drops
// them, and nothing ever answers, not even the local stack (no ARP to fail).
// (A dummy interface would do, but sandboxed kernels may lack the module.)
func silentNetns(tb testing.TB) func(fn func()) {
	return testNetns(tb,
		"link add nd-sil0 type veth peer name nd-sil1",
		"addr add 203.0.113.1/24 dev nd-sil0",
		"link set nd-sil0 up",
		"link set nd-sil1 up",
		"neigh add 203.0.113.254 lladdr 02:00:00:00:00:fe dev nd-sil0 nud permanent",
		"route add 198.51.100.0/24 via 203.0.113.254 dev nd-sil0")
}

// removeStaleNetns deletes the namespaces of crashed test runs: nd-probe-PID
// whose process is gone (a live PID may be a concurrent run).
func removeStaleNetns() {
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		pid, ok := strings.CutPrefix(name, "nd-probe-")
		if !ok {
			continue
		}
		if _, err := os.Stat("/proc/" + pid); err == nil && pid != fmt.Sprint(os.Getpid()) {
			continue
		}
		_ = exec.Command("ip", "netns", "del", name).Run()
	}
}
