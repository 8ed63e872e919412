package diag

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

func TestLocalisePathVerdicts(t *testing.T) {
	router := netip.MustParseAddr("198.51.100.1")
	target := netip.MustParseAddr("203.0.113.10")
	hops := func(n int, last netip.Addr, note string) []probe.TraceHop {
		var h []probe.TraceHop
		for i := 1; i <= n; i++ {
			a := router
			if i == n {
				a = last
			}
			h = append(h, probe.TraceHop{TTL: i, Addr: a, Sent: 1, Received: 1})
		}
		if n > 0 {
			h[n-1].Note = note
		}
		return h
	}
	reached := probe.TraceResult{Method: "icmp", End: probe.TraceReached, EndHop: 2, LastHop: 2, Hops: hops(2, target, "reached")}
	silentAfter1 := probe.TraceResult{Method: "udp", End: probe.TraceSilent, LastHop: 1, Hops: append(hops(1, router, ""), probe.TraceHop{TTL: 2, Sent: 3})}
	tcpSilent := silentAfter1
	tcpSilent.Method = "tcp"
	pingOK := probe.PingResult{Sent: 3, Received: 3}
	pingLost := probe.PingResult{Sent: 3}
	skippedPing := probe.PingResult{Skipped: true, SkipReason: "no CAP_NET_RAW", Fix: "sudo setcap cap_net_raw+ep /x"}

	cases := []struct {
		name     string
		ping     probe.PingResult
		trace    probe.TraceResult
		tcp      probe.TraceResult
		port     int
		verdict  string
		contains []string
		lastHop  int
	}{
		{"filter on the port", pingOK, reached, tcpSilent, 443, PathPortFiltered,
			[]string{"answers ping", "not TCP 443", "a filter on the port", "after hop 1"}, 2},
		{"path ends", pingLost, silentAfter1, tcpSilent, 443, PathEnds,
			[]string{"the path ends after hop 1", "198.51.100.1", "the target does not answer"}, 1},
		{"tcp open: above TCP", pingOK, reached,
			probe.TraceResult{Method: "tcp", End: probe.TraceReached, EndHop: 2, LastHop: 2, Hops: hops(2, target, "reached")}, 443, PathTCPOpen,
			[]string{"accepts TCP 443", "above TCP"}, 2},
		{"port rejected by a hop", pingOK, reached,
			probe.TraceResult{Method: "tcp", End: probe.TraceUnreachable, EndHop: 2, LastHop: 2, UnreachableFrom: router, Reason: "admin-prohibited", ICMPCode: 13, Hops: hops(2, router, "admin-prohibited")}, 443, PathPortRejected,
			[]string{"hop 2 (198.51.100.1) refuses TCP 443", "admin-prohibited", "code 13"}, 2},
		{"network unreachable", pingLost,
			probe.TraceResult{Method: "icmp", End: probe.TraceUnreachable, EndHop: 1, LastHop: 1, UnreachableFrom: router, Reason: "network-unreachable", ICMPCode: 0, Hops: hops(1, router, "network-unreachable")},
			probe.TraceResult{Method: "tcp", End: probe.TraceUnreachable, EndHop: 1, LastHop: 1, UnreachableFrom: router, Reason: "network-unreachable", Hops: hops(1, router, "network-unreachable")}, 0, PathUnreachable,
			[]string{"hop 1 (198.51.100.1) answers network-unreachable"}, 1},
		{"whole path refused: not a port filter", pingLost,
			probe.TraceResult{Method: "udp", End: probe.TraceUnreachable, EndHop: 1, LastHop: 1, UnreachableFrom: router, Reason: "host-unreachable", ICMPCode: 1, Hops: hops(1, router, "host-unreachable")},
			probe.TraceResult{Method: "tcp", End: probe.TraceUnreachable, EndHop: 30, LastHop: 30, UnreachableFrom: router, Reason: "host-unreachable", ICMPCode: 1, Hops: hops(30, router, "host-unreachable")}, 443, PathUnreachable,
			[]string{"hop 1 (198.51.100.1) answers host-unreachable (ICMP code 1): the path ends there"}, 1},
		{"only the tcp trace heard the router's no-route", pingLost,
			probe.TraceResult{Method: "icmp", End: probe.TraceSilent, Hops: []probe.TraceHop{{TTL: 1, Sent: 3}}},
			probe.TraceResult{Method: "tcp", End: probe.TraceUnreachable, EndHop: 1, LastHop: 1, UnreachableFrom: router, Reason: "network-unreachable", ICMPCode: 0, Hops: hops(1, router, "network-unreachable")}, 443, PathUnreachable,
			[]string{"hop 1 (198.51.100.1) answers network-unreachable (ICMP code 0): the path ends there"}, 1},
		{"udp trace answers, ping filtered, port silent", pingLost,
			probe.TraceResult{Method: "udp", End: probe.TraceReached, EndHop: 2, LastHop: 2, Hops: hops(2, target, "reached")}, tcpSilent, 443, PathPortFiltered,
			[]string{"answers a UDP traceroute but not TCP 443"}, 2},
		{"no hop", pingLost, probe.TraceResult{Method: "udp", End: probe.TraceSilent, Hops: []probe.TraceHop{{TTL: 1, Sent: 3}}}, probe.TraceResult{}, 0, PathNoHop,
			[]string{"no hop answered"}, 0},
		{"reached without a port", pingOK, reached, probe.TraceResult{}, 0, PathReached, []string{"answers ping and an ICMP traceroute (2 hops)"}, 2},
		{"routers silent, target answers: the firewall is said", pingOK,
			probe.TraceResult{Method: "icmp", End: probe.TraceReached, EndHop: 3, LastHop: 3, Warning: "Windows Defender Firewall drops Time Exceeded",
				Hops: []probe.TraceHop{{TTL: 1, Sent: 3}, {TTL: 2, Sent: 3}, {TTL: 3, Addr: target, Sent: 3, Received: 3, Note: "reached"}}},
			probe.TraceResult{}, 0, PathReached, []string{"answers ping", "Windows Defender Firewall drops Time Exceeded"}, 3},
		{"everything skipped", skippedPing, probe.TraceResult{Skipped: true, SkipReason: "raw", Err: probe.ErrNoPrivilege}, probe.TraceResult{}, 0, PathSkipped,
			[]string{"skipped", "setcap cap_net_raw+ep"}, 0},
		{"only tcp ran, silent", skippedPing, probe.TraceResult{Skipped: true, Err: probe.ErrNoPrivilege}, tcpSilent, 443, PathEnds,
			[]string{"ends after hop 1"}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := pathProbes{
				ping: func(context.Context, string, probe.PingOptions) probe.PingResult { return c.ping },
				trace: func(_ context.Context, _ string, o probe.TraceOptions) probe.TraceResult {
					if o.Method == probe.TraceTCP {
						if o.Port != c.port {
							t.Errorf("tcp trace to port %d, want %d", o.Port, c.port)
						}
						return c.tcp
					}
					return c.trace
				},
			}
			pi := localisePath(context.Background(), PathTarget{Host: "api.example.test", Addr: target, Port: c.port}, p)
			if pi.Verdict != c.verdict {
				t.Fatalf("verdict %q (%s), want %q", pi.Verdict, pi.Summary, c.verdict)
			}
			for _, s := range c.contains {
				if !strings.Contains(pi.Summary, s) {
					t.Errorf("summary %q lacks %q", pi.Summary, s)
				}
			}
			if pi.LastHop != c.lastHop || pi.Target != "api.example.test (203.0.113.10)" || pi.Ping == nil || pi.Trace == nil {
				t.Errorf("got last hop %d target %q, want %d", pi.LastHop, pi.Target, c.lastHop)
			}
			wantReason := ""
			switch {
			case c.verdict == PathPortRejected || c.verdict == PathUnreachable && c.trace.End != probe.TraceUnreachable:
				wantReason = c.tcp.Reason
			case c.verdict == PathUnreachable:
				wantReason = c.trace.Reason
			}
			if pi.Reason != wantReason || (wantReason == "") != (c.verdict != PathPortRejected && c.verdict != PathUnreachable) {
				t.Errorf("reason %q, want %q", pi.Reason, wantReason)
			}
			if (pi.TCPTrace != nil) != (c.port > 0) {
				t.Errorf("tcp trace present = %v with port %d", pi.TCPTrace != nil, c.port)
			}
		})
	}
}
