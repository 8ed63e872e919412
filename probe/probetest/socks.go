package probetest

import (
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"testing"
)

// SOCKSBehaviour configures the fake SOCKS5 server.
type SOCKSBehaviour struct {
	User, Pass string // when User is set, username/password auth is required
	Reply      byte   // 0 = connect and tunnel; else answer this RFC 1928 reply code
	// Hosts maps names to loopback addresses, as ProxyBehaviour.Hosts. A
	// target that cannot be dialed gets reply 5 (connection refused), or 4
	// (host unreachable) for names it cannot map.
	Hosts map[string]string
}

// SOCKSRequest is one CONNECT the server received.
type SOCKSRequest struct {
	Addr     string // host:port as sent; a name here proves it was not resolved by the client
	AddrType byte   // 1 IPv4, 3 domain name, 4 IPv6
	Auth     bool   // the client authenticated with username/password
	Reply    byte   // what the server answered
}

// SOCKS5Server is a running fake SOCKS5 proxy.
type SOCKS5Server struct {
	Addr string

	b    SOCKSBehaviour
	mu   sync.Mutex
	reqs []SOCKSRequest
}

// NewSOCKS5Server starts a SOCKS5 server (CONNECT only) on a loopback port.
func NewSOCKS5Server(tb testing.TB, b SOCKSBehaviour) *SOCKS5Server {
	tb.Helper()
	s := &SOCKS5Server{b: b}
	s.Addr = listen(tb, s.serve).Addr().String()
	return s
}

// Requests returns the CONNECT requests received so far.
func (s *SOCKS5Server) Requests() []SOCKSRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SOCKSRequest(nil), s.reqs...)
}

func (s *SOCKS5Server) serve(c net.Conn) {
	defer c.Close()
	var h [2]byte
	if _, err := io.ReadFull(c, h[:]); err != nil || h[0] != 5 {
		return
	}
	methods := make([]byte, h[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return
	}
	want := byte(0)
	if s.b.User != "" {
		want = 2
	}
	offered := false
	for _, m := range methods {
		offered = offered || m == want
	}
	if !offered {
		_, _ = c.Write([]byte{5, 0xFF})
		return
	}
	if _, err := c.Write([]byte{5, want}); err != nil {
		return
	}
	var rec SOCKSRequest
	if want == 2 {
		if !s.auth(c) {
			return
		}
		rec.Auth = true
	}

	var req [4]byte
	if _, err := io.ReadFull(c, req[:]); err != nil || req[0] != 5 {
		return
	}
	rec.AddrType = req[3]
	var host string
	switch req[3] {
	case 1, 4:
		b := make([]byte, 4)
		if req[3] == 4 {
			b = make([]byte, 16)
		}
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		ip, _ := netip.AddrFromSlice(b)
		host = ip.String()
	case 3:
		var n [1]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		b := make([]byte, n[0])
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		host = string(b)
	default:
		s.reply(c, &rec, 8)
		return
	}
	var p [2]byte
	if _, err := io.ReadFull(c, p[:]); err != nil {
		return
	}
	rec.Addr = net.JoinHostPort(host, strconv.Itoa(int(p[0])<<8|int(p[1])))
	switch {
	case req[1] != 1:
		s.reply(c, &rec, 7)
		return
	case s.b.Reply != 0:
		s.reply(c, &rec, s.b.Reply)
		return
	}
	up, err := dialLoopback(s.b.Hosts, rec.Addr)
	if err != nil {
		code := byte(5)
		if err == errNotLoopback {
			code = 4
		}
		s.reply(c, &rec, code)
		return
	}
	defer up.Close()
	s.reply(c, &rec, 0)
	pipe(c, up)
}

func (s *SOCKS5Server) auth(c net.Conn) bool {
	var h [2]byte
	if _, err := io.ReadFull(c, h[:]); err != nil {
		return false
	}
	user := make([]byte, h[1])
	if _, err := io.ReadFull(c, user); err != nil {
		return false
	}
	var n [1]byte
	if _, err := io.ReadFull(c, n[:]); err != nil {
		return false
	}
	pass := make([]byte, n[0])
	if _, err := io.ReadFull(c, pass); err != nil {
		return false
	}
	if string(user) != s.b.User || string(pass) != s.b.Pass {
		_, _ = c.Write([]byte{1, 1})
		return false
	}
	_, err := c.Write([]byte{1, 0})
	return err == nil
}

func (s *SOCKS5Server) reply(c net.Conn, rec *SOCKSRequest, code byte) {
	rec.Reply = code
	s.mu.Lock()
	s.reqs = append(s.reqs, *rec)
	s.mu.Unlock()
	_, _ = c.Write([]byte{5, code, 0, 1, 127, 0, 0, 1, 0, 0})
}
