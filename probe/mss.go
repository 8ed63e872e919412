package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
)

// Small MSS values for the path-MTU differential: IPv4's minimum datagram
// (576) and IPv6's minimum MTU (1280), less the IP and TCP headers. A
// segment this small passes any working path.
const (
	SmallMSS4 = 536
	SmallMSS6 = 1220
)

// ErrMSSUnsupported: this platform cannot set TCP_MAXSEG before connecting.
var ErrMSSUnsupported = errors.New("setting the TCP MSS (TCP_MAXSEG) before connect is not supported on this platform")

// TCPSmallMSS opens one TCP connection announcing a small MSS in its SYN
// (TCP_MAXSEG set through the dialer's Control, before connect), so the
// peer sends segments that fit any path. On platforms without it, it
// returns ErrMSSUnsupported without dialing.
func TCPSmallMSS(ctx context.Context, network, address string) TCPResult {
	res := TCPResult{Network: familyOf(network, address), Addr: address}
	if !mssSupported {
		res.Err = ErrMSSUnsupported
		return res
	}
	mss := SmallMSS4
	if ap, err := netip.ParseAddrPort(address); err == nil && ap.Addr().Unmap().Is6() {
		mss = SmallMSS6
	}
	return dialTCP(ctx, network, address, net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		if err := rc.Control(func(fd uintptr) { serr = setMSS(fd, mss) }); err != nil {
			return err
		}
		return serr
	}})
}
