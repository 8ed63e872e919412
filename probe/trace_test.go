package probe

import (
	"context"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// quoted builds what a router quotes: our probe's IP header and first 8 bytes.
func quoted4(dst netip.Addr, id, seq int) []byte {
	h := make([]byte, 28)
	h[0] = 0x45
	h[9] = 1
	a := dst.As4()
	copy(h[16:20], a[:])
	h[20] = byte(ipv4.ICMPTypeEcho)
	binary.BigEndian.PutUint16(h[24:], uint16(id))
	binary.BigEndian.PutUint16(h[26:], uint16(seq))
	return h
}

func quoted6(dst netip.Addr, id, seq int) []byte {
	h := make([]byte, 48)
	h[0] = 0x60
	h[6] = 58
	a := dst.As16()
	copy(h[24:40], a[:])
	h[40] = byte(ipv6.ICMPTypeEchoRequest)
	binary.BigEndian.PutUint16(h[44:], uint16(id))
	binary.BigEndian.PutUint16(h[46:], uint16(seq))
	return h
}

func marshal(t testing.TB, m icmp.Message) []byte {
	b, err := m.Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseICMPReply(t *testing.T) {
	dst4 := netip.MustParseAddr("203.0.113.10")
	dst6 := netip.MustParseAddr("2001:db8::10")
	router := netip.MustParseAddr("198.51.100.1")
	k := probeKey{ttl: 5, n: 2}
	const id = 4242
	cases := []struct {
		name  string
		proto int
		dst   netip.Addr
		msg   icmp.Message
		ok    bool
		kind  int
		code  int
	}{
		{"echo reply", 1, dst4, icmp.Message{Type: ipv4.ICMPTypeEchoReply, Body: &icmp.Echo{ID: id, Seq: packSeq(k)}}, true, evReached, 0},
		{"echo reply other id", 1, dst4, icmp.Message{Type: ipv4.ICMPTypeEchoReply, Body: &icmp.Echo{ID: id + 1, Seq: packSeq(k)}}, false, 0, 0},
		{"time exceeded", 1, dst4, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted4(dst4, id, packSeq(k))}}, true, evHop, 0},
		{"time exceeded for another target", 1, dst4, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted4(router, id, packSeq(k))}}, false, 0, 0},
		{"time exceeded other id", 1, dst4, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted4(dst4, 7, packSeq(k))}}, false, 0, 0},
		{"admin prohibited", 1, dst4, icmp.Message{Type: ipv4.ICMPTypeDestinationUnreachable, Code: 13, Body: &icmp.DstUnreach{Data: quoted4(dst4, id, packSeq(k))}}, true, evUnreach, 13},
		{"truncated quote", 1, dst4, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted4(dst4, id, packSeq(k))[:24]}}, false, 0, 0},
		{"v6 time exceeded", 58, dst6, icmp.Message{Type: ipv6.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted6(dst6, id, packSeq(k))}}, true, evHop, 0},
		{"v6 no route", 58, dst6, icmp.Message{Type: ipv6.ICMPTypeDestinationUnreachable, Code: 0, Body: &icmp.DstUnreach{Data: quoted6(dst6, id, packSeq(k))}}, true, evUnreach, 0},
		{"v6 echo reply", 58, dst6, icmp.Message{Type: ipv6.ICMPTypeEchoReply, Body: &icmp.Echo{ID: id, Seq: packSeq(k)}}, true, evReached, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, ok := parseICMPReply(marshal(t, c.msg), c.proto, id, router, c.dst)
			if ok != c.ok {
				t.Fatalf("matched = %v, want %v (%+v)", ok, c.ok, ev)
			}
			if ok && (ev.key != k || ev.kind != c.kind || ev.code != c.code || ev.from != router) {
				t.Fatalf("got %+v, want key %v kind %d code %d", ev, k, c.kind, c.code)
			}
		})
	}
}

func FuzzParseICMPReply(f *testing.F) {
	dst := netip.MustParseAddr("203.0.113.10")
	f.Add(marshal(f, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted4(dst, 1, 17)}}), 1)
	f.Add(marshal(f, icmp.Message{Type: ipv4.ICMPTypeEchoReply, Body: &icmp.Echo{ID: 1, Seq: 33}}), 1)
	f.Add([]byte{3, 1, 0, 0, 0, 0, 0, 0, 0x60}, 58)
	f.Fuzz(func(t *testing.T, b []byte, proto int) {
		if proto != 1 {
			proto = 58
		}
		ev, ok := parseICMPReply(b, proto, 1, netip.Addr{}, dst)
		if ok && (ev.key.ttl < 0 || ev.key.n > 15) {
			t.Fatalf("impossible key %+v", ev.key)
		}
	})
}

func TestUnreachableReason(t *testing.T) {
	cases := []struct {
		code int
		v6   bool
		want string
	}{
		{0, false, "network-unreachable"}, {1, false, "host-unreachable"}, {3, false, "port-unreachable"},
		{13, false, "admin-prohibited"}, {10, false, "admin-prohibited"}, {99, false, "code-99"},
		{0, true, "no-route"}, {1, true, "admin-prohibited"}, {3, true, "address-unreachable"}, {4, true, "port-unreachable"},
	}
	for _, c := range cases {
		if got := UnreachableReason(c.code, c.v6); got != c.want {
			t.Errorf("UnreachableReason(%d, v6=%v) = %q, want %q", c.code, c.v6, got, c.want)
		}
	}
}

func TestTraceSkippedWithoutPrivilege(t *testing.T) {
	r := Trace(context.Background(), "127.0.0.1", TraceOptions{Method: TraceICMP, Privileges: &Privileges{Detail: "test"}})
	if systemICMP {
		// Windows traces through iphlpapi, unprivileged, as tracert does.
		if r.Skipped || !r.Reached() || r.EndHop != 1 || len(r.Hops) != 1 || r.Hops[0].Addr != netip.MustParseAddr("127.0.0.1") {
			t.Fatalf("got %+v, want 127.0.0.1 reached at hop 1 without privilege", r)
		}
		return
	}
	if !r.Skipped || r.Fix == "" || !strings.Contains(r.Fix, TraceFix()) || r.Reached() {
		t.Fatalf("got %+v, want skipped with the fix", r)
	}
}

func TestTraceBadInput(t *testing.T) {
	cases := []struct{ host, method, network string }{
		{"127.0.0.1", "carrier-pigeon", ""},
		{"::1", TraceUDP, "ip4"},
		{"name.invalid", TraceUDP, ""},
	}
	for _, c := range cases {
		t.Run(c.host+"/"+c.method, func(t *testing.T) {
			r := Trace(context.Background(), c.host, TraceOptions{Method: c.method, Network: c.network, ProbeTimeout: 100})
			if r.Err == nil || r.Error == "" || r.Skipped {
				t.Fatalf("got %+v, want an error", r)
			}
		})
	}
}

func TestRelocateEnd(t *testing.T) {
	router := netip.MustParseAddr("198.51.100.1")
	got := map[probeKey]hopEvent{
		{1, 0}:  {from: router, kind: evHop},
		{30, 0}: {from: router, kind: evUnreach, code: 13},
	}
	if e := relocateEnd(got, 30, 1); e != 2 {
		t.Fatalf("end = %d, want 2 (just after the router that refused)", e)
	}
	if ev := got[probeKey{2, 0}]; ev.kind != evUnreach || ev.code != 13 {
		t.Fatalf("event not moved: %+v", ev)
	}
	other := map[probeKey]hopEvent{
		{1, 0}: {from: router, kind: evHop},
		{5, 0}: {from: netip.MustParseAddr("203.0.113.1"), kind: evUnreach},
	}
	if e := relocateEnd(other, 5, 1); e != 5 {
		t.Fatalf("end = %d, want 5 (another router answered)", e)
	}
}
