package probe

import (
	"testing"

	"net/netip"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// TestEchoID: the shared socket's reader hands a message to the run whose
// echo ID it carries, in its own header or in the quoted request.
func TestEchoID(t *testing.T) {
	dst4, dst6 := netip.MustParseAddr("203.0.113.10"), netip.MustParseAddr("2001:db8::10")
	const id = 0xbeef
	cases := []struct {
		name string
		v6   bool
		msg  icmp.Message
		ok   bool
	}{
		{"echo reply", false, icmp.Message{Type: ipv4.ICMPTypeEchoReply, Body: &icmp.Echo{ID: id, Seq: 3}}, true},
		{"time exceeded quoting our request", false, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted4(dst4, id, 17)}}, true},
		{"unreachable quoting our request", false, icmp.Message{Type: ipv4.ICMPTypeDestinationUnreachable, Code: 13, Body: &icmp.DstUnreach{Data: quoted4(dst4, id, 17)}}, true},
		{"an echo request (loopback shows our own)", false, icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: id, Seq: 3}}, false},
		{"truncated quote", false, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted4(dst4, id, 17)[:24]}}, false},
		{"v6 echo reply", true, icmp.Message{Type: ipv6.ICMPTypeEchoReply, Body: &icmp.Echo{ID: id, Seq: 3}}, true},
		{"v6 time exceeded", true, icmp.Message{Type: ipv6.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted6(dst6, id, 17)}}, true},
		{"v6 unreachable", true, icmp.Message{Type: ipv6.ICMPTypeDestinationUnreachable, Body: &icmp.DstUnreach{Data: quoted6(dst6, id, 17)}}, true},
		{"v6 echo request", true, icmp.Message{Type: ipv6.ICMPTypeEchoRequest, Body: &icmp.Echo{ID: id, Seq: 3}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := echoID(marshal(t, c.msg), c.v6)
			if ok != c.ok || (ok && got != id) {
				t.Fatalf("id %#x ok %v, want %#x %v", got, ok, id, c.ok)
			}
		})
	}
}

func FuzzEchoID(f *testing.F) {
	f.Add(marshal(f, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted4(netip.MustParseAddr("203.0.113.10"), 1, 17)}}), false)
	f.Add([]byte{3, 0, 0, 0, 0, 0, 0, 0, 0x60}, true)
	f.Fuzz(func(t *testing.T, b []byte, v6 bool) { echoID(b, v6) }) // must not panic on any input
}
