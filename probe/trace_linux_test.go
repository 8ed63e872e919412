//go:build linux

package probe

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestTraceLoopback(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	open := ln.Addr().(*net.TCPAddr).Port
	closedLn, _ := net.Listen("tcp4", "127.0.0.1:0")
	closed := closedLn.Addr().(*net.TCPAddr).Port
	closedLn.Close()

	cases := []struct {
		name   string
		opt    TraceOptions
		note   string
		method string
	}{
		{"udp", TraceOptions{Method: TraceUDP}, "reached", TraceUDP},
		{"tcp-open", TraceOptions{Method: TraceTCP, Port: open}, "reached", TraceTCP},
		{"tcp-closed", TraceOptions{Method: TraceTCP, Port: closed}, "reset", TraceTCP},
		{"auto-unprivileged", TraceOptions{Privileges: &Privileges{}}, "reached", TraceUDP},
	}
	if ln6, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		defer ln6.Close()
		p6 := ln6.Addr().(*net.TCPAddr).Port
		cases = append(cases, []struct {
			name   string
			opt    TraceOptions
			note   string
			method string
		}{
			{"udp6", TraceOptions{Method: TraceUDP, Network: "ip6"}, "reached", TraceUDP},
			{"tcp6-open", TraceOptions{Method: TraceTCP, Port: p6, Network: "ip6"}, "reached", TraceTCP},
		}...)
	}
	if DetectPrivileges().Raw {
		cases = append(cases, struct {
			name   string
			opt    TraceOptions
			note   string
			method string
		}{"icmp", TraceOptions{Method: TraceICMP}, "reached", TraceICMP})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opt.ProbeTimeout = 2 * time.Second
			host, want := "127.0.0.1", netip.MustParseAddr("127.0.0.1")
			if c.opt.Network == "ip6" {
				host, want = "::1", netip.IPv6Loopback()
			}
			r := Trace(context.Background(), host, c.opt)
			if r.Err != nil || r.Skipped {
				t.Fatalf("trace failed: %v (skipped %v %s)", r.Err, r.Skipped, r.SkipReason)
			}
			if r.Method != c.method || r.End != TraceReached || r.EndHop != 1 || len(r.Hops) != 1 {
				t.Fatalf("got method %s end %s at %d with %d hops, want %s reached at hop 1", r.Method, r.End, r.EndHop, len(r.Hops), c.method)
			}
			h := r.Hops[0]
			if h.Addr != want || h.Note != c.note || h.Received == 0 {
				t.Fatalf("hop 1 = %+v, want %v %s", h, want, c.note)
			}
		})
	}
}

func TestTraceSilentNetns(t *testing.T) {
	run := silentNetns(t)
	var r TraceResult
	run(func() {
		r = Trace(context.Background(), "198.51.100.77", TraceOptions{Method: TraceUDP, MaxHops: 8, Probes: 2, ProbeTimeout: 300 * time.Millisecond})
	})
	if r.Err != nil || r.End != TraceSilent || r.LastHop != 0 || r.LastAddr().IsValid() {
		t.Fatalf("got end %q last hop %d err %v, want a silent trace", r.End, r.LastHop, r.Err)
	}
	if len(r.Hops) != 1 || r.Hops[0].Sent != 2 || r.Hops[0].Received != 0 {
		t.Fatalf("hops = %+v, want one silent hop with 2 probes sent", r.Hops)
	}
}

func TestTraceNoRoute(t *testing.T) {
	run := testNetns(t) // only lo: no route anywhere
	for _, m := range []string{TraceUDP, TraceTCP} {
		t.Run(m, func(t *testing.T) {
			var r TraceResult
			run(func() {
				r = Trace(context.Background(), "198.51.100.77", TraceOptions{Method: m, Port: 443, MaxHops: 4, Probes: 1, ProbeTimeout: 300 * time.Millisecond})
			})
			if r.End != TraceUnreachable || r.Reason != "no-route-here" || r.EndHop != 1 {
				t.Fatalf("got end %q reason %q at hop %d (err %v), want unreachable no-route-here at hop 1", r.End, r.Reason, r.EndHop, r.Err)
			}
		})
	}
}

// BenchmarkTraceSilent: a 30-hop, 3-probe trace to an address that never
// answers. Target: at most 2× ProbeTimeout (1s here) per op.
func BenchmarkTraceSilent(b *testing.B) {
	run := silentNetns(b)
	run(func() {
		for b.Loop() {
			r := Trace(context.Background(), "198.51.100.77", TraceOptions{Method: TraceUDP, MaxHops: 30, Probes: 3, ProbeTimeout: time.Second})
			if r.End != TraceSilent {
				b.Fatalf("end %q, want silent", r.End)
			}
		}
	})
}

func TestParseExtendedErr(t *testing.T) {
	dst := netip.MustParseAddr("203.0.113.10")
	router := netip.MustParseAddr("198.51.100.1")
	ee := func(origin, typ, code byte, from netip.Addr) []byte {
		b := make([]byte, 16, 32)
		b[4], b[5], b[6] = origin, typ, code
		sa := make([]byte, 16)
		binary.NativeEndian.PutUint16(sa, unix.AF_INET)
		a := from.As4()
		copy(sa[4:], a[:])
		return append(b, sa...)
	}
	cases := []struct {
		name string
		in   []byte
		udp  bool
		kind int
		code int
		from netip.Addr
		ok   bool
	}{
		{"time exceeded", ee(2, 11, 0, router), true, evHop, 0, router, true},
		{"port unreachable from target (udp)", ee(2, 3, 3, dst), true, evReached, 0, dst, true},
		{"port unreachable from target (tcp)", ee(2, 3, 3, dst), false, evUnreach, 3, dst, true},
		{"admin prohibited from router", ee(2, 3, 13, router), false, evUnreach, 13, router, true},
		{"net unreachable", ee(2, 3, 0, router), true, evUnreach, 0, router, true},
		{"local origin ignored", ee(1, 0, 0, router), true, 0, 0, netip.Addr{}, false},
		{"short", []byte{1, 2, 3}, true, 0, 0, netip.Addr{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, ok := parseExtendedErr(c.in, dst, c.udp)
			if ok != c.ok || (ok && (ev.kind != c.kind || ev.code != c.code || ev.from != c.from)) {
				t.Fatalf("got %+v %v, want kind %d code %d from %v ok %v", ev, ok, c.kind, c.code, c.from, c.ok)
			}
		})
	}
}

func FuzzParseExtendedErr(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 2, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 198, 51, 100, 1}, true)
	f.Add([]byte{0, 0, 0, 0, 3, 1, 4, 0}, false)
	dst := netip.MustParseAddr("203.0.113.10")
	f.Fuzz(func(t *testing.T, b []byte, udp bool) {
		ev, ok := parseExtendedErr(b, dst, udp)
		if ok && ev.kind == evReached && ev.from != dst {
			t.Fatalf("reached from %v, not the target", ev.from)
		}
	})
}

// fullQueueListener listens on 127.0.0.1 with a backlog of 0 and fills the
// accept queue with one connection nobody accepts: the kernel then drops
// every further SYN, a filtered port on loopback without a firewall.
func fullQueueListener(t *testing.T) int {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := unix.Getsockname(fd)
	port := sa.(*unix.SockaddrInet4).Port
	c, err := net.DialTimeout("tcp4", net.JoinHostPort("127.0.0.1", fmt.Sprint(port)), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return port
}

func openFDs() int {
	ents, _ := os.ReadDir("/proc/self/fd")
	return len(ents)
}

// TestTraceTargetHop: once another trace found the target at hop 1, a TCP
// trace of a silent port stops probing (and holding sockets) past hop 2.
func TestTraceTargetHop(t *testing.T) {
	port := fullQueueListener(t)
	cases := []struct {
		name      string
		hop       int
		maxExtra  int // sockets the trace may hold mid-way
		wantHops  int
		wantTTL30 bool
	}{
		{"no hint: every TTL awaited", 0, 200, 1, true},
		{"target at hop 1", 1, 2*3 + maxExtra*extraTTLs, 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := openFDs()
			midc := make(chan int, 1)
			go func() { time.Sleep(300 * time.Millisecond); midc <- openFDs() - before }()
			r := Trace(context.Background(), "127.0.0.1", TraceOptions{Method: TraceTCP, Port: port, ProbeTimeout: 600 * time.Millisecond,
				TargetHop: func() int { return c.hop }})
			if r.Err != nil || r.End != TraceSilent || len(r.Hops) != c.wantHops {
				t.Fatalf("end %s hops %+v err %v: want silent", r.End, r.Hops, r.Err)
			}
			mid := <-midc
			if held30 := mid >= 30; held30 != c.wantTTL30 || mid > c.maxExtra+4 {
				t.Errorf("%d sockets held mid-trace (want ≥30: %v, at most %d)", mid, c.wantTTL30, c.maxExtra+4)
			}
		})
	}
}

// TestTraceOutOfDescriptors: when many traces at once exhaust the
// descriptors, a wave stops short and the trace still reports what its
// probes heard, instead of failing with "too many open files".
func TestTraceOutOfDescriptors(t *testing.T) {
	port := fullQueueListener(t)
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	low := rl
	low.Cur = uint64(openFDs() + 10)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
		t.Skip("cannot lower RLIMIT_NOFILE: " + err.Error())
	}
	r := Trace(context.Background(), "127.0.0.1", TraceOptions{Method: TraceTCP, Port: port, ProbeTimeout: 300 * time.Millisecond})
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if r.Err != nil || r.End != TraceSilent || len(r.Hops) == 0 || r.Hops[0].Sent == 0 {
		t.Fatalf("end %s hops %+v err %v: want a silent trace from the probes that went out", r.End, r.Hops, r.Err)
	}
}

// TestTraceProbeSocketCap: the process's probe sockets stay under the cap
// (half the descriptor limit), and every one is given back.
func TestTraceProbeSocketCap(t *testing.T) {
	port := fullQueueListener(t)
	if n := probeSockets.Load(); n != 0 {
		t.Fatalf("%d probe sockets open before the trace", n)
	}
	room := int64(5)
	probeSockets.Add(probeSocketCap() - room) // as if other traces held the rest
	r := Trace(context.Background(), "127.0.0.1", TraceOptions{Method: TraceTCP, Port: port, ProbeTimeout: 300 * time.Millisecond})
	probeSockets.Add(-(probeSocketCap() - room))
	if r.Err != nil || r.End != TraceSilent || r.Hops[0].Sent == 0 || r.Hops[0].Sent > int(room) {
		t.Fatalf("end %s hops %+v err %v: want a silent trace from the probes the cap allowed", r.End, r.Hops, r.Err)
	}
	if n := probeSockets.Load(); n != 0 {
		t.Errorf("%d probe sockets still counted after the trace", n)
	}
}
