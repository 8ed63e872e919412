package probe

import (
	"context"
	"net"
	"net/netip"
	"time"
)

// TCP opens one TCP connection. ctx's deadline is the connect timeout. The
// dial error is kept as Go returns it, so errno values (ECONNREFUSED,
// EHOSTUNREACH, EACCES, Winsock's numbers) and timeouts stay matchable.
func TCP(ctx context.Context, network, address string) TCPResult {
	return dialTCP(ctx, network, address, net.Dialer{})
}

// dialTCP is TCP with the dialer given (TCPSmallMSS sets its Control).
func dialTCP(ctx context.Context, network, address string, d net.Dialer) TCPResult {
	res := TCPResult{Network: familyOf(network, address), Addr: address}
	start := time.Now()
	conn, err := d.DialContext(ctx, network, address)
	res.Duration = time.Since(start)
	if err != nil {
		res.Err = withCtxErr(ctx, err)
		return res
	}
	res.Conn = conn
	res.Local = conn.LocalAddr().String()
	if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
		res.Network = familyOfAddr(ap.Addr())
	}
	return res
}

// familyOf names the address family a dial will use, when it can be told
// before dialing.
func familyOf(network, address string) string {
	if network == "tcp4" || network == "tcp6" {
		return network
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return network
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return familyOfAddr(ip)
	}
	return network
}

func familyOfAddr(ip netip.Addr) string {
	if ip.Unmap().Is4() {
		return "tcp4"
	}
	return "tcp6"
}
