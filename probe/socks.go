package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
)

// SOCKS5 asks a SOCKS5 proxy, over conn, to connect to target (host:port).
// A host name is sent with the domain-name address type, so the proxy
// resolves it (what new-api does for both socks5 and socks5h). On success
// Conn is the tunnel; on failure conn is closed.
//
// The handshake is written here rather than taken from golang.org/x/net/proxy
// because that package reports the proxy's reply code only inside an error
// string ("unknown error host unreachable"), and the classifier needs the
// number (RFC 1928) and the stage that failed, as a *SOCKSError.
func SOCKS5(ctx context.Context, conn net.Conn, target string, user *url.Userinfo) ProxyResult {
	return proxyHandshake(ctx, conn, "socks5", target, func(res *ProxyResult) error {
		err := socks5Handshake(conn, target, user)
		var se *SOCKSError
		if errors.As(err, &se) && se.Stage == "connect" {
			res.SOCKSReply = int(se.Reply)
		}
		return err
	})
}

func socksProtocolError(format string, args ...any) error {
	return &SOCKSError{Stage: "protocol", Err: &ProtocolError{Proto: "socks5", Msg: fmt.Sprintf(format, args...)}}
}

// socks5Handshake runs greeting, optional RFC 1929 authentication and
// CONNECT on any stream (fuzzed with garbage).
func socks5Handshake(rw io.ReadWriter, target string, user *url.Userinfo) error {
	req, err := socksConnectRequest(target)
	if err != nil {
		return err
	}
	methods := []byte{SOCKSMethodNone}
	if user != nil {
		methods = []byte{SOCKSMethodNone, SOCKSMethodUserPass}
	}
	if _, err := rw.Write(append([]byte{5, byte(len(methods))}, methods...)); err != nil {
		return err
	}
	var b [2]byte
	if _, err := io.ReadFull(rw, b[:]); err != nil {
		return err
	}
	if b[0] != 5 {
		return socksProtocolError("greeting answer version %d, want 5", b[0])
	}
	switch method := b[1]; {
	case method == SOCKSMethodNone:
	case method == SOCKSMethodUserPass && user != nil:
		if err := socksAuth(rw, user); err != nil {
			return err
		}
	default: // 0xFF, or a method that was not offered
		return &SOCKSError{Stage: "greeting", Method: method}
	}

	if _, err := rw.Write(req); err != nil {
		return err
	}
	_, err = readSOCKSReply(rw)
	return err
}

func socksAuth(rw io.ReadWriter, user *url.Userinfo) error {
	name := user.Username()
	pass, _ := user.Password()
	if len(name) == 0 || len(name) > 255 || len(pass) > 255 {
		return errors.New("socks5: username must be 1-255 bytes and password at most 255 bytes")
	}
	msg := append([]byte{1, byte(len(name))}, name...)
	msg = append(append(msg, byte(len(pass))), pass...)
	if _, err := rw.Write(msg); err != nil {
		return err
	}
	var b [2]byte
	if _, err := io.ReadFull(rw, b[:]); err != nil {
		return err
	}
	if b[0] != 1 {
		return socksProtocolError("authentication answer version %d, want 1", b[0])
	}
	if b[1] != 0 {
		return &SOCKSError{Stage: "auth", Reply: b[1], Method: SOCKSMethodUserPass}
	}
	return nil
}

// socksConnectRequest encodes CONNECT target; names are not resolved here.
func socksConnectRequest(target string) ([]byte, error) {
	host, portStr, err := net.SplitHostPort(target)
	if err != nil {
		return nil, fmt.Errorf("socks5: target %q: %w", target, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("socks5: target %q: bad port", target)
	}
	req := []byte{5, 1, 0}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Zone() == "" {
		if ip.Unmap().Is4() {
			a := ip.Unmap().As4()
			req = append(append(req, 1), a[:]...)
		} else {
			a := ip.As16()
			req = append(append(req, 4), a[:]...)
		}
	} else {
		if len(host) == 0 || len(host) > 255 {
			return nil, fmt.Errorf("socks5: target host %q must be 1-255 bytes", host)
		}
		req = append(append(req, 3, byte(len(host))), host...)
	}
	return append(req, byte(port>>8), byte(port)), nil
}

// readSOCKSReply reads a CONNECT reply and returns the bound address.
func readSOCKSReply(r io.Reader) (string, error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return "", err
	}
	if h[0] != 5 {
		return "", socksProtocolError("reply version %d, want 5", h[0])
	}
	if h[1] != SOCKSSucceeded {
		// A refusal may be cut short; its address is of no use anyway.
		return "", &SOCKSError{Stage: "connect", Reply: h[1]}
	}
	var host string
	switch h[3] {
	case 1, 4:
		b := make([]byte, 4)
		if h[3] == 4 {
			b = make([]byte, 16)
		}
		if _, err := io.ReadFull(r, b); err != nil {
			return "", err
		}
		ip, _ := netip.AddrFromSlice(b)
		host = ip.String()
	case 3:
		var n [1]byte
		if _, err := io.ReadFull(r, n[:]); err != nil {
			return "", err
		}
		b := make([]byte, n[0])
		if _, err := io.ReadFull(r, b); err != nil {
			return "", err
		}
		host = string(b)
	default:
		return "", socksProtocolError("reply address type %d", h[3])
	}
	var p [2]byte
	if _, err := io.ReadFull(r, p[:]); err != nil {
		return "", err
	}
	return net.JoinHostPort(host, strconv.Itoa(int(p[0])<<8|int(p[1]))), nil
}
