package diag

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newapi-doctor/newapi-doctor/i18n"
	"github.com/newapi-doctor/newapi-doctor/probe"
)

// Path verdicts (PathInfo.Verdict).
const (
	PathReached      = "reached"       // ping/trace reach the target (and no port was asked about)
	PathTCPOpen      = "tcp-open"      // TCP to the port reaches the target: the fault is above TCP
	PathPortFiltered = "port-filtered" // the target answers ping/trace, the port's SYNs vanish
	PathPortRejected = "port-rejected" // a hop refuses the port with ICMP
	PathUnreachable  = "unreachable"   // a hop answers Destination Unreachable
	PathEnds         = "path-ends"     // answers stop after some hop; the target is silent
	PathNoHop        = "no-hop"        // not even the first hop answered
	PathSkipped      = "skipped"       // no probe could run (privileges); Summary names the fix
)

// Path probe bounds: all three probes run at once, so localisation costs
// about one probe timeout on top of the verdict.
const (
	pathProbeTimeout = 2 * time.Second
	pathPingCount    = 3
	pathTCPWait      = 300 * time.Millisecond // at most, for the target's hop (see localisePath)
)

// pathProbes are the probes LocalisePath runs (replaced in tests).
type pathProbes struct {
	ping  func(context.Context, string, probe.PingOptions) probe.PingResult
	trace func(context.Context, string, probe.TraceOptions) probe.TraceResult
}

// Who a path probe was aimed at (PathTarget.Role, PathInfo.Probed): with a
// proxy in the path, the sentence must say which of the two it is about.
const (
	PathRoleTarget = "target"
	PathRoleProxy  = "proxy"
)

// PathTarget is what a localisation probes: Addr (and TCP Port when > 0).
// Host names it in PathInfo.Target only; Role says whether it is the
// endpoint's target or the proxy in front of it ("" = target).
type PathTarget struct {
	Host string
	Addr netip.Addr
	Port int
	Role string
}

func (t PathTarget) who() phrase {
	if t.Role == PathRoleProxy {
		return ph("the proxy")
	}
	return ph("the target")
}

// label is PathInfo.Target: the name and the address probed.
func (t PathTarget) label() string {
	if !t.Addr.IsValid() {
		return t.Host
	}
	a := t.Addr.String()
	if t.Host != "" && t.Host != a {
		return t.Host + " (" + a + ")"
	}
	return a
}

// LocalisePath pings and traces t.Addr (and traces TCP SYNs to t.Port when
// > 0) and says where the path breaks. It never fails: a probe that cannot
// run is reported as skipped with its fix.
func LocalisePath(ctx context.Context, t PathTarget) *PathInfo {
	return localisePath(ctx, t, pathProbes{ping: probe.Ping, trace: probe.Trace})
}

func localisePath(ctx context.Context, t PathTarget, p pathProbes) *PathInfo {
	target, port := t.Addr.String(), t.Port
	var (
		wg       sync.WaitGroup
		pr       probe.PingResult
		tr, tcpr probe.TraceResult
	)
	wg.Go(func() {
		pr = p.ping(ctx, target, probe.PingOptions{Count: pathPingCount, Interval: 200 * time.Millisecond, Timeout: pathProbeTimeout})
	})
	// The TCP trace stops at the hop after the one where the other trace
	// reached the target: a filtered port would otherwise hold 90 sockets
	// for the whole timeout, per localisation.
	// It waits up to pathTCPWait for that hop: hundreds of localisations
	// starting together (one outage, many endpoints) would otherwise each
	// send their first 30 SYNs before any hint could arrive.
	var (
		targetHop atomic.Int32
		hinted    = make(chan struct{})
		once      sync.Once
	)
	found := func(h int) { // the trace reports ever lower hops
		targetHop.Store(int32(h))
		once.Do(func() { close(hinted) })
	}
	wg.Go(func() {
		tr = p.trace(ctx, target, probe.TraceOptions{ProbeTimeout: pathProbeTimeout, Reached: found})
		once.Do(func() { close(hinted) }) // ended without reaching: no hint will come
	})
	if port > 0 {
		wg.Go(func() {
			start, wait := time.Now(), time.NewTimer(pathTCPWait)
			select {
			case <-hinted:
			case <-wait.C:
			case <-ctx.Done():
			}
			wait.Stop()
			// The wait comes out of its timeout: the localisation still
			// costs about one probe timeout, as the others' does.
			tcpr = p.trace(ctx, target, probe.TraceOptions{Method: probe.TraceTCP, Port: port, ProbeTimeout: pathProbeTimeout - time.Since(start),
				TargetHop: func() int { return int(targetHop.Load()) }})
		})
	}
	wg.Wait()
	pi := &PathInfo{Target: t.label(), Probed: t.role(), Port: port, Ping: &pr, Trace: &tr}
	var tcp *probe.TraceResult
	if port > 0 {
		tcp = &tcpr
		pi.TCPTrace = tcp
	}
	verdict, summary := summarisePath(pr, tr, tcp, port, t.who())
	pi.Verdict = verdict
	pi.setSummary(summary)
	if tr.Warning != "" {
		// Silent hops before an answering target: the local firewall, not the path.
		pi.addSummary(ph("; %s", tr.WarningMsg()))
	}
	switch {
	case pi.Verdict == PathPortRejected || (pi.Verdict == PathUnreachable && tr.End != probe.TraceUnreachable):
		pi.Reason = tcp.Reason
	case pi.Verdict == PathUnreachable:
		pi.Reason = tr.Reason
	}
	last := tr
	if tcp != nil && !tcp.Skipped && (tr.Skipped || tr.Err != nil || tr.End == probe.TraceSilent && tr.LastHop < tcp.LastHop) {
		last = *tcp
	}
	pi.LastHop = last.LastHop
	if a := last.LastAddr(); a.IsValid() {
		pi.LastHopAddr = a.String()
	}
	return pi
}

func (t PathTarget) role() string {
	if t.Role == "" {
		return PathRoleTarget
	}
	return t.Role
}

// summarisePath is the one table from probe outcomes to a sentence.
// who ("the target" or "the proxy") is the subject of the sentence.
func summarisePath(pr probe.PingResult, tr probe.TraceResult, tcp *probe.TraceResult, port int, who phrase) (string, phrase) {
	pingOK := pr.Reached()
	traceOK := tr.Reached()
	answers := pingOK || traceOK
	answersHow := ph("ping")
	if !pingOK {
		answersHow = traceroute(tr.Method)
	}
	// Ports go as strings: the catalogue groups the digits of %d ≥ 1000.
	portS := strconv.Itoa(port)
	tcpRan := tcp != nil && !tcp.Skipped && tcp.Err == nil && tcp.End != ""
	// The whole path refused (no route, unreachable route): the TCP trace
	// hears the same refusal, which says nothing about the port.
	if tcpRan && tcp.End == probe.TraceUnreachable && tr.End == probe.TraceUnreachable {
		tcpRan = false
	}

	if tcpRan {
		switch tcp.End {
		case probe.TraceReached:
			key := "%s accepts TCP %s (hop %d): the network path is open; %s"
			if tcp.Hops[len(tcp.Hops)-1].Note == "reset" {
				key = "%s answers with a reset on TCP %s (hop %d): the network path is open; %s"
			}
			return PathTCPOpen, ph(key, who, portS, tcp.EndHop, aboveTCP)
		case probe.TraceUnreachable:
			if !answers && routeRefusal(tcp.Reason) {
				// Nothing else got through and a router says "no route": the
				// path, not the port (routers rate-limit these answers, so the
				// TCP probes may be the only ones that heard it).
				return PathUnreachable, ph("hop %d (%s) answers %s (ICMP code %d): the path ends there", tcp.EndHop, addrOr(tcp.UnreachableFrom), tcp.Reason, tcp.ICMPCode)
			}
			s := ph("hop %d (%s) refuses TCP %s with ICMP %s (code %d): a filter on the port", tcp.EndHop, addrOr(tcp.UnreachableFrom), portS, tcp.Reason, tcp.ICMPCode)
			if answers {
				s = seq(s, ph("; %s itself answers %s", who, answersHow))
			}
			return PathPortRejected, s
		case probe.TraceSilent:
			if answers {
				return PathPortFiltered, ph("%s answers %s but not TCP %s: a filter on the port (TCP probes stop after hop %d%s)", who, answersHow, portS, tcp.LastHop, hopAddr(*tcp))
			}
		}
	}
	switch {
	case tr.End == probe.TraceUnreachable:
		return PathUnreachable, ph("hop %d (%s) answers %s (ICMP code %d): the path ends there", tr.EndHop, addrOr(tr.UnreachableFrom), tr.Reason, tr.ICMPCode)
	case answers:
		var s phrase
		switch {
		case !pingOK:
			s = ph("%s answers %s", who, traceroute(tr.Method))
		case traceOK:
			s = ph("%s answers ping and %s", who, traceroute(tr.Method))
		default:
			s = ph("%s answers ping", who)
		}
		if traceOK {
			s = seq(s, ph(" (%d hops)", tr.EndHop))
		}
		if port > 0 && !tcpRan {
			s = seq(s, ph("; TCP %s could not be traced", portS))
		}
		return PathReached, s
	}
	silent := tr
	if tr.Skipped || tr.Err != nil || tr.End == "" {
		if !tcpRan {
			if pr.Skipped && (tr.Skipped || tr.Err != nil) {
				return PathSkipped, ph("path localisation skipped: %s; fix: %s", pr.SkipReasonMsg(), pr.FixMsg())
			}
			return PathSkipped, ph("path localisation could not run: %s", firstNonEmpty(i18n.Raw(tr.Error), tr.SkipReasonMsg(), i18n.Raw(pr.Error), pr.SkipReasonMsg()))
		}
		silent = *tcp
	}
	if silent.LastHop == 0 {
		return PathNoHop, ph("no hop answered: packets die on this machine or at its first router (local firewall, default route), or every hop drops probes")
	}
	return PathEnds, ph("the path ends after hop %d%s; %s does not answer", silent.LastHop, hopAddr(silent), who)
}

// aboveTCP ends the sentence of a path proven open.
var aboveTCP = ph("anything wrong is above TCP (a filter reading the TLS handshake, or the server itself)")

// routeRefusal: an unreachable reason about the route, not a filter.
func routeRefusal(reason string) bool {
	switch reason {
	case "network-unreachable", "host-unreachable", "no-route", "address-unreachable", "no-route-here":
		return true
	}
	return false
}

func traceroute(method string) phrase {
	if method == probe.TraceICMP {
		return ph("an ICMP traceroute")
	}
	return ph("a %s traceroute", strings.ToUpper(method))
}

func hopAddr(t probe.TraceResult) phrase {
	if a := t.LastAddr(); a.IsValid() {
		return ph(" (%s)", a.String())
	}
	return i18n.Raw("")
}

// addrOr is the address that answered, or this machine (none did).
func addrOr(a netip.Addr) phrase {
	if a.IsValid() {
		return i18n.Raw(a.String())
	}
	return ph("this machine")
}

// firstNonEmpty is the first message that says something (an error is the
// OS's words, untranslated).
func firstNonEmpty(ms ...phrase) phrase {
	for _, m := range ms {
		if m.In(i18n.EN) != "" {
			return m
		}
	}
	return ph("no probe ran")
}
