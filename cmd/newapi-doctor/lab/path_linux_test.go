//go:build linux

package lab

import (
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

func (l *lab) testTrace(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		exit    int
		end     string
		hops    []string // responding address per hop, in order
		note    string   // the last hop's note
		lastHop int
	}{
		{"icmp reaches the server via the router", []string{ipOK, "--method", "icmp"}, 0, probe.TraceReached, []string{ipRouterIn, ipOK}, "reached", 2},
		{"udp (tracepath way) too", []string{ipOK, "--method", "udp"}, 0, probe.TraceReached, []string{ipRouterIn, ipOK}, "reached", 2},
		{"by name through the lab DNS", []string{"ok.lab.test"}, 0, probe.TraceReached, []string{ipRouterIn, ipOK}, "reached", 2},
		{"tcp SYN to 443", []string{ipOK, "--port", "443"}, 0, probe.TraceReached, []string{ipRouterIn, ipOK}, "reached", 2},
		{"tcp SYN blackhole: silence after the router", []string{ipBlackhole, "--port", "443", "--timeout", "1s"}, 1, probe.TraceSilent, []string{ipRouterIn, ""}, "", 1},
		{"tcp reset by the router in the target's name", []string{ipReset, "--port", "443"}, 0, probe.TraceReached, []string{ipRouterIn, ipReset}, "reset", 2},
		{"tcp refused with admin-prohibited", []string{ipProhib, "--port", "443"}, 1, probe.TraceUnreachable, []string{ipRouterIn, ipRouterIn}, "admin-prohibited", 2},
		{"no route at the router", []string{ipNetUnr, "--method", "udp"}, 1, probe.TraceUnreachable, []string{ipRouterIn}, "network-unreachable", 1},
		{"unreachable route", []string{ipHostUnr, "--method", "udp"}, 1, probe.TraceUnreachable, []string{ipRouterIn}, "host-unreachable", 1},
		{"prohibit route", []string{ipRouteProh, "--method", "icmp"}, 1, probe.TraceUnreachable, []string{ipRouterIn}, "admin-prohibited", 1},
		{"blackhole route: nothing answers", []string{ipBlackRt, "--timeout", "1s"}, 1, probe.TraceSilent, []string{""}, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := l.doctor(false, append([]string{"trace", "--format", "json", "--no-redact"}, c.args...)...)
			r := decode[probe.TraceResult](t, out)
			if code != c.exit || r.End != c.end || r.LastHop != c.lastHop {
				t.Fatalf("exit %d end %q last hop %d, want %d %q %d\n%s%s", code, r.End, r.LastHop, c.exit, c.end, c.lastHop, out, errOut)
			}
			if len(r.Hops) != len(c.hops) {
				t.Fatalf("%d hops, want %d: %+v", len(r.Hops), len(c.hops), r.Hops)
			}
			for i, want := range c.hops {
				got := ""
				if r.Hops[i].Addr.IsValid() {
					got = r.Hops[i].Addr.String()
				}
				if got != want {
					t.Errorf("hop %d: %q, want %q", i+1, got, want)
				}
			}
			if n := r.Hops[len(r.Hops)-1].Note; n != c.note {
				t.Errorf("last hop note %q, want %q", n, c.note)
			}
		})
	}
	t.Run("text names router then server", func(t *testing.T) {
		code, out, _ := l.doctor(false, "trace", ipOK, "--no-redact")
		i, j := strings.Index(out, "  1  "+ipRouterIn), strings.Index(out, "  2  "+ipOK)
		if code != 0 || i < 0 || j < i || !strings.Contains(out, "reached the target at hop 2") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
	t.Run("redacted by default", func(t *testing.T) {
		_, out, _ := l.doctor(false, "trace", ipOK)
		if strings.Contains(out, ipOK) || strings.Contains(out, ipRouterIn) || !strings.Contains(out, "ip-") {
			t.Fatalf("addresses not pseudonymised:\n%s", out)
		}
	})
}

func (l *lab) testPing(t *testing.T) {
	cases := []struct {
		name     string
		target   string
		exit     int
		received int
	}{
		{"server answers", ipOK, 0, 3},
		{"by name", "ok.lab.test", 0, 3},
		{"SYN-blackholed server still answers ping", ipBlackhole, 0, 3},
		{"blackhole route: no reply", ipBlackRt, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := l.doctor(false, "ping", c.target, "--count", "3", "--interval", "100ms", "--timeout", "1500ms", "--format", "json", "--no-redact")
			r := decode[probe.PingResult](t, out)
			if code != c.exit || r.Received != c.received || r.Sent != 3 || r.Skipped {
				t.Fatalf("exit %d sent %d received %d, want %d 3 %d\n%s%s", code, r.Sent, r.Received, c.exit, c.received, out, errOut)
			}
			for _, rep := range r.Replies {
				if rep.TTL != 63 { // 64, less the router
					t.Errorf("reply TTL %d, want 63", rep.TTL)
				}
			}
		})
	}
}

// testTraceSilentFigure logs the wall time of a 30-hop, 3-probe trace to an
// address that never answers (process start included). A figure, not an
// assertion: BenchmarkTraceSilent in probe is the benchmark.
func (l *lab) testTraceSilentFigure(t *testing.T) {
	start := time.Now()
	code, out, _ := l.doctor(false, "trace", ipBlackRt, "--timeout", "1s", "--max-hops", "30", "--probes", "3", "--format", "json", "--no-redact")
	d := time.Since(start)
	r := decode[probe.TraceResult](t, out)
	if code != 1 || r.End != probe.TraceSilent {
		t.Fatalf("exit %d end %q, want a silent trace", code, r.End)
	}
	t.Logf("30-hop silent trace with a 1s probe timeout: %v wall (trace itself %.0f ms)", d.Round(time.Millisecond), r.DurationMS)
}

func (l *lab) testUnprivileged(t *testing.T) {
	t.Run("ping skipped with the fix", func(t *testing.T) {
		code, out, errOut := l.doctor(true, "ping", ipOK, "--count", "1")
		for _, want := range []string{"skipped", "uid 65534 without CAP_NET_RAW", "setcap cap_net_raw+ep " + l.bin, `net.ipv4.ping_group_range="0 2147483647"`} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		if code != 0 {
			t.Errorf("exit %d, want 0 for a skip", code)
		}
		if t.Failed() {
			t.Logf("output:\n%s%s", out, errOut)
		}
	})
	t.Run("icmp trace skipped with the fix", func(t *testing.T) {
		code, out, _ := l.doctor(true, "trace", ipOK, "--method", "icmp", "--format", "json", "--no-redact")
		r := decode[probe.TraceResult](t, out)
		if code != 0 || !r.Skipped || !strings.Contains(r.Fix, "setcap cap_net_raw+ep") {
			t.Fatalf("exit %d: %s", code, out)
		}
	})
	// The fixes the skips name do fix it: CAP_NET_RAW (what setcap grants,
	// here as an ambient capability) and the ping_group_range sysctl.
	t.Run("fix: CAP_NET_RAW", func(t *testing.T) {
		caps := []string{"--inh-caps=+net_raw", "--ambient-caps=+net_raw"}
		code, out, errOut := l.doctorAs(caps, "ping", ipOK, "--count", "2", "--interval", "50ms", "--format", "json", "--no-redact")
		p := decode[probe.PingResult](t, out)
		if code != 0 || p.Mode != "privileged" || p.Received != 2 {
			t.Fatalf("ping with CAP_NET_RAW: exit %d %s%s", code, out, errOut)
		}
		code, out, _ = l.doctorAs(caps, "trace", ipOK, "--method", "icmp", "--format", "json", "--no-redact")
		r := decode[probe.TraceResult](t, out)
		if code != 0 || r.Skipped || r.End != probe.TraceReached || len(r.Hops) != 2 {
			t.Fatalf("icmp trace with CAP_NET_RAW: exit %d %s", code, out)
		}
	})
	t.Run("fix: ping_group_range", func(t *testing.T) {
		l.ns(nsClient, "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
		defer l.ns(nsClient, "sysctl", "-qw", "net.ipv4.ping_group_range=1 0")
		code, out, errOut := l.doctor(true, "ping", ipOK, "--count", "2", "--interval", "50ms", "--format", "json", "--no-redact")
		p := decode[probe.PingResult](t, out)
		if code != 0 || p.Mode != "unprivileged" || p.Received != 2 {
			t.Fatalf("unprivileged ping after the sysctl: exit %d %s%s", code, out, errOut)
		}
	})
	for _, m := range []struct{ name, flag, val, method string }{{"udp", "--method", "udp", "udp"}, {"tcp", "--port", "443", "tcp"}} {
		t.Run(m.name+" trace works without privileges", func(t *testing.T) {
			code, out, _ := l.doctor(true, "trace", ipOK, m.flag, m.val, "--format", "json", "--no-redact")
			r := decode[probe.TraceResult](t, out)
			if code != 0 || r.Method != m.method || r.End != probe.TraceReached || len(r.Hops) != 2 ||
				r.Hops[0].Addr.String() != ipRouterIn || r.Hops[1].Addr.String() != ipOK {
				t.Fatalf("exit %d: %s", code, out)
			}
		})
	}
}
