package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"time"
)

// Windows' ICMP helper API (iphlpapi IcmpSendEcho2/Icmp6SendEcho2) pings and
// traces without Administrator, as ping.exe and tracert.exe do. The parts that
// need no Windows — reply parsing, status → outcome, statistics — live here so
// Linux tests cover them; icmpapi_windows.go makes the calls.

// IP_STATUS values (ipexport.h). IPv6 reuses the numbers with other names.
const (
	ipSuccess            = 0
	ipBufTooSmall        = 11001
	ipDestNetUnreachable = 11002 // v6: IP_DEST_NO_ROUTE
	ipDestHostUnreach    = 11003 // v6: IP_DEST_ADDR_UNREACHABLE
	ipDestProtUnreach    = 11004 // v6: IP_DEST_PROHIBITED
	ipDestPortUnreach    = 11005
	ipNoResources        = 11006
	ipBadOption          = 11007
	ipHwError            = 11008
	ipPacketTooBig       = 11009
	ipReqTimedOut        = 11010
	ipBadReq             = 11011
	ipBadRoute           = 11012
	ipTTLExpiredTransit  = 11013 // v6: IP_HOP_LIMIT_EXCEEDED
	ipTTLExpiredReassem  = 11014
	ipParamProblem       = 11015
	ipSourceQuench       = 11016
	ipOptionTooBig       = 11017
	ipBadDestination     = 11018
	ipGeneralFailure     = 11050
)

// echoReply is one ICMP_ECHO_REPLY / ICMPV6_ECHO_REPLY, decoded.
type echoReply struct {
	From   netip.Addr
	Status uint32
	RTT    time.Duration
	TTL    int // -1: not reported (IPv6 replies carry none)
}

var errShortReply = errors.New("icmp reply buffer too short")

// parseEchoReply4 decodes an ICMP_ECHO_REPLY. ptrSize is the pointer width of
// the process (8 on amd64/arm64: the struct is 40 bytes and Options.Ttl sits at
// 24; 4 on 386: 28 bytes, Ttl at 20). Offsets checked with mingw's ipexport.h.
func parseEchoReply4(b []byte, ptrSize int) (echoReply, error) {
	ttlOff := 16 + ptrSize
	if ptrSize != 4 && ptrSize != 8 {
		return echoReply{}, fmt.Errorf("pointer size %d", ptrSize)
	}
	if len(b) < ttlOff+1 {
		return echoReply{}, errShortReply
	}
	return echoReply{
		From:   netip.AddrFrom4([4]byte(b[0:4])), // IPAddr is in network order
		Status: binary.LittleEndian.Uint32(b[4:8]),
		RTT:    time.Duration(binary.LittleEndian.Uint32(b[8:12])) * time.Millisecond,
		TTL:    int(b[ttlOff]),
	}, nil
}

// parseEchoReply6 decodes an ICMPV6_ECHO_REPLY: IPV6_ADDRESS_EX is packed
// (port 2, flowinfo 4, addr 16, scope 4 = 26 bytes), then Status at 28 and
// RoundTripTime at 32.
func parseEchoReply6(b []byte) (echoReply, error) {
	if len(b) < 36 {
		return echoReply{}, errShortReply
	}
	a := netip.AddrFrom16([16]byte(b[6:22]))
	if scope := binary.LittleEndian.Uint32(b[22:26]); scope != 0 && a.IsLinkLocalUnicast() {
		a = a.WithZone(fmt.Sprint(scope))
	}
	return echoReply{
		From:   a,
		Status: binary.LittleEndian.Uint32(b[28:32]),
		RTT:    time.Duration(binary.LittleEndian.Uint32(b[32:36])) * time.Millisecond,
		TTL:    -1,
	}, nil
}

// echoOutcome turns an IP_STATUS into the trace event kind (and ICMP code
// for Destination Unreachable). silent: nothing answered (timeout). local:
// the request never left (no route, bad destination, resources).
func echoOutcome(status uint32, v6 bool) (kind, code int, silent bool) {
	switch status {
	case ipSuccess:
		return evReached, 0, false
	case ipTTLExpiredTransit, ipTTLExpiredReassem:
		return evHop, 0, false
	case ipReqTimedOut:
		return 0, 0, true
	case ipDestNetUnreachable:
		return evUnreach, 0, false
	case ipDestHostUnreach:
		if v6 {
			return evUnreach, 3, false
		}
		return evUnreach, 1, false
	case ipDestProtUnreach:
		if v6 {
			return evUnreach, 1, false // IP_DEST_PROHIBITED
		}
		return evUnreach, 2, false
	case ipDestPortUnreach:
		if v6 {
			return evUnreach, 4, false
		}
		return evUnreach, 3, false
	case ipPacketTooBig:
		return evUnreach, 4, false
	case ipBadRoute, ipBadDestination:
		return evLocalFail, 0, false
	}
	return evLocalFail, 1, false
}

// fillPingStats computes loss and RTT statistics from the replies, as
// pro-bing does for the socket methods (population standard deviation).
func fillPingStats(res *PingResult) {
	res.Received = len(res.Replies)
	if res.Sent > 0 {
		res.LossPct = math.Round(float64(res.Sent-res.Received)*1000/float64(res.Sent)) / 10
	}
	if res.Received == 0 {
		return
	}
	res.MinMS, res.MaxMS = math.Inf(1), math.Inf(-1)
	sum := 0.0
	for _, r := range res.Replies {
		res.MinMS, res.MaxMS = min(res.MinMS, r.RTTMS), max(res.MaxMS, r.RTTMS)
		sum += r.RTTMS
	}
	res.AvgMS = sum / float64(res.Received)
	v := 0.0
	for _, r := range res.Replies {
		v += (r.RTTMS - res.AvgMS) * (r.RTTMS - res.AvgMS)
	}
	res.StdDevMS = math.Sqrt(v / float64(res.Received))
}

// firewallSilencesHops: the target answered but every hop before it was
// silent. A path where no router ever sends Time Exceeded is rare; a local
// firewall dropping them (Windows Defender Firewall does by default for
// tracert's replies unless "File and Printer Sharing (Echo Request)"-style
// rules allow ICMP) is common, so the trace says so instead of showing a
// silent path.
func firewallSilencesHops(r TraceResult) bool {
	if r.End != TraceReached || r.EndHop < 3 || len(r.Hops) < r.EndHop {
		return false
	}
	for _, h := range r.Hops[:r.EndHop-1] {
		if h.Received > 0 {
			return false
		}
	}
	return true
}
