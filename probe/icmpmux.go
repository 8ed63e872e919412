package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// sharedICMP: ping and the ICMP trace use the shared raw socket. Windows
// keeps its own ICMP paths (raw sockets there do not see ICMP errors).
var sharedICMP = runtime.GOOS != "windows"

// icmpMux is ONE raw ICMP socket per address family, shared by every ping
// and ICMP trace of the process: the kernel hands every ICMP message to
// every raw ICMP socket, so N probes on N sockets each read the replies of
// all N (a cost that grows with the square of N). Here one reader
// demultiplexes by echo ID (one per ping or trace run, as mtr and NTrace do)
// and each run matches its own sequence numbers.
type icmpMux struct {
	key  muxKey
	v6   bool
	conn *net.IPConn
	p4   *ipv4.PacketConn // one of p4, p6: the family's socket options
	p6   *ipv6.PacketConn

	wmu sync.Mutex // one TTL + write at a time: the TTL is the socket's
	ttl int
	// noTTLControl: the kernel refused the hop limit as a control message.
	noTTLControl atomic.Bool

	mu     sync.Mutex
	subs   map[uint16]*icmpSub
	nextID uint16
	refs   int
}

// icmpPacket is one ICMP message the reader handed to a run.
type icmpPacket struct {
	b    []byte // the ICMP message (no IP header)
	from netip.Addr
	ttl  int // the reply's IP TTL / hop limit (0 = unknown)
	at   time.Time
}

// icmpSub is one run's share of the mux: its echo ID and its replies.
type icmpSub struct {
	mux *icmpMux
	id  uint16
	ch  chan icmpPacket
}

// subQueue bounds what one run may have unread: a trace sends at most
// (64 hops × 10 probes + extras) echoes; replies beyond are dropped, as a
// full socket buffer would.
const subQueue = 1024

// muxKey: one shared socket per address family and network namespace (a
// socket belongs to the namespace of the thread that opened it; tests and
// the lab probe from inside namespaces they made).
type muxKey struct {
	v6    bool
	netns uint64
}

var (
	muxMu     sync.Mutex
	muxes     = map[muxKey]*icmpMux{}
	muxOpened atomic.Int64 // sockets opened so far (tests: one is shared)
)

// acquireICMP returns a run's share of the shared raw socket for dst's
// family, opening the socket for the first run. release gives it back; the
// socket closes when the last run is done.
func acquireICMP(dst netip.Addr) (*icmpSub, error) {
	k := muxKey{v6: dst.Is6(), netns: netnsID()}
	muxMu.Lock()
	defer muxMu.Unlock()
	m := muxes[k]
	if m == nil {
		network, laddr := "ip4:icmp", "0.0.0.0"
		if k.v6 {
			network, laddr = "ip6:ipv6-icmp", "::"
		}
		pc, err := net.ListenPacket(network, laddr)
		if err != nil {
			return nil, err
		}
		muxOpened.Add(1)
		c := pc.(*net.IPConn)
		m = &icmpMux{key: k, v6: k.v6, conn: c, subs: map[uint16]*icmpSub{}, nextID: uint16(rand.IntN(0xffff)) + 1}
		if k.v6 {
			m.p6 = ipv6.NewPacketConn(c)
		} else {
			m.p4 = ipv4.NewPacketConn(c)
		}
		tuneShared(m)
		muxes[k] = m
		go m.read()
	}
	s, err := m.subscribe()
	if err != nil {
		return nil, err
	}
	m.refs++
	return s, nil
}

// tuneShared readies the shared socket for many runs: the replies' TTL,
// a kernel filter passing only what a run can use (on loopback every echo
// request we send arrives too), and a receive buffer for bursts: 250
// traces send 30 TTLs each at once, and on a short path all of them answer
// together.
func tuneShared(m *icmpMux) {
	if m.v6 {
		_ = m.p6.SetControlMessage(ipv6.FlagHopLimit, true)
		_ = m.p6.SetICMPFilter(passOnly[ipv6.ICMPType, ipv6.ICMPFilter](ipv6.ICMPTypeEchoReply, ipv6.ICMPTypeTimeExceeded, ipv6.ICMPTypeDestinationUnreachable))
	} else {
		_ = m.p4.SetControlMessage(ipv4.FlagTTL, true)
		_ = m.p4.SetICMPFilter(passOnly[ipv4.ICMPType, ipv4.ICMPFilter](ipv4.ICMPTypeEchoReply, ipv4.ICMPTypeTimeExceeded, ipv4.ICMPTypeDestinationUnreachable))
	}
	setRcvBuf(m.conn, sharedRcvBuf)
}

// passOnly is a kernel ICMP filter (ipv4 or ipv6) passing only types.
func passOnly[T any, F any, PF interface {
	*F
	SetAll(bool)
	Accept(T)
}](types ...T) *F {
	var f F
	PF(&f).SetAll(true)
	for _, t := range types {
		PF(&f).Accept(t)
	}
	return &f
}

// sharedRcvBuf holds a few thousand ICMP messages (about 1 KiB each in
// kernel accounting).
const sharedRcvBuf = 8 << 20

// subscribe allocates a free echo ID (under muxMu).
func (m *icmpMux) subscribe() (*icmpSub, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.subs) >= 0xfffe {
		return nil, errors.New("every ICMP echo ID is in use")
	}
	for m.nextID == 0 || m.subs[m.nextID] != nil {
		m.nextID++
	}
	s := &icmpSub{mux: m, id: m.nextID, ch: make(chan icmpPacket, subQueue)}
	m.subs[s.id] = s
	m.nextID++ // IDs go round, so a late reply rarely meets a new run
	return s, nil
}

func (s *icmpSub) release() {
	m := s.mux
	m.mu.Lock()
	delete(m.subs, s.id)
	m.mu.Unlock()
	muxMu.Lock()
	defer muxMu.Unlock()
	m.refs--
	if m.refs == 0 {
		delete(muxes, m.key)
		m.conn.Close() // ends the reader
	}
}

// send writes an echo request with this run's ID, seq and the hop limit ttl
// (0 = the system default) to dst.
func (s *icmpSub) send(dst netip.Addr, ttl, seq int, data []byte) error {
	typ := icmp.Type(ipv4.ICMPTypeEcho)
	if s.mux.v6 {
		typ = ipv6.ICMPTypeEchoRequest
	}
	b, err := (&icmp.Message{Type: typ, Body: &icmp.Echo{ID: int(s.id), Seq: seq, Data: data}}).Marshal(nil)
	if err != nil {
		return err
	}
	m := s.mux
	if ttl <= 0 {
		ttl = 64
	}
	to := &net.IPAddr{IP: dst.AsSlice(), Zone: dst.Zone()}
	// The hop limit rides with the packet where the kernel takes it so
	// (Linux): runs send at once, without taking turns on the socket's TTL.
	if oob := ttlControl(m.v6, ttl); oob != nil && !m.noTTLControl.Load() {
		_, _, err = m.conn.WriteMsgIP(b, oob, to)
		if !errors.Is(err, syscall.EINVAL) {
			return err
		}
		m.noTTLControl.Store(true) // an old kernel: the socket's TTL, in turns
	}
	m.wmu.Lock()
	defer m.wmu.Unlock()
	if ttl != m.ttl {
		if m.v6 {
			err = m.p6.SetHopLimit(ttl)
		} else {
			err = m.p4.SetTTL(ttl)
		}
		if err != nil {
			return err
		}
		m.ttl = ttl
	}
	_, err = m.conn.WriteTo(b, to)
	return err
}

// read hands each ICMP message to the run whose echo ID it carries (in an
// echo reply's header, or in the request quoted by an error) until the
// socket closes.
func (m *icmpMux) read() {
	buf := make([]byte, 1500)
	for {
		var (
			n    int
			peer net.Addr
			ttl  int
			err  error
		)
		if m.v6 {
			var cm *ipv6.ControlMessage
			n, cm, peer, err = m.p6.ReadFrom(buf)
			if cm != nil {
				ttl = cm.HopLimit
			}
		} else {
			var cm *ipv4.ControlMessage
			n, cm, peer, err = m.p4.ReadFrom(buf)
			if cm != nil {
				ttl = cm.TTL
			}
		}
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			// A transient error (ENOBUFS, an ICMP error on the socket
			// itself) must not stop the replies of every other run.
			time.Sleep(time.Millisecond)
			continue
		}
		at := time.Now()
		id, ok := echoID(buf[:n], m.v6)
		if !ok {
			continue
		}
		m.mu.Lock()
		s := m.subs[id]
		m.mu.Unlock()
		if s == nil {
			continue
		}
		var from netip.Addr
		if ia, ok := peer.(*net.IPAddr); ok {
			from, _ = netip.AddrFromSlice(ia.IP)
			from = from.Unmap()
		}
		select {
		case s.ch <- icmpPacket{b: append([]byte(nil), buf[:n]...), from: from, ttl: ttl, at: at}:
		default: // the run is not reading: drop, as a full socket buffer would
		}
	}
}

// echoID reads the echo ID an ICMP message is about: an echo reply's own,
// or that of the echo request quoted in Time Exceeded / Destination
// Unreachable. Anything else (others' requests on loopback, redirects) is
// no run's.
func echoID(b []byte, v6 bool) (uint16, bool) {
	if len(b) < 8 {
		return 0, false
	}
	echoReply, timeExceeded, unreach, echoReq, innerLen := byte(0), byte(11), byte(3), byte(8), -1
	if v6 {
		echoReply, timeExceeded, unreach, echoReq = 129, 3, 1, 128
	}
	switch b[0] {
	case echoReply:
		return binary.BigEndian.Uint16(b[4:6]), true
	case timeExceeded, unreach:
	default:
		return 0, false
	}
	d := b[8:]
	if v6 {
		if len(d) >= 48 && d[0]>>4 == 6 && d[6] == 58 {
			innerLen = 40
		}
	} else if len(d) >= 20 && d[0]>>4 == 4 && d[9] == 1 {
		innerLen = int(d[0]&0xf) * 4
	}
	if innerLen < 20 || len(d) < innerLen+8 || d[innerLen] != echoReq {
		return 0, false
	}
	return binary.BigEndian.Uint16(d[innerLen+4 : innerLen+6]), true
}

// next waits for this run's next packet until the deadline (ok false when
// none came).
func (s *icmpSub) next(until time.Time) (icmpPacket, bool) {
	select {
	case p := <-s.ch:
		return p, true
	default:
	}
	d := time.Until(until)
	if d <= 0 {
		return icmpPacket{}, false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case p := <-s.ch:
		return p, true
	case <-t.C:
		return icmpPacket{}, false
	}
}

func (s *icmpSub) proto() int {
	if s.mux.v6 {
		return 58
	}
	return 1
}

// ---- ICMP trace on the shared socket ----

type muxTracer struct {
	dst netip.Addr
	sub *icmpSub
}

func newMuxTracer(dst netip.Addr) (tracer, error) {
	s, err := acquireICMP(dst)
	if err != nil {
		return nil, err
	}
	return &muxTracer{dst: dst, sub: s}, nil
}

func (t *muxTracer) close() { t.sub.release() }

func (t *muxTracer) send(k probeKey) error {
	return t.sub.send(t.dst, k.ttl, packSeq(k), []byte("newapi-doctor-trace"))
}

func (t *muxTracer) wait(until time.Time) ([]hopEvent, error) {
	var out []hopEvent
	for {
		p, ok := t.sub.next(until)
		if !ok {
			return out, nil
		}
		if ev, ok := parseICMPReply(p.b, t.sub.proto(), int(t.sub.id), p.from, t.dst); ok {
			ev.at = p.at
			out = append(out, ev)
		}
		until = time.Time{} // after the first, take only what is queued
	}
}

// ---- ping on the shared socket ----

// pingMux is Ping's privileged path: Count echo requests Interval apart on
// the shared socket, until every reply came or ctx (the run's timeout) ends.
func pingMux(ctx context.Context, addr netip.Addr, o PingOptions, res *PingResult) error {
	s, err := acquireICMP(addr)
	if err != nil {
		return err
	}
	defer s.release()
	sent := make([]time.Time, o.Count)
	seen := make([]bool, o.Count)
	var rtts []time.Duration
	next := time.Now()
	for {
		now := time.Now()
		if res.Sent < o.Count && !now.Before(next) {
			if err := s.send(addr, 0, res.Sent, []byte("newapi-doctor-ping")); err != nil {
				if res.Sent == 0 {
					return err
				}
			} else {
				sent[res.Sent] = time.Now()
			}
			res.Sent++
			next = now.Add(o.Interval)
		}
		if res.Received >= o.Count {
			break
		}
		until := next
		if res.Sent >= o.Count {
			until = now.Add(time.Hour)
		}
		if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
			until = dl
		}
		select {
		case <-ctx.Done():
			finishPing(res, rtts)
			return nil
		default:
		}
		// Short slices so a cancelled ctx is noticed promptly.
		p, ok := s.next(minTime(until, time.Now().Add(100*time.Millisecond)))
		if !ok {
			continue
		}
		m, err := icmp.ParseMessage(s.proto(), p.b)
		if err != nil {
			continue
		}
		e, isEcho := m.Body.(*icmp.Echo)
		if !isEcho || (m.Type != ipv4.ICMPTypeEchoReply && m.Type != ipv6.ICMPTypeEchoReply) || p.from != addr ||
			e.ID != int(s.id) || e.Seq < 0 || e.Seq >= res.Sent || sent[e.Seq].IsZero() {
			continue
		}
		if seen[e.Seq] {
			res.Duplicates++
			continue
		}
		seen[e.Seq] = true
		rtt := max(p.at.Sub(sent[e.Seq]), 0)
		rtts = append(rtts, rtt)
		res.Received++
		res.Replies = append(res.Replies, PingReply{Seq: e.Seq, RTTMS: msf(rtt), TTL: p.ttl})
	}
	finishPing(res, rtts)
	return nil
}

// finishPing fills loss and RTT statistics (population standard deviation,
// as ping and pro-bing report it).
func finishPing(res *PingResult, rtts []time.Duration) {
	if res.Sent > 0 {
		res.LossPct = math.Round(float64(res.Sent-res.Received)*1000/float64(res.Sent)) / 10
	}
	if len(rtts) == 0 {
		return
	}
	lo, hi, sum := rtts[0], rtts[0], time.Duration(0)
	for _, r := range rtts {
		lo, hi, sum = min(lo, r), max(hi, r), sum+r
	}
	avg := sum / time.Duration(len(rtts))
	var sq float64
	for _, r := range rtts {
		d := float64(r - avg)
		sq += d * d
	}
	res.MinMS, res.AvgMS, res.MaxMS = msf(lo), msf(avg), msf(hi)
	res.StdDevMS = msf(time.Duration(math.Sqrt(sq / float64(len(rtts)))))
}
