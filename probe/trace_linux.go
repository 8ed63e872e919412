//go:build linux

package probe

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// sockTracer is the tracepath way: one ordinary UDP or TCP socket per probe,
// its TTL set, IP_RECVERR on, so the kernel queues the ICMP errors the probe
// provoked (with the router's address) on that socket's error queue. No
// privilege is needed, and the socket itself says which probe an answer
// belongs to (the kernel matched the quoted inner header for us).
type sockTracer struct {
	dst    netip.Addr
	method string
	port   int
	fds    map[int]probeKey
	buf    []byte
	oob    []byte
}

func newSockTracer(dst netip.Addr, method string, port int) (tracer, error) {
	// Creating a socket up front surfaces a refusal (seccomp, LSM) as an error
	// before any probe is counted.
	t := &sockTracer{dst: dst, method: method, port: port, fds: map[int]probeKey{}, buf: make([]byte, 512), oob: make([]byte, 512)}
	fd, err := t.socket()
	if err != nil {
		return nil, err
	}
	closeProbe(fd)
	return t, nil
}

// probeSockets counts the probe sockets open in the process, against
// probeSocketCap: many traces at once (an outage: hundreds of endpoints
// localised together) must not take the descriptors the rest of the run
// needs. Past the cap a socket is refused as EMFILE would refuse it, and
// the trace's wave stops short.
var (
	probeSockets   atomic.Int64
	probeSocketCap = sync.OnceValue(func() int64 {
		var rl unix.Rlimit
		if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) != nil || rl.Cur > 1<<20 {
			return 1 << 19
		}
		return int64(rl.Cur / 2)
	})
)

func closeProbe(fd int) {
	unix.Close(fd)
	probeSockets.Add(-1)
}

func (t *sockTracer) socket() (int, error) {
	if probeSockets.Add(1) > probeSocketCap() {
		probeSockets.Add(-1)
		return -1, unix.EMFILE
	}
	fd, err := t.rawSocket()
	if err != nil {
		probeSockets.Add(-1)
	}
	return fd, err
}

func (t *sockTracer) rawSocket() (int, error) {
	family := unix.AF_INET
	if t.dst.Is6() {
		family = unix.AF_INET6
	}
	typ := unix.SOCK_DGRAM
	if t.method == TraceTCP {
		typ = unix.SOCK_STREAM
	}
	return unix.Socket(family, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}

// localErr is a probe the local stack refused to send (no route, local
// firewall): an answer about the path, not a failure of the trace.
type localErr struct{ err error }

func (e *localErr) Error() string { return e.err.Error() }
func (e *localErr) Unwrap() error { return e.err }

func (t *sockTracer) send(k probeKey) error {
	fd, err := t.socket()
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			closeProbe(fd)
		}
	}()
	if t.dst.Is6() {
		err = errors.Join(unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1),
			unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, k.ttl))
	} else {
		err = errors.Join(unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_RECVERR, 1),
			unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TTL, k.ttl))
	}
	if err != nil {
		return err
	}
	port := t.port
	if t.method == TraceTCP {
		// Close with RST, not FIN: a probe that got through leaves nothing
		// half-open on the target. One SYN retry at most.
		_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_SYNCNT, 1)
	} else if port <= 0 {
		port = 33434 + (k.ttl-1)*10 + k.n // traceroute's range, one port per probe
	}
	var sa unix.Sockaddr
	if t.dst.Is6() {
		sa = &unix.SockaddrInet6{Port: port, Addr: t.dst.As16()}
	} else {
		sa = &unix.SockaddrInet4{Port: port, Addr: t.dst.As4()}
	}
	err = unix.Connect(fd, sa)
	if t.method == TraceTCP && errors.Is(err, unix.EINPROGRESS) {
		err = nil
	}
	if err == nil && t.method == TraceUDP {
		_, err = unix.Write(fd, []byte("newapi-doctor-trace"))
	}
	if err != nil {
		return &localErr{err}
	}
	t.fds[fd] = k
	ok = true
	return nil
}

func localFailure(k probeKey, err error) (hopEvent, bool) {
	var le *localErr
	if !errors.As(err, &le) {
		return hopEvent{}, false
	}
	ev := hopEvent{key: k, kind: evLocalFail, at: time.Now()}
	switch {
	case errors.Is(err, unix.ENETUNREACH):
		ev.code = 0
	case errors.Is(err, unix.EHOSTUNREACH):
		ev.code = 1
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		ev.code = 13
	default:
		return hopEvent{}, false
	}
	return ev, true
}

func (t *sockTracer) forgetAbove(ttl int) {
	for fd, k := range t.fds {
		if k.ttl > ttl {
			closeProbe(fd)
			delete(t.fds, fd)
		}
	}
}

func (t *sockTracer) close() {
	for fd := range t.fds {
		closeProbe(fd)
	}
	clear(t.fds)
}

func (t *sockTracer) wait(until time.Time) ([]hopEvent, error) {
	pfds := make([]unix.PollFd, 0, len(t.fds))
	events := int16(unix.POLLERR | unix.POLLIN)
	if t.method == TraceTCP {
		events = unix.POLLERR | unix.POLLOUT
	}
	for fd := range t.fds {
		pfds = append(pfds, unix.PollFd{Fd: int32(fd), Events: events})
	}
	ms := int((time.Until(until) + time.Millisecond - 1) / time.Millisecond)
	if ms <= 0 {
		return nil, nil
	}
	if len(pfds) == 0 {
		time.Sleep(time.Until(until))
		return nil, nil
	}
	n, err := unix.Poll(pfds, ms)
	if err != nil {
		if errors.Is(err, unix.EINTR) {
			return nil, nil
		}
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	at := time.Now()
	var out []hopEvent
	for _, p := range pfds {
		if p.Revents == 0 {
			continue
		}
		fd := int(p.Fd)
		k := t.fds[fd]
		ev, done := t.read(fd, p.Revents)
		if !done {
			continue
		}
		ev.key, ev.at = k, at
		out = append(out, ev)
		delete(t.fds, fd)
		closeProbe(fd)
	}
	return out, nil
}

// read turns a socket's readiness into an event: an ICMP error from the
// error queue first, else what the socket itself says.
func (t *sockTracer) read(fd int, revents int16) (hopEvent, bool) {
	if ev, ok := t.readErrQueue(fd); ok {
		return ev, true
	}
	if t.method == TraceUDP {
		if revents&unix.POLLIN != 0 {
			if _, err := unix.Read(fd, t.buf); err == nil {
				return hopEvent{from: t.dst, kind: evReached}, true // an actual UDP answer
			}
		}
		return hopEvent{}, false
	}
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return hopEvent{}, false
	}
	switch e := unix.Errno(soerr); {
	case soerr == 0:
		return hopEvent{from: t.dst, kind: evReached}, true
	case e == unix.ECONNREFUSED:
		return hopEvent{from: t.dst, kind: evReset}, true
	case e == unix.ENETUNREACH:
		return hopEvent{kind: evLocalFail, code: 0}, true
	case e == unix.EHOSTUNREACH:
		return hopEvent{kind: evLocalFail, code: 1}, true
	}
	return hopEvent{}, false
}

const (
	soEEOriginICMP  = 2
	soEEOriginICMP6 = 3
)

func (t *sockTracer) readErrQueue(fd int) (hopEvent, bool) {
	_, oobn, _, _, err := unix.Recvmsg(fd, t.buf, t.oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
	if err != nil {
		return hopEvent{}, false
	}
	cms, err := unix.ParseSocketControlMessage(t.oob[:oobn])
	if err != nil {
		return hopEvent{}, false
	}
	for _, cm := range cms {
		isV4 := cm.Header.Level == unix.SOL_IP && cm.Header.Type == unix.IP_RECVERR
		isV6 := cm.Header.Level == unix.SOL_IPV6 && cm.Header.Type == unix.IPV6_RECVERR
		if !isV4 && !isV6 {
			continue
		}
		if ev, ok := parseExtendedErr(cm.Data, t.dst, t.method == TraceUDP); ok {
			return ev, true
		}
	}
	return hopEvent{}, false
}

// parseExtendedErr reads struct sock_extended_err and the offender address
// that follows it (SO_EE_OFFENDER).
func parseExtendedErr(d []byte, dst netip.Addr, udp bool) (hopEvent, bool) {
	if len(d) < 16 {
		return hopEvent{}, false
	}
	origin, typ, code := d[4], d[5], d[6]
	var from netip.Addr
	off := d[16:]
	if len(off) >= 8 && binary.NativeEndian.Uint16(off) == unix.AF_INET {
		from = netip.AddrFrom4([4]byte(off[4:8]))
	} else if len(off) >= 24 && binary.NativeEndian.Uint16(off) == unix.AF_INET6 {
		from = netip.AddrFrom16([16]byte(off[8:24])).Unmap()
	}
	switch origin {
	case soEEOriginICMP:
		switch typ {
		case 11:
			return hopEvent{from: from, kind: evHop}, true
		case 3:
			if code == 3 && udp && from == dst {
				return hopEvent{from: from, kind: evReached}, true
			}
			return hopEvent{from: from, kind: evUnreach, code: int(code)}, true
		}
	case soEEOriginICMP6:
		switch typ {
		case 3:
			return hopEvent{from: from, kind: evHop}, true
		case 1:
			if code == 4 && udp && from == dst {
				return hopEvent{from: from, kind: evReached}, true
			}
			return hopEvent{from: from, kind: evUnreach, code: int(code)}, true
		}
	}
	return hopEvent{}, false
}
