//go:build linux

package lab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" {
		os.Exit(runRole(role))
	}
	os.Exit(m.Run())
}

// Namespaces (prefix "nd-lab-": leftovers of a crashed run are removed on the
// next start) and addresses. Client 198.51.100.2 —— router —— servers in
// 203.0.113.0/26. The router knows no route to 203.0.113.128/25 (network
// unreachable) and has unreachable/prohibit/blackhole routes for single
// addresses. None of the namespaces has a link to the host: nothing routes out.
const (
	nsPrefix = "nd-lab-"
	nsClient = nsPrefix + "c"
	nsRouter = nsPrefix + "r"
	nsServer = nsPrefix + "s"

	ipClient    = "198.51.100.2"
	ipRouterIn  = "198.51.100.1"
	ipRouterOut = "203.0.113.1"
	ipOK        = "203.0.113.10" // upstream: 200/429/503/never by Host; SNI filter by name
	ipBlackhole = "203.0.113.14" // router DROPs its TCP 443 (SYN blackhole); ping still answers
	ipReset     = "203.0.113.15" // router REJECTs TCP 443 with tcp-reset
	ipProhib    = "203.0.113.16" // router REJECTs TCP 443 with icmp-admin-prohibited
	ipProxy     = "203.0.113.20" // tinyproxy: 8888 open, 8889 BasicAuth, 8890 CONNECT only to 8443; dante: 1080 SOCKS5
	ipDNS       = "203.0.113.53" // dnsmasq
	ipServfail  = "203.0.113.54" // SERVFAIL upstream of dnsmasq for one zone
	ipDNSSilent = "203.0.113.55" // router DROPs DNS to it
	ipNetUnr    = "203.0.113.200"
	ipHostUnr   = "203.0.113.150"
	ipRouteProh = "203.0.113.151"
	ipBlackRt   = "203.0.113.152"
)

type lab struct {
	t     *testing.T
	dir   string
	bin   string // newapi-doctor, built for this run
	self  string // this test binary (the servers' roles)
	procs []*exec.Cmd
	ca    string
	// verdicts: the latest root check's result per endpoint name, reused by
	// the curl comparison instead of probing every fault twice.
	verdicts map[string]diag.EndpointResult
}

func run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (l *lab) ns(ns string, args ...string) string {
	return run(l.t, append([]string{"ip", "netns", "exec", ns}, args...)...)
}

// prerequisites skips (with the reason) only when the lab genuinely cannot
// run here; CI runs as root with .ci/lab-deps.sh's packages.
func prerequisites(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault lab is not short (-short)")
	}
	if os.Geteuid() != 0 {
		t.Skip("the fault lab needs root (network namespaces, iptables)")
	}
	for _, b := range []string{"ip", "iptables", "tinyproxy", "dnsmasq", "setpriv", "sysctl"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed (run .ci/lab-deps.sh): %v", b, err)
		}
	}
	probeNS := nsPrefix + "probe"
	_ = exec.Command("ip", "netns", "del", probeNS).Run()
	if out, err := exec.Command("ip", "netns", "add", probeNS).CombinedOutput(); err != nil {
		t.Skipf("ip netns unavailable on this kernel: %v: %s", err, out)
	}
	_ = exec.Command("ip", "netns", "del", probeNS).Run()
}

// removeLeftovers deletes namespaces of a crashed run, after ending the lab
// processes still inside them (they keep a namespace alive).
func removeLeftovers() {
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if !strings.HasPrefix(name, nsPrefix) {
			continue
		}
		pids, _ := exec.Command("ip", "netns", "pids", name).Output()
		for _, p := range strings.Fields(string(pids)) {
			var pid int
			if _, err := fmt.Sscan(p, &pid); err == nil && pid > 1 {
				_ = unix.Kill(pid, unix.SIGKILL)
			}
		}
		_ = exec.Command("ip", "netns", "del", name).Run()
		_ = os.RemoveAll("/etc/netns/" + name)
	}
}

// labLock: one lab at a time on a machine, the names are fixed.
func labLock(t *testing.T) {
	lock, err := os.OpenFile("/run/newapi-doctor-lab.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lock.Close() })
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go" // go test puts $GOROOT/bin first in a test's PATH (Go 1.19+)
}

func newLab(t *testing.T) *lab {
	prerequisites(t)
	start := time.Now()
	labLock(t)
	removeLeftovers()

	// nobody must reach the binary, config and CA for the unprivileged run,
	// so not t.TempDir (its parent is 0700).
	dir, err := os.MkdirTemp("", "nd-lab-")
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	l := &lab{t: t, dir: dir, bin: filepath.Join(dir, "newapi-doctor"), self: self}
	build := exec.Command(goTool(), "build", "-o", l.bin, "github.com/newapi-doctor/newapi-doctor/cmd/newapi-doctor")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building newapi-doctor: %v\n%s", err, out)
	}
	t.Cleanup(l.teardown) // registered before anything is built: always runs
	t0 := time.Now()
	l.topology()
	l.faults()
	t1 := time.Now()
	l.servers()
	t.Logf("build %v, topology+faults %v, servers %v", t0.Sub(start).Round(time.Millisecond), t1.Sub(t0).Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
	return l
}

func (l *lab) teardown() { l.teardownNS(nsClient, nsRouter, nsServer) }

// teardownNS ends the lab's processes and deletes its namespaces.
func (l *lab) teardownNS(nss ...string) {
	for _, p := range l.procs {
		if p.Process != nil {
			_ = p.Process.Kill()
			_ = p.Wait()
		}
	}
	for _, ns := range nss {
		_ = exec.Command("ip", "netns", "del", ns).Run()
		_ = os.RemoveAll("/etc/netns/" + ns)
	}
}

// routedTopology builds the shape every lab fixture shares: client ——
// router —— server namespaces joined by veth pairs nd-lab-<tag>c0/r0 and
// nd-lab-<tag>r1/s0, the client in 198.51.100.0/26, the server holding
// serverAddrs in 203.0.113.0/26, default routes through the router and
// nothing routed out. Forwarding and any faults are the caller's.
func routedTopology(t testing.TB, client, router, server, tag string, serverAddrs []string) {
	for _, ns := range []string{client, router, server} {
		run(t, "ip", "netns", "add", ns)
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	dev := func(end string) string { return nsPrefix + tag + end }
	run(t, "ip", "link", "add", dev("c0"), "netns", client, "type", "veth", "peer", "name", dev("r0"), "netns", router)
	run(t, "ip", "link", "add", dev("s0"), "netns", server, "type", "veth", "peer", "name", dev("r1"), "netns", router)
	ipn := func(ns string, args ...string) { run(t, append([]string{"ip", "-n", ns}, args...)...) }
	ipn(client, "addr", "add", ipClient+"/26", "dev", dev("c0"))
	ipn(router, "addr", "add", ipRouterIn+"/26", "dev", dev("r0"))
	ipn(router, "addr", "add", ipRouterOut+"/26", "dev", dev("r1"))
	for _, a := range serverAddrs {
		ipn(server, "addr", "add", a+"/26", "dev", dev("s0"))
	}
	for _, x := range [][2]string{{client, "c0"}, {router, "r0"}, {router, "r1"}, {server, "s0"}} {
		ipn(x[0], "link", "set", dev(x[1]), "up")
	}
	ipn(client, "route", "add", "default", "via", ipRouterIn)
	ipn(server, "route", "add", "default", "via", ipRouterOut)
}

func (l *lab) topology() {
	routedTopology(l.t, nsClient, nsRouter, nsServer, "", []string{ipOK, ipBlackhole, ipReset, ipProhib, ipProxy, ipDNS, ipServfail, ipDNSSilent})
	// The router forwards, and answers every probe: Linux rate-limits ICMP
	// errors per destination (a burst of 6, then 1/s), which would make
	// back-to-back lab traces lose hops at random. icmp_ratemask=0 exempts
	// every type; icmp_ratelimit=0 would not do: it zeroes the per-peer
	// tokens that route errors (no route, unreachable, prohibit: error_cost,
	// a burst of 5 then 1/s) also draw on, silencing those.
	l.ns(nsRouter, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.icmp_ratemask=0")
	l.ns(nsServer, "sysctl", "-qw", "net.ipv4.icmp_ratemask=0")
	for _, ns := range []string{nsClient, nsServer} {
		d := "/etc/netns/" + ns
		if err := os.MkdirAll(d, 0o755); err != nil {
			l.t.Fatal(err)
		}
		l.writeResolvConf(ns, ipDNS)
	}
}

// writeResolvConf sets a namespace's resolver: `ip netns exec` bind-mounts
// /etc/netns/NAME/resolv.conf over /etc/resolv.conf for each command.
func (l *lab) writeResolvConf(ns, server string) {
	conf := fmt.Sprintf("nameserver %s\noptions timeout:1 attempts:1\n", server)
	if err := os.WriteFile("/etc/netns/"+ns+"/resolv.conf", []byte(conf), 0o644); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lab) faults() {
	ipt := func(args ...string) { l.ns(nsRouter, append([]string{"iptables", "-A", "FORWARD"}, args...)...) }
	ipt("-d", ipBlackhole, "-p", "tcp", "--dport", "443", "-j", "DROP")
	ipt("-d", ipReset, "-p", "tcp", "--dport", "443", "-j", "REJECT", "--reject-with", "tcp-reset")
	ipt("-d", ipProhib, "-p", "tcp", "--dport", "443", "-j", "REJECT", "--reject-with", "icmp-admin-prohibited")
	// SNI filtering: a ClientHello naming sni.lab.test is answered with a reset.
	ipt("-p", "tcp", "--dport", "443", "-m", "string", "--string", "sni.lab.test", "--algo", "bm", "-j", "REJECT", "--reject-with", "tcp-reset")
	ipt("-d", ipDNSSilent, "-p", "udp", "--dport", "53", "-j", "DROP")
	ipt("-d", ipDNSSilent, "-p", "tcp", "--dport", "53", "-j", "DROP")
	for _, r := range [][]string{{"unreachable", ipHostUnr}, {"prohibit", ipRouteProh}, {"blackhole", ipBlackRt}} {
		run(l.t, "ip", "-n", nsRouter, "route", "add", r[0], r[1]+"/32")
	}
}

// labNames maps every lab name to its address (dnsmasq's address= lines).
var labNames = map[string]string{
	"ok.lab.test": ipOK, "busy.lab.test": ipOK, "down.lab.test": ipOK, "hang.lab.test": ipOK, "sni.lab.test": ipOK,
	"blackhole.lab.test": ipBlackhole, "reset.lab.test": ipReset, "prohibited.lab.test": ipProhib,
	"netunreach.lab.test": ipNetUnr, "hostunreach.lab.test": ipHostUnr, "proxy.lab.test": ipProxy,
}

func (l *lab) start(ns string, env []string, args ...string) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var logBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	if err := cmd.Start(); err != nil {
		l.t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	l.procs = append(l.procs, cmd)
}

func (l *lab) write(name, content string) string {
	p := filepath.Join(l.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		l.t.Fatal(err)
	}
	return p
}

func (l *lab) servers() {
	ca, cert, key := writePKI(l.t, l.dir)
	l.ca = ca
	l.start(nsServer, []string{roleEnv + "=upstream", "ND_LAB_LISTEN=:443", "ND_LAB_CERT=" + cert, "ND_LAB_KEY=" + key}, l.self)
	l.start(nsServer, []string{roleEnv + "=upstream-http", "ND_LAB_LISTEN=" + ipOK + ":80"}, l.self)
	l.start(nsServer, []string{roleEnv + "=dns-servfail", "ND_LAB_LISTEN=" + ipServfail + ":53"}, l.self)

	var dm strings.Builder
	fmt.Fprintf(&dm, "no-resolv\nno-hosts\nkeep-in-foreground\nbind-interfaces\nlisten-address=%s\nuser=root\n", ipDNS)
	for name, a := range labNames {
		fmt.Fprintf(&dm, "address=/%s/%s\n", name, a)
	}
	dm.WriteString("address=/nx.lab.test/\n")                // NXDOMAIN: answered locally, no such name
	fmt.Fprintf(&dm, "server=/sf.lab.test/%s\n", ipServfail) // SERVFAIL relayed from the zone's upstream
	l.start(nsServer, nil, "dnsmasq", "-C", l.write("dnsmasq.conf", dm.String()), "--pid-file="+filepath.Join(l.dir, "dnsmasq.pid"))

	proxy := func(name string, port int, extra string) {
		conf := fmt.Sprintf("Port %d\nListen %s\nTimeout 15\nMaxClients 50\nAllow %s/26\nLogLevel Warning\n%s", port, ipProxy, ipClient, extra)
		l.start(nsServer, nil, "tinyproxy", "-d", "-c", l.write(name, conf))
	}
	proxy("tinyproxy-open.conf", 8888, "ConnectPort 443\n")
	proxy("tinyproxy-auth.conf", 8889, "BasicAuth alice s3cret-lab-pass\nConnectPort 443\n")
	proxy("tinyproxy-ports.conf", 8890, "ConnectPort 8443\n")
	waitFor := []string{
		"tcp:" + ipOK + ":443", "tcp:" + ipOK + ":80", "tcp:" + ipProxy + ":8888", "tcp:" + ipProxy + ":8889", "tcp:" + ipProxy + ":8890",
		"dns:" + ipDNS + ":53:ok.lab.test", "dns:" + ipServfail + ":53:x.sf.lab.test",
	}
	if l.startDante() {
		waitFor = append(waitFor, "tcp:"+ipProxy+":1080")
	}

	wait := exec.Command("ip", "netns", "exec", nsClient, l.self)
	wait.Env = append(os.Environ(), roleEnv+"=wait", "ND_LAB_WAIT="+strings.Join(waitFor, ","))
	if out, err := wait.CombinedOutput(); err != nil {
		l.t.Fatalf("lab servers not ready: %v\n%s", err, out)
	}
}

// doctor runs newapi-doctor in the client namespace, as root or (asUser)
// as nobody with no groups and no capabilities, with a clean environment.
func (l *lab) doctor(nobody bool, args ...string) (int, string, string) {
	var priv []string
	if nobody {
		priv = []string{"--inh-caps=-all"}
	}
	return l.doctorAs(priv, args...)
}

// doctorAs runs newapi-doctor as nobody with setpriv's capability options
// priv (nil = as root).
func (l *lab) doctorAs(priv []string, args ...string) (int, string, string) {
	argv := []string{"netns", "exec", nsClient}
	if priv != nil {
		argv = append(append(argv, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), priv...)
	}
	argv = append(argv, l.bin)
	cmd := exec.Command("ip", append(argv, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + l.dir, "NO_COLOR=1"}
	cmd.Dir = l.dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		l.t.Fatalf("running newapi-doctor: %v", err)
	}
	return code, out.String(), errOut.String()
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON (%v):\n%s", err, s)
	}
	return v
}

// TestLab is the whole fault lab: one topology, many subtests.
func TestLab(t *testing.T) {
	start := time.Now()
	l := newLab(t)
	t.Logf("lab up in %v", time.Since(start).Round(time.Millisecond))
	t.Run("trace", l.testTrace)
	t.Run("ping", l.testPing)
	t.Run("trace-silent-timing", l.testTraceSilentFigure)
	t.Run("unprivileged", l.testUnprivileged)
	t.Run("check", l.testCheck)
	t.Run("proxied paths", l.testProxiedPaths)
	t.Run("curl", l.testCurl)
	t.Logf("whole lab: %v", time.Since(start).Round(time.Millisecond))
}

// TestLabRemovesLeftovers: a namespace (and its resolv.conf) left by a
// crashed run is gone after the next start's cleanup.
func TestLabRemovesLeftovers(t *testing.T) {
	prerequisites(t)
	labLock(t)
	stale := nsPrefix + "stale"
	run(t, "ip", "netns", "add", stale)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", stale).Run(); _ = os.RemoveAll("/etc/netns/" + stale) })
	if err := os.MkdirAll("/etc/netns/"+stale, 0o755); err != nil {
		t.Fatal(err)
	}
	removeLeftovers()
	if out := run(t, "ip", "netns", "list"); strings.Contains(out, stale) {
		t.Fatalf("%s still there:\n%s", stale, out)
	}
	if _, err := os.Stat("/etc/netns/" + stale); !os.IsNotExist(err) {
		t.Fatalf("/etc/netns/%s still there (%v)", stale, err)
	}
}
