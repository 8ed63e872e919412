package probe

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// reply4 lays out an ICMP_ECHO_REPLY as iphlpapi fills it (offsets from
// mingw's ipexport.h, checked by offsetof under wine).
func reply4(ptrSize int, from [4]byte, status, rtt uint32, ttl byte) []byte {
	b := make([]byte, 16+ptrSize+ptrSize+8)
	copy(b, from[:])
	binary.LittleEndian.PutUint32(b[4:], status)
	binary.LittleEndian.PutUint32(b[8:], rtt)
	b[16+ptrSize] = ttl
	return b
}

func TestParseEchoReply4(t *testing.T) {
	for _, ptr := range []int{8, 4} {
		b := reply4(ptr, [4]byte{192, 0, 2, 7}, ipTTLExpiredTransit, 23, 61)
		r, err := parseEchoReply4(b, ptr)
		if err != nil {
			t.Fatal(err)
		}
		want := echoReply{From: netip.MustParseAddr("192.0.2.7"), Status: ipTTLExpiredTransit, RTT: 23 * time.Millisecond, TTL: 61}
		if r != want {
			t.Errorf("ptr %d: %+v, want %+v", ptr, r, want)
		}
		if _, err := parseEchoReply4(b[:16+ptr], ptr); err == nil {
			t.Errorf("ptr %d: a truncated reply parsed", ptr)
		}
	}
	if _, err := parseEchoReply4(make([]byte, 64), 2); err == nil {
		t.Error("pointer size 2 accepted")
	}
}

func TestParseEchoReply6(t *testing.T) {
	b := make([]byte, 36)
	a := netip.MustParseAddr("2001:db8::9").As16()
	copy(b[6:], a[:])
	binary.LittleEndian.PutUint32(b[28:], ipDestProtUnreach)
	binary.LittleEndian.PutUint32(b[32:], 5)
	r, err := parseEchoReply6(b)
	if err != nil || r.From != netip.MustParseAddr("2001:db8::9") || r.Status != ipDestProtUnreach || r.RTT != 5*time.Millisecond || r.TTL != -1 {
		t.Fatalf("%+v %v", r, err)
	}
	ll := netip.MustParseAddr("fe80::1").As16()
	copy(b[6:], ll[:])
	binary.LittleEndian.PutUint32(b[22:], 7)
	if r, _ := parseEchoReply6(b); r.From.Zone() != "7" {
		t.Errorf("link-local scope lost: %v", r.From)
	}
	if _, err := parseEchoReply6(b[:35]); err == nil {
		t.Error("short reply parsed")
	}
}

func FuzzParseEchoReply(f *testing.F) {
	f.Add(reply4(8, [4]byte{127, 0, 0, 1}, 0, 1, 128), 8)
	f.Add(make([]byte, 36), 4)
	f.Fuzz(func(t *testing.T, b []byte, ptr int) {
		if r, err := parseEchoReply4(b, ptr); err == nil && (!r.From.Is4() || r.TTL < 0 || r.TTL > 255) {
			t.Fatalf("%+v", r)
		}
		if r, err := parseEchoReply6(b); err == nil && (!r.From.Is6() || r.TTL != -1) {
			t.Fatalf("%+v", r)
		}
	})
}

func TestEchoOutcome(t *testing.T) {
	tests := []struct {
		status       uint32
		v6           bool
		kind, code   int
		silent       bool
		reasonIfDest string
	}{
		{ipSuccess, false, evReached, 0, false, ""},
		{ipTTLExpiredTransit, false, evHop, 0, false, ""},
		{ipTTLExpiredTransit, true, evHop, 0, false, ""},
		{ipReqTimedOut, false, 0, 0, true, ""},
		{ipDestNetUnreachable, false, evUnreach, 0, false, "network-unreachable"},
		{ipDestNetUnreachable, true, evUnreach, 0, false, "no-route"},
		{ipDestHostUnreach, false, evUnreach, 1, false, "host-unreachable"},
		{ipDestHostUnreach, true, evUnreach, 3, false, "address-unreachable"},
		{ipDestProtUnreach, false, evUnreach, 2, false, "protocol-unreachable"},
		{ipDestProtUnreach, true, evUnreach, 1, false, "admin-prohibited"},
		{ipDestPortUnreach, false, evUnreach, 3, false, "port-unreachable"},
		{ipPacketTooBig, false, evUnreach, 4, false, "fragmentation-needed"},
		{ipBadRoute, false, evLocalFail, 0, false, ""},
		{ipGeneralFailure, false, evLocalFail, 1, false, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status, "/v6=", tt.v6), func(t *testing.T) {
			kind, code, silent := echoOutcome(tt.status, tt.v6)
			if kind != tt.kind || code != tt.code || silent != tt.silent {
				t.Fatalf("v6=%v: kind %d code %d silent %v, want %d %d %v", tt.v6, kind, code, silent, tt.kind, tt.code, tt.silent)
			}
			if tt.reasonIfDest != "" && UnreachableReason(code, tt.v6) != tt.reasonIfDest {
				t.Errorf("reason %q, want %q", UnreachableReason(code, tt.v6), tt.reasonIfDest)
			}
		})
	}
}

func TestFillPingStats(t *testing.T) {
	r := PingResult{Sent: 4, Replies: []PingReply{{RTTMS: 1}, {RTTMS: 3}, {RTTMS: 2}}}
	fillPingStats(&r)
	if r.Received != 3 || r.LossPct != 25 || r.MinMS != 1 || r.MaxMS != 3 || r.AvgMS != 2 || r.StdDevMS < 0.816 || r.StdDevMS > 0.817 {
		t.Fatalf("%+v", r)
	}
	none := PingResult{Sent: 3}
	fillPingStats(&none)
	if none.Received != 0 || none.LossPct != 100 || none.MinMS != 0 {
		t.Fatalf("%+v", none)
	}
}

// TestFirewallSilencesHops: the trace assembled from iphlpapi outcomes, where
// only the target answers, is said to be a local firewall, not a silent path.
func TestFirewallSilencesHops(t *testing.T) {
	target := netip.MustParseAddr("203.0.113.5")
	router := netip.MustParseAddr("192.0.2.1")
	trace := func(got map[probeKey]hopEvent, probes int) TraceResult {
		o := TraceOptions{Probes: probes, MaxHops: 30}.withDefaults()
		sent := map[probeKey]time.Time{}
		now := time.Now()
		for ttl := 1; ttl <= 5; ttl++ {
			for n := range probes {
				sent[probeKey{ttl, n}] = now
			}
		}
		res := TraceResult{Addr: target}
		summarise(&res, o, sent, got)
		return res
	}
	outcome := func(k probeKey, status uint32, from netip.Addr) hopEvent {
		kind, code, _ := echoOutcome(status, false)
		return hopEvent{key: k, from: from, kind: kind, code: code, at: time.Now()}
	}
	onlyTarget := map[probeKey]hopEvent{}
	for n := range 2 {
		onlyTarget[probeKey{5, n}] = outcome(probeKey{5, n}, ipSuccess, target)
	}
	if r := trace(onlyTarget, 2); r.End != TraceReached || r.EndHop != 5 || !firewallSilencesHops(r) {
		t.Errorf("only the target answered: end %s at %d, firewall %v", r.End, r.EndHop, firewallSilencesHops(r))
	}
	withRouter := map[probeKey]hopEvent{probeKey{1, 0}: outcome(probeKey{1, 0}, ipTTLExpiredTransit, router)}
	for k, v := range onlyTarget {
		withRouter[k] = v
	}
	if r := trace(withRouter, 2); firewallSilencesHops(r) {
		t.Error("a router answered, yet the hops were called firewalled")
	}
	near := map[probeKey]hopEvent{probeKey{2, 0}: outcome(probeKey{2, 0}, ipSuccess, target)}
	if r := trace(near, 2); firewallSilencesHops(r) {
		t.Error("one silent hop (a home router) is not a firewall verdict")
	}
	silent := map[probeKey]hopEvent{}
	if r := trace(silent, 2); r.End != TraceSilent || firewallSilencesHops(r) {
		t.Error("a silent trace is not a firewall verdict")
	}
}
