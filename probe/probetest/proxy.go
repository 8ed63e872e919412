package probetest

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ProxyBehaviour configures the fake CONNECT proxy.
type ProxyBehaviour struct {
	Status     int    // answer to every CONNECT; 0 or 200 = tunnel when the target can be dialed
	User, Pass string // when User is set, credentials are required (407 otherwise)
	AllowPorts []int  // when set, CONNECT to other ports is answered 403
	// Hosts maps names the proxy resolves to loopback addresses (host:port
	// or a bare IP keeping the requested port), so tests can prove a name
	// reached the proxy unresolved. Other names get 502; targets off
	// loopback are never dialed.
	Hosts map[string]string
	// Cert, when set, makes this an https:// proxy: clients speak TLS to it
	// (URL then starts with https://).
	Cert *tls.Certificate
}

// ProxyRequest is one request the proxy received.
type ProxyRequest struct {
	Method string // CONNECT, GET, ...
	Target string // CONNECT authority, or the absolute URL
	Auth   bool   // Proxy-Authorization was presented
	Status int    // what the proxy answered (0 = nothing: the client went away)
}

// ConnectProxy is a running fake HTTP proxy.
type ConnectProxy struct {
	Addr string
	URL  string // "http://127.0.0.1:port" (https:// with Cert) without credentials

	b    ProxyBehaviour
	mu   sync.Mutex
	reqs []ProxyRequest
}

// NewConnectProxy starts an HTTP proxy that tunnels CONNECT and forwards
// absolute-form requests for http targets, on a loopback port.
func NewConnectProxy(tb testing.TB, b ProxyBehaviour) *ConnectProxy {
	tb.Helper()
	p := &ConnectProxy{b: b}
	serve := p.serve
	p.URL = "http://"
	if b.Cert != nil {
		cfg := &tls.Config{Certificates: []tls.Certificate{*b.Cert}}
		serve = func(c net.Conn) { p.serve(tls.Server(c, cfg)) }
		p.URL = "https://"
	}
	ln := listen(tb, serve)
	p.Addr = ln.Addr().String()
	p.URL += p.Addr
	return p
}

// Requests returns what the proxy received so far.
func (p *ConnectProxy) Requests() []ProxyRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ProxyRequest(nil), p.reqs...)
}

func (p *ConnectProxy) record(r ProxyRequest) {
	p.mu.Lock()
	p.reqs = append(p.reqs, r)
	p.mu.Unlock()
}

func (p *ConnectProxy) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	rec := ProxyRequest{Method: req.Method, Target: req.RequestURI}
	auth := req.Header.Get("Proxy-Authorization")
	rec.Auth = auth != ""
	answer := func(status int, hdr string) {
		rec.Status = status
		p.record(rec)
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\n%sContent-Length: 0\r\n\r\n", status, http.StatusText(status), hdr)
	}
	if p.b.User != "" && auth != "Basic "+base64.StdEncoding.EncodeToString([]byte(p.b.User+":"+p.b.Pass)) {
		answer(http.StatusProxyAuthRequired, "Proxy-Authenticate: Basic realm=\"probetest\"\r\n")
		return
	}
	if req.Method != http.MethodConnect {
		p.forward(c, req, rec)
		return
	}
	if p.b.Status != 0 && p.b.Status != http.StatusOK {
		answer(p.b.Status, "")
		return
	}
	if _, port, err := net.SplitHostPort(req.RequestURI); err != nil || !p.portAllowed(port) {
		answer(http.StatusForbidden, "")
		return
	}
	up, err := dialLoopback(p.b.Hosts, req.RequestURI)
	if err != nil {
		answer(http.StatusBadGateway, "")
		return
	}
	defer up.Close()
	rec.Status = http.StatusOK
	p.record(rec) // before tunnelling, so the test sees it while the tunnel is open
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	// The client may have sent bytes (a ClientHello) right behind CONNECT.
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		if _, err := up.Write(b); err != nil {
			return
		}
	}
	pipe(c, up)
}

func (p *ConnectProxy) portAllowed(port string) bool {
	if len(p.b.AllowPorts) == 0 {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && slices.Contains(p.b.AllowPorts, n)
}

// forward relays one absolute-form request to an http target.
// It records rec before answering, so a test that got the answer sees it.
func (p *ConnectProxy) forward(c net.Conn, req *http.Request, rec ProxyRequest) {
	fail := func(status int) {
		rec.Status = status
		p.record(rec)
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n", status, http.StatusText(status))
	}
	if req.URL.Scheme != "http" || req.URL.Host == "" {
		fail(http.StatusBadRequest)
		return
	}
	if p.b.Status != 0 && p.b.Status != http.StatusOK {
		fail(p.b.Status)
		return
	}
	host := req.URL.Host
	if req.URL.Port() == "" {
		host = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	up, err := dialLoopback(p.b.Hosts, host)
	if err != nil {
		fail(http.StatusBadGateway)
		return
	}
	defer up.Close()
	req.Header.Del("Proxy-Authorization")
	req.Close = true
	if err := req.Write(up); err != nil {
		fail(http.StatusBadGateway)
		return
	}
	resp, err := http.ReadResponse(bufio.NewReader(up), req)
	if err != nil {
		fail(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	resp.Close = true
	rec.Status = resp.StatusCode
	p.record(rec)
	_ = resp.Write(c)
}

var errNotLoopback = errors.New("probetest: refusing to dial beyond loopback")

// dialLoopback dials target (host:port) after mapping its host through
// hosts; only loopback addresses are ever dialed.
func dialLoopback(hosts map[string]string, target string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return nil, err
	}
	addr := target
	if m, ok := hosts[strings.ToLower(host)]; ok {
		if _, _, err := net.SplitHostPort(m); err == nil {
			addr = m
		} else {
			addr = net.JoinHostPort(m, port)
		}
	} else if host == "localhost" {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().IsLoopback() {
		return nil, errNotLoopback
	}
	return net.DialTimeout("tcp", addr, 5*time.Second)
}

// pipe copies both ways until either side ends.
func pipe(a, b net.Conn) {
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok { // TCP and TLS conns
			_ = cw.CloseWrite()
		}
		done <- struct{}{}
	}
	go cp(a, b)
	go cp(b, a)
	<-done
	<-done
}
