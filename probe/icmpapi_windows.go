package probe

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"
	"unsafe"

	"github.com/newapi-doctor/newapi-doctor/i18n"
	"golang.org/x/sys/windows"
)

var (
	iphlpapi           = windows.NewLazySystemDLL("iphlpapi.dll")
	procIcmpCreateFile = iphlpapi.NewProc("IcmpCreateFile")
	procIcmp6Create    = iphlpapi.NewProc("Icmp6CreateFile")
	procIcmpClose      = iphlpapi.NewProc("IcmpCloseHandle")
	procIcmpSendEcho2  = iphlpapi.NewProc("IcmpSendEcho2")
	procIcmp6SendEcho2 = iphlpapi.NewProc("Icmp6SendEcho2")
)

// systemICMP: Windows pings and traces through iphlpapi, unprivileged.
const systemICMP = true

// ipOptionInformation is IP_OPTION_INFORMATION (16 bytes on 64-bit).
type ipOptionInformation struct {
	TTL         uint8
	Tos         uint8
	Flags       uint8
	OptionsSize uint8
	OptionsData uintptr
}

type sockaddrIn6 struct {
	Family   uint16
	Port     uint16
	Flowinfo uint32
	Addr     [16]byte
	ScopeID  uint32
}

// icmpHandle is one IcmpCreateFile/Icmp6CreateFile handle; IcmpSendEcho2 on
// it may run from several goroutines at once (tracert's waves).
type icmpHandle struct {
	h   uintptr
	dst netip.Addr
}

func openICMP(dst netip.Addr) (*icmpHandle, error) {
	proc := procIcmpCreateFile
	if dst.Is6() {
		proc = procIcmp6Create
	}
	if err := proc.Find(); err != nil {
		return nil, err
	}
	h, _, err := proc.Call()
	if windows.Handle(h) == windows.InvalidHandle {
		return nil, fmt.Errorf("%s: %w", proc.Name, err)
	}
	return &icmpHandle{h: h, dst: dst}, nil
}

func (c *icmpHandle) close() { procIcmpClose.Call(c.h) }

var echoPayload = []byte("newapi-doctor ping 0123456789abcdef")

// echo sends one echo request with ttl (0 = the system default) and waits
// at most timeout for its answer. A timeout is IP_REQ_TIMED_OUT, not an error.
func (c *icmpHandle) echo(ttl int, timeout time.Duration) (echoReply, error) {
	opts := ipOptionInformation{TTL: uint8(ttl)}
	if ttl == 0 {
		opts.TTL = 128 // Windows' default
	}
	// Room for one reply, the echoed data and an ICMP error's payload.
	buf := make([]byte, 64+len(echoPayload)+8+64)
	ms := uintptr(max(timeout.Milliseconds(), 1))
	var n uintptr
	var err error
	if c.dst.Is6() {
		var src, dst sockaddrIn6
		src.Family, dst.Family = windows.AF_INET6, windows.AF_INET6
		dst.Addr = c.dst.As16()
		n, _, err = procIcmp6SendEcho2.Call(c.h, 0, 0, 0,
			uintptr(unsafe.Pointer(&src)), uintptr(unsafe.Pointer(&dst)),
			uintptr(unsafe.Pointer(&echoPayload[0])), uintptr(len(echoPayload)),
			uintptr(unsafe.Pointer(&opts)), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), ms)
	} else {
		a := c.dst.As4()
		n, _, err = procIcmpSendEcho2.Call(c.h, 0, 0, 0,
			uintptr(*(*uint32)(unsafe.Pointer(&a))), // IPAddr: the bytes in network order
			uintptr(unsafe.Pointer(&echoPayload[0])), uintptr(len(echoPayload)),
			uintptr(unsafe.Pointer(&opts)), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), ms)
	}
	if n == 0 {
		var errno windows.Errno
		if errors.As(err, &errno) && uint32(errno) >= 11000 && uint32(errno) < 12000 {
			// The status comes back as the last error when nothing parsed.
			return echoReply{Status: uint32(errno), TTL: -1}, nil
		}
		return echoReply{}, fmt.Errorf("IcmpSendEcho2: %w", err)
	}
	if c.dst.Is6() {
		return parseEchoReply6(buf)
	}
	return parseEchoReply4(buf, int(unsafe.Sizeof(uintptr(0))))
}

// pingSystem is Ping through IcmpSendEcho2: no privilege needed, TTL reported.
func pingSystem(ctx context.Context, res PingResult, o PingOptions) PingResult {
	c, err := openICMP(res.Addr)
	if err != nil {
		res.Err, res.Error = err, err.Error()
		return res
	}
	defer c.close()
	res.Mode = "unprivileged"
	rctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	for seq := 0; seq < o.Count; seq++ {
		if seq > 0 {
			select {
			case <-rctx.Done():
			case <-time.After(o.Interval):
			}
		}
		dl, _ := rctx.Deadline()
		wait := min(time.Until(dl), max(o.Interval, time.Second))
		if rctx.Err() != nil || wait <= 0 {
			break
		}
		res.Sent++
		r, err := c.echo(0, wait)
		if err != nil {
			res.Err, res.Error = err, err.Error()
			break
		}
		if r.Status == ipSuccess {
			res.Replies = append(res.Replies, PingReply{Seq: seq, RTTMS: msf(r.RTT), TTL: r.TTL})
		}
	}
	fillPingStats(&res)
	if err := ctxErrUnlessDeadline(ctx); err != nil && res.Err == nil {
		res.Err, res.Error = err, err.Error()
	}
	return res
}

// sysTracer traces with IcmpSendEcho2 and a TTL per request. Each request
// blocks its own goroutine; wait collects whatever has come back.
type sysTracer struct {
	c       *icmpHandle
	timeout time.Duration
	events  chan hopEvent
	flight  sync.WaitGroup
}

func newSystemTracer(dst netip.Addr, timeout time.Duration) (tracer, error) {
	c, err := openICMP(dst)
	if err != nil {
		return nil, err
	}
	return &sysTracer{c: c, timeout: timeout, events: make(chan hopEvent, 1024)}, nil
}

func (t *sysTracer) send(k probeKey) error {
	t.flight.Add(1)
	go func() {
		defer t.flight.Done()
		r, err := t.c.echo(k.ttl, t.timeout)
		if err != nil {
			return
		}
		kind, code, silent := echoOutcome(r.Status, t.c.dst.Is6())
		if silent {
			return
		}
		select {
		case t.events <- hopEvent{key: k, from: r.From, kind: kind, code: code, at: time.Now()}:
		default:
		}
	}()
	return nil
}

func (t *sysTracer) wait(until time.Time) ([]hopEvent, error) {
	timer := time.NewTimer(time.Until(until))
	defer timer.Stop()
	var evs []hopEvent
	select {
	case ev := <-t.events:
		evs = append(evs, ev)
	case <-timer.C:
		return nil, nil
	}
	for {
		select {
		case ev := <-t.events:
			evs = append(evs, ev)
		default:
			return evs, nil
		}
	}
}

// close does not wait for requests still in flight (each ends by its own
// timeout) but closes the handle after them: IcmpCloseHandle under a blocked
// IcmpSendEcho2 is not documented as safe.
func (t *sysTracer) close() {
	go func() {
		t.flight.Wait()
		t.c.close()
	}()
}

var silentHopsWarning = i18n.M("every router before the target was silent while the target answered: " +
	"Windows Defender Firewall (or a security suite) is dropping the ICMP Time Exceeded replies, not the path. " +
	"To see the hops, allow them from a terminal run as Administrator: " +
	`netsh advfirewall firewall add rule name="ICMPv4 Time Exceeded (newapi-doctor)" dir=in action=allow protocol=icmpv4:11,any`)
