package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/newapi-doctor/newapi-doctor/i18n"
	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// Trace methods.
const (
	TraceICMP = "icmp" // raw ICMP echo with a TTL (needs privileges)
	TraceUDP  = "udp"  // UDP with IP_RECVERR, the tracepath way (Linux, no privileges)
	TraceTCP  = "tcp"  // TCP SYN to a port with IP_RECVERR (Linux, no privileges): what firewalls let through
)

// Where a trace ended.
const (
	TraceReached     = "reached"     // the target answered
	TraceUnreachable = "unreachable" // a hop answered Destination Unreachable (see ICMPCode)
	TraceSilent      = "silent"      // nothing answered past LastHop
)

// TraceOptions shape one trace. Zero fields take the defaults.
type TraceOptions struct {
	Method  string // "" = auto: icmp when privileged, else udp (Linux); tcp needs Port
	Port    int    // tcp: the port to SYN (default 443); udp: fixed destination port (default 33434+n)
	MaxHops int    // default 30, at most 64
	Probes  int    // per hop, default 3, at most 10
	// ProbeTimeout is how long an answer is awaited after the last probe
	// (default 2s). All TTLs are sent at once, so this bounds the trace.
	ProbeTimeout time.Duration
	Network      string // "ip" (default), "ip4", "ip6"
	// Privileges overrides detection (tests); nil = DetectPrivileges().
	Privileges *Privileges
	// Reached, when set, is told the lowest TTL at which the target has
	// answered so far, as soon as an answer comes (another trace of the same
	// target may use it as TargetHop). Called from the trace's goroutine.
	Reached func(hop int)
	// TargetHop, when set, says at which hop another trace found the target
	// (0 = not yet; safe for concurrent use). Probes past the hop after it
	// are then neither sent nor awaited: they would reach the same target,
	// and a silent port would hold MaxHops×Probes sockets until the timeout.
	TargetHop func() int
}

func (o TraceOptions) withDefaults() TraceOptions {
	if o.MaxHops <= 0 {
		o.MaxHops = 30
	}
	o.MaxHops = min(o.MaxHops, 64)
	if o.Probes <= 0 {
		o.Probes = 3
	}
	o.Probes = min(o.Probes, 10)
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = 2 * time.Second
	}
	if o.Network == "" {
		o.Network = "ip"
	}
	return o
}

// TraceHop is what came back for one TTL.
type TraceHop struct {
	TTL        int          `json:"ttl"`
	Addr       netip.Addr   `json:"addr,omitzero"`         // first responder; zero = silent hop
	OtherAddrs []netip.Addr `json:"other_addrs,omitempty"` // further responders (load balancing)
	RTTsMS     []float64    `json:"rtts_ms,omitempty"`
	Sent       int          `json:"sent"`
	Received   int          `json:"received"`
	LossPct    float64      `json:"loss_pct"`
	// Note marks the last hop: "reached", "reset" (TCP RST), "open" (TCP
	// accepted), or an unreachable reason such as "admin-prohibited".
	Note string `json:"note,omitempty"`
}

// TraceResult is one traceroute.
type TraceResult struct {
	Target string     `json:"target"`
	Addr   netip.Addr `json:"addr,omitzero"`
	Method string     `json:"method,omitempty"`
	Port   int        `json:"port,omitempty"`
	Hops   []TraceHop `json:"hops,omitempty"`
	// End is reached, unreachable or silent; EndHop the TTL where it ended
	// (reached/unreachable) and LastHop the last TTL anything answered at.
	End     string `json:"end,omitempty"`
	EndHop  int    `json:"end_hop,omitempty"`
	LastHop int    `json:"last_hop"`
	// For End == unreachable: who said so, and the ICMP code and its name.
	UnreachableFrom netip.Addr `json:"unreachable_from,omitzero"`
	ICMPCode        int        `json:"icmp_code,omitempty"`
	Reason          string     `json:"reason,omitempty"`
	// Warning: what the hops cannot show by themselves (every router silent
	// while the target answered: a local firewall drops Time Exceeded).
	Warning    string  `json:"warning,omitempty"`
	Skipped    bool    `json:"skipped,omitempty"`
	SkipReason string  `json:"skip_reason,omitempty"`
	Fix        string  `json:"fix,omitempty"`
	Error      string  `json:"error,omitempty"`
	DurationMS float64 `json:"duration_ms"`
	Err        error   `json:"-"`
	// skip, fix and warning are SkipReason, Fix and Warning as messages.
	skip, fix, warning i18n.Msg
}

// SkipReasonMsg, FixMsg and WarningMsg are those fields as messages, to
// render in a language (the field as it is when set by hand or read back).
func (r TraceResult) SkipReasonMsg() i18n.Msg { return msgOr(r.skip, r.SkipReason) }
func (r TraceResult) FixMsg() i18n.Msg        { return msgOr(r.fix, r.Fix) }
func (r TraceResult) WarningMsg() i18n.Msg    { return msgOr(r.warning, r.Warning) }

func msgOr(m i18n.Msg, s string) i18n.Msg {
	if m.IsZero() {
		return i18n.Raw(s)
	}
	return m
}

// Reached reports whether the target answered.
func (r TraceResult) Reached() bool { return r.End == TraceReached }

// LastAddr is the address of the last hop that answered (zero if none).
func (r TraceResult) LastAddr() netip.Addr {
	for _, h := range slices.Backward(r.Hops) {
		if h.Addr.IsValid() {
			return h.Addr
		}
	}
	return netip.Addr{}
}

var errMethodUnsupported = errors.New("trace method not supported on this platform")

// event kinds a tracer reports.
const (
	evHop       = iota // Time Exceeded from a router
	evReached          // the target answered (echo reply, port unreachable from it, SYN-ACK)
	evReset            // the target (or a filter in its name) reset the SYN
	evUnreach          // Destination Unreachable from someone
	evLocalFail        // the local stack refused (no route): ends like unreachable
)

type probeKey struct{ ttl, n int }

type hopEvent struct {
	key  probeKey
	from netip.Addr
	kind int
	code int // ICMP code for evUnreach
	at   time.Time
}

// tracer is one method. send and wait run on the caller's goroutine only, so
// sockets are created on the caller's thread (a benchmark pins that thread in
// a test network namespace) and no locking is needed.
type tracer interface {
	send(k probeKey) error
	// wait returns events that arrive before until (possibly none).
	wait(until time.Time) ([]hopEvent, error)
	close()
}

// Trace finds the hops towards host. TTLs 1..MaxHops are sent at once, wave
// after wave (one wave per probe), so a trace to a silent address takes about
// one ProbeTimeout rather than MaxHops of them. It never prints and never
// blocks past ctx.
func Trace(ctx context.Context, host string, o TraceOptions) (res TraceResult) {
	o = o.withDefaults()
	start := time.Now()
	res = TraceResult{Target: host}
	defer func() { res.DurationMS = msf(time.Since(start)) }()

	addr, err := resolveOne(ctx, host, o.Network)
	if err != nil {
		res.Err, res.Error = err, err.Error()
		return res
	}
	res.Addr = addr
	priv := privilegesOr(o.Privileges)
	method := o.Method
	if method == "" {
		method = TraceUDP
		if priv.Raw || systemICMP {
			method = TraceICMP
		}
	}
	res.Method = method
	var t tracer
	switch method {
	case TraceICMP:
		if systemICMP {
			// Windows: iphlpapi with a TTL per request, as tracert does.
			t, err = newSystemTracer(addr, o.ProbeTimeout)
			break
		}
		if !priv.Raw {
			return skippedTrace(res, i18n.M("an ICMP traceroute needs raw sockets: %s", priv.DetailMsg()))
		}
		if sharedICMP {
			t, err = newMuxTracer(addr)
		} else {
			t, err = newICMPTracer(addr)
		}
	case TraceUDP:
		port := o.Port
		res.Port = port
		t, err = newSockTracer(addr, TraceUDP, port)
	case TraceTCP:
		if o.Port <= 0 {
			o.Port = 443
		}
		res.Port = o.Port
		t, err = newSockTracer(addr, TraceTCP, o.Port)
	default:
		err = fmt.Errorf("unknown trace method %q (want icmp, udp or tcp)", method)
	}
	if errors.Is(err, errMethodUnsupported) {
		return skippedTrace(res, i18n.M("the %s method needs Linux; raw ICMP needs privileges: %s", method, priv.DetailMsg()))
	}
	if err != nil {
		if isPermission(err) {
			return skippedTrace(res, i18n.M("socket refused: %s", err.Error()))
		}
		res.Err, res.Error = err, err.Error()
		return res
	}
	defer t.close()
	err = runTrace(ctx, t, o, &res)
	if err != nil {
		res.Err, res.Error = err, err.Error()
	}
	if firewallSilencesHops(res) {
		res.warning = silentHopsWarning
		res.Warning = silentHopsWarning.In(i18n.EN)
	}
	return res
}

// skippedTrace: the trace cannot run here; why and the fix are kept as
// messages too, for the human formats in --lang.
func skippedTrace(res TraceResult, why i18n.Msg) TraceResult {
	res.skip, res.fix = why, traceFix(selfPath())
	res.Skipped, res.SkipReason, res.Fix = true, why.In(i18n.EN), res.fix.In(i18n.EN)
	res.Err = fmt.Errorf("%w: %s", ErrNoPrivilege, res.SkipReason)
	return res
}

// waveGap spaces the waves: ICMP rate limits on routers (Linux: a burst of 6
// per destination, then 1/s) would otherwise eat the later probes, and a
// known end lets later waves stop there.
const waveGap = 50 * time.Millisecond

// While nothing at all has answered, the first hops are probed again every
// extraGap until the deadline (at most maxExtra times): routers allow their
// "no route" answers at about 1/s after a burst of 5, so a trace that starts
// right after other traffic (the failed connect that led to it) would
// otherwise hear nothing and report silence where a router said no.
const (
	extraGap  = 400 * time.Millisecond
	maxExtra  = 4
	extraTTLs = 2
)

func runTrace(ctx context.Context, t tracer, o TraceOptions, res *TraceResult) error {
	sent := map[probeKey]time.Time{}
	got := map[probeKey]hopEvent{}
	end := 0 // lowest TTL with a terminal answer
	wave, extra := 0, 0
	var nextWave, lastSend, nextExtra time.Time
	var sendErr error
	capHop, reached := 0, 0 // the hop after the target's, when known; the lowest TTL reached
	for {
		if o.TargetHop != nil {
			if h := o.TargetHop(); h > 0 && h+1 < o.MaxHops && (capHop == 0 || h+1 < capHop) {
				capHop = h + 1
				forgetAbove(t, sent, got, capHop)
			}
		}
		now := time.Now()
		if wave >= o.Probes && len(got) == 0 && extra < maxExtra && !now.Before(nextExtra) && now.Add(extraGap/4).Before(lastSend.Add(o.ProbeTimeout)) {
			for ttl := 1; ttl <= min(extraTTLs, o.MaxHops); ttl++ {
				k := probeKey{ttl, o.Probes + extra}
				if t.send(k) == nil {
					sent[k] = time.Now()
				}
			}
			extra++
			nextExtra = now.Add(extraGap)
		}
		if wave < o.Probes && !now.Before(nextWave) {
			limit := o.MaxHops
			if end > 0 {
				limit = end
			}
			if capHop > 0 {
				limit = min(limit, capHop)
			}
			for ttl := 1; ttl <= limit; ttl++ {
				k := probeKey{ttl, wave}
				if err := t.send(k); err != nil {
					// A local refusal (no route) is an answer, not a crash.
					if ev, ok := localFailure(k, err); ok {
						got[k] = ev
						sent[k] = ev.at
						continue
					}
					// Out of descriptors (many traces at once): this wave
					// stops short; the probes already out still count, and
					// a later wave may find descriptors given back.
					if isFDExhausted(err) && (len(sent) > 0 || wave+1 < o.Probes) {
						break
					}
					sendErr = err
					break
				}
				sent[k] = time.Now()
			}
			if sendErr != nil {
				break
			}
			wave++
			lastSend = time.Now()
			nextWave = lastSend.Add(waveGap)
			nextExtra = lastSend.Add(extraGap)
		}
		for k, ev := range got {
			if ev.kind != evHop && (end == 0 || k.ttl < end) {
				end = k.ttl
			}
		}
		if wave >= o.Probes && complete(sent, got, end) {
			break
		}
		until := lastSend.Add(o.ProbeTimeout)
		if wave < o.Probes {
			until = nextWave
		} else if len(got) == 0 && extra < maxExtra {
			until = minTime(until, nextExtra)
		}
		if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
			until = dl
		}
		if ctx.Err() != nil {
			break
		}
		if !time.Now().Before(until) {
			if wave >= o.Probes {
				break
			}
			continue
		}
		// Short slices so a cancelled ctx is noticed promptly.
		until = minTime(until, time.Now().Add(100*time.Millisecond))
		evs, err := t.wait(until)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if _, ok := sent[ev.key]; !ok {
				continue
			}
			if _, dup := got[ev.key]; !dup {
				got[ev.key] = ev
			}
			if ev.kind == evReached && o.Reached != nil && (reached == 0 || ev.key.ttl < reached) {
				reached = ev.key.ttl
				o.Reached(reached)
			}
		}
	}
	summarise(res, o, sent, got)
	if sendErr != nil && len(got) == 0 {
		return sendErr
	}
	return ctxErrUnlessDeadline(ctx)
}

// forgetAbove stops awaiting the unanswered probes past ttl (and closes
// their sockets where each probe has its own).
func forgetAbove(t tracer, sent map[probeKey]time.Time, got map[probeKey]hopEvent, ttl int) {
	if f, ok := t.(interface{ forgetAbove(int) }); ok {
		f.forgetAbove(ttl)
	}
	for k := range sent {
		if _, ok := got[k]; !ok && k.ttl > ttl {
			delete(sent, k)
		}
	}
}

func isFDExhausted(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}

func ctxErrUnlessDeadline(ctx context.Context) error {
	if err := ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// complete: the end is known and every probe up to it has answered (silent
// hops keep the trace waiting until the timeout, as they must).
func complete(sent map[probeKey]time.Time, got map[probeKey]hopEvent, end int) bool {
	if end == 0 {
		return false
	}
	for k := range sent {
		if _, ok := got[k]; !ok && k.ttl <= end {
			return false
		}
	}
	return true
}

func summarise(res *TraceResult, o TraceOptions, sent map[probeKey]time.Time, got map[probeKey]hopEvent) {
	end := 0
	for k, ev := range got {
		if ev.kind != evHop && (end == 0 || k.ttl < end) {
			end = k.ttl
		}
	}
	last := 0
	for k := range got {
		if (end == 0 || k.ttl <= end) && k.ttl > last {
			last = k.ttl
		}
	}
	end = relocateEnd(got, end, o.Probes+maxExtra)
	if last > end && end > 0 {
		last = end
	}
	res.LastHop = last
	upto := end
	if upto == 0 {
		// Silent: show the hops that answered and the first silent one.
		upto = min(last+1, o.MaxHops)
	}
	for ttl := 1; ttl <= upto; ttl++ {
		h := TraceHop{TTL: ttl}
		for n := range o.Probes + maxExtra {
			k := probeKey{ttl, n}
			at, ok := sent[k]
			if !ok {
				continue
			}
			h.Sent++
			ev, ok := got[k]
			if !ok {
				continue
			}
			h.Received++
			h.RTTsMS = append(h.RTTsMS, msf(max(ev.at.Sub(at), 0)))
			switch {
			case !h.Addr.IsValid():
				h.Addr = ev.from
			case ev.from != h.Addr && !slices.Contains(h.OtherAddrs, ev.from):
				h.OtherAddrs = append(h.OtherAddrs, ev.from)
			}
			if ttl == end && h.Note == "" {
				h.Note = eventNote(ev, res.Addr.Is6())
			}
		}
		if h.Sent > 0 {
			h.LossPct = math.Round(float64(h.Sent-h.Received)*1000/float64(h.Sent)) / 10
		}
		res.Hops = append(res.Hops, h)
	}
	switch {
	case end == 0:
		res.End = TraceSilent
	default:
		res.EndHop = end
		var ev hopEvent
		for n := range o.Probes + maxExtra {
			if e, ok := got[probeKey{end, n}]; ok && e.kind != evHop {
				ev = e
				break
			}
		}
		if ev.kind == evUnreach || ev.kind == evLocalFail {
			res.End = TraceUnreachable
			res.UnreachableFrom = ev.from
			res.ICMPCode = ev.code
			res.Reason = eventNote(ev, res.Addr.Is6())
		} else {
			res.End = TraceReached
		}
	}
}

// relocateEnd moves an unreachable verdict back to just after the router
// that sent it when the hops in between are silent: routers rate-limit ICMP
// errors, so the first answer may come from a much higher TTL than the one
// where the packets really stopped.
func relocateEnd(got map[probeKey]hopEvent, end, probes int) int {
	if end == 0 {
		return 0
	}
	var ev hopEvent
	for n := range probes {
		if e, ok := got[probeKey{end, n}]; ok && e.kind == evUnreach {
			ev = e
			break
		}
	}
	if ev.kind != evUnreach || !ev.from.IsValid() {
		return end
	}
	for ttl := end - 1; ttl >= 1; ttl-- {
		answered, fromSame := false, false
		for n := range probes {
			if e, ok := got[probeKey{ttl, n}]; ok {
				answered = true
				fromSame = fromSame || e.from == ev.from
			}
		}
		if !answered {
			continue
		}
		if fromSame && ttl+1 < end {
			for n := range probes {
				delete(got, probeKey{ttl + 1, n})
				if e, ok := got[probeKey{end, n}]; ok {
					got[probeKey{ttl + 1, n}] = e
				}
			}
			return ttl + 1
		}
		return end
	}
	return end
}

func eventNote(ev hopEvent, v6 bool) string {
	switch ev.kind {
	case evReached:
		return "reached"
	case evReset:
		return "reset"
	case evUnreach:
		return UnreachableReason(ev.code, v6)
	case evLocalFail:
		return "no-route-here"
	}
	return ""
}

// UnreachableReason names an ICMP Destination Unreachable code.
func UnreachableReason(code int, v6 bool) string {
	if v6 {
		switch code {
		case 0:
			return "no-route"
		case 1:
			return "admin-prohibited"
		case 3:
			return "address-unreachable"
		case 4:
			return "port-unreachable"
		case 5, 6:
			return "policy-reject"
		}
		return fmt.Sprintf("code-%d", code)
	}
	switch code {
	case 0, 6, 11:
		return "network-unreachable"
	case 1, 7, 12:
		return "host-unreachable"
	case 2:
		return "protocol-unreachable"
	case 3:
		return "port-unreachable"
	case 4:
		return "fragmentation-needed"
	case 9, 10, 13:
		return "admin-prohibited"
	}
	return fmt.Sprintf("code-%d", code)
}

// ---- raw ICMP echo ----

type icmpTracer struct {
	dst  netip.Addr
	conn *icmp.PacketConn
	id   int
	buf  []byte
}

func newICMPTracer(dst netip.Addr) (tracer, error) {
	network, laddr := "ip4:icmp", "0.0.0.0"
	if dst.Is6() {
		network, laddr = "ip6:ipv6-icmp", "::"
	}
	c, err := icmp.ListenPacket(network, laddr)
	if err != nil {
		return nil, err
	}
	return &icmpTracer{dst: dst, conn: c, id: rand.IntN(0xffff) + 1, buf: make([]byte, 1500)}, nil
}

// seq packs (ttl, probe) into the echo sequence so a reply names its probe.
func packSeq(k probeKey) int     { return k.ttl<<4 | k.n }
func unpackSeq(seq int) probeKey { return probeKey{seq >> 4, seq & 0xf} }
func (t *icmpTracer) close()     { t.conn.Close() }
func (t *icmpTracer) proto() int { return map[bool]int{true: 58, false: 1}[t.dst.Is6()] }
func (t *icmpTracer) echoType() icmp.Type {
	if t.dst.Is6() {
		return ipv6.ICMPTypeEchoRequest
	}
	return ipv4.ICMPTypeEcho
}

func (t *icmpTracer) send(k probeKey) error {
	var err error
	if t.dst.Is6() {
		err = t.conn.IPv6PacketConn().SetHopLimit(k.ttl)
	} else {
		err = t.conn.IPv4PacketConn().SetTTL(k.ttl)
	}
	if err != nil {
		return err
	}
	m := icmp.Message{Type: t.echoType(), Body: &icmp.Echo{ID: t.id, Seq: packSeq(k), Data: []byte("newapi-doctor-trace")}}
	b, err := m.Marshal(nil)
	if err != nil {
		return err
	}
	_, err = t.conn.WriteTo(b, &net.IPAddr{IP: t.dst.AsSlice(), Zone: t.dst.Zone()})
	return err
}

func (t *icmpTracer) wait(until time.Time) ([]hopEvent, error) {
	if err := t.conn.SetReadDeadline(until); err != nil {
		return nil, err
	}
	n, peer, err := t.conn.ReadFrom(t.buf)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, nil
		}
		return nil, err
	}
	at := time.Now()
	from := netip.Addr{}
	if ia, ok := peer.(*net.IPAddr); ok {
		from, _ = netip.AddrFromSlice(ia.IP)
		from = from.Unmap()
	}
	ev, ok := parseICMPReply(t.buf[:n], t.proto(), t.id, from, t.dst)
	if !ok {
		return nil, nil
	}
	ev.at = at
	return []hopEvent{ev}, nil
}

// parseICMPReply matches one ICMP message to a probe: an echo reply by its
// id/seq, Time Exceeded and Destination Unreachable by the echo header
// quoted inside them (the inner header).
func parseICMPReply(b []byte, proto, id int, from, dst netip.Addr) (hopEvent, bool) {
	m, err := icmp.ParseMessage(proto, b)
	if err != nil {
		return hopEvent{}, false
	}
	switch body := m.Body.(type) {
	case *icmp.Echo:
		if (m.Type == ipv4.ICMPTypeEchoReply || m.Type == ipv6.ICMPTypeEchoReply) && body.ID == id {
			return hopEvent{key: unpackSeq(body.Seq), from: from, kind: evReached}, true
		}
	case *icmp.TimeExceeded:
		if k, ok := innerEcho(body.Data, proto, id, dst); ok {
			return hopEvent{key: k, from: from, kind: evHop}, true
		}
	case *icmp.DstUnreach:
		if k, ok := innerEcho(body.Data, proto, id, dst); ok {
			return hopEvent{key: k, from: from, kind: evUnreach, code: m.Code}, true
		}
	}
	return hopEvent{}, false
}

// innerEcho reads the quoted IP header + first 8 bytes of our echo request.
func innerEcho(d []byte, proto, id int, dst netip.Addr) (probeKey, bool) {
	var icmpHdr []byte
	if proto == 1 {
		if len(d) < 20 || d[0]>>4 != 4 {
			return probeKey{}, false
		}
		ihl := int(d[0]&0xf) * 4
		if ihl < 20 || len(d) < ihl+8 || d[9] != 1 {
			return probeKey{}, false
		}
		if a := netip.AddrFrom4([4]byte(d[16:20])); a != dst {
			return probeKey{}, false
		}
		icmpHdr = d[ihl : ihl+8]
		if icmpHdr[0] != byte(ipv4.ICMPTypeEcho) {
			return probeKey{}, false
		}
	} else {
		if len(d) < 48 || d[0]>>4 != 6 || d[6] != 58 {
			return probeKey{}, false
		}
		if a := netip.AddrFrom16([16]byte(d[24:40])); a != dst {
			return probeKey{}, false
		}
		icmpHdr = d[40:48]
		if icmpHdr[0] != byte(ipv6.ICMPTypeEchoRequest) {
			return probeKey{}, false
		}
	}
	if int(binary.BigEndian.Uint16(icmpHdr[4:6])) != id {
		return probeKey{}, false
	}
	return unpackSeq(int(binary.BigEndian.Uint16(icmpHdr[6:8]))), true
}
