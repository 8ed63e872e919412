package probetest

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/proxy"
)

func TestDNSServer(t *testing.T) {
	s := NewDNSServer(t)
	s.Set("Both.Example.Test", Answer{A: []string{"192.0.2.1"}, AAAA: []string{"2001:db8::1"}})
	s.SetRcode("fail.example.test", dns.RcodeServerFailure)
	s.SetRcode("refused.example.test", dns.RcodeRefused)
	s.SetEmpty("empty.example.test")
	s.SetSilent("silent.example.test")
	tests := []struct {
		name, net string
		qtype     uint16
		wantRcode int
		wantRRs   int
		silent    bool
	}{
		{name: "both.example.test", net: "udp", qtype: dns.TypeA, wantRcode: dns.RcodeSuccess, wantRRs: 1},
		{name: "both.example.test", net: "tcp", qtype: dns.TypeAAAA, wantRcode: dns.RcodeSuccess, wantRRs: 1},
		{name: "both.example.test", net: "udp", qtype: dns.TypeMX, wantRcode: dns.RcodeSuccess},
		{name: "fail.example.test", net: "udp", qtype: dns.TypeA, wantRcode: dns.RcodeServerFailure},
		{name: "refused.example.test", net: "tcp", qtype: dns.TypeA, wantRcode: dns.RcodeRefused},
		{name: "empty.example.test", net: "udp", qtype: dns.TypeA, wantRcode: dns.RcodeSuccess},
		{name: "unset.example.test", net: "udp", qtype: dns.TypeA, wantRcode: dns.RcodeNameError},
		{name: "silent.example.test", net: "udp", qtype: dns.TypeA, silent: true},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.net+"/"+dns.TypeToString[tc.qtype], func(t *testing.T) {
			before := s.Queries(tc.name)
			m := new(dns.Msg)
			m.SetQuestion(dns.Fqdn(tc.name), tc.qtype)
			c := &dns.Client{Net: tc.net, Timeout: 5 * time.Second}
			if tc.silent {
				c.Timeout = 200 * time.Millisecond
			}
			resp, _, err := c.Exchange(m, s.Addr)
			if got := s.Queries(tc.name); got != before+1 {
				t.Errorf("Queries = %d, want %d", got, before+1)
			}
			if tc.silent {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Fatalf("err = %v, want a timeout", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Rcode != tc.wantRcode || len(resp.Answer) != tc.wantRRs {
				t.Errorf("rcode %s with %d answers, want %s with %d", dns.RcodeToString[resp.Rcode], len(resp.Answer), dns.RcodeToString[tc.wantRcode], tc.wantRRs)
			}
		})
	}
}

func TestConnectProxy(t *testing.T) {
	up := NewHTTPUpstream(t, Upstream{Body: "upstream"})
	hosts := map[string]string{"api.example.test": up.Listener.Addr().String()}
	tests := []struct {
		name       string
		b          ProxyBehaviour
		target     string
		auth       string
		wantStatus int
	}{
		{name: "tunnel", b: ProxyBehaviour{Hosts: hosts}, target: "api.example.test:443", wantStatus: 200},
		{name: "tunnel by address", b: ProxyBehaviour{}, target: up.Listener.Addr().String(), wantStatus: 200},
		{name: "auth ok", b: ProxyBehaviour{Hosts: hosts, User: "u", Pass: "p"}, target: "api.example.test:443", auth: "u:p", wantStatus: 200},
		{name: "auth missing", b: ProxyBehaviour{Hosts: hosts, User: "u", Pass: "p"}, target: "api.example.test:443", wantStatus: 407},
		{name: "port not allowed", b: ProxyBehaviour{Hosts: hosts, AllowPorts: []int{8443}}, target: "api.example.test:443", wantStatus: 403},
		{name: "unknown name", b: ProxyBehaviour{}, target: "elsewhere.example.test:443", wantStatus: 502},
		{name: "never off loopback", b: ProxyBehaviour{}, target: "198.51.100.1:443", wantStatus: 502},
		{name: "forced status", b: ProxyBehaviour{Status: 429, Hosts: hosts}, target: "api.example.test:443", wantStatus: 429},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := NewConnectProxy(t, tc.b)
			c, err := net.Dial("tcp", p.Addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			req := &http.Request{Method: "CONNECT", URL: &url.URL{Opaque: tc.target}, Host: tc.target, Header: http.Header{}}
			if tc.auth != "" {
				u, pw, _ := strings.Cut(tc.auth, ":")
				req.SetBasicAuth(u, pw)
				req.Header["Proxy-Authorization"] = req.Header["Authorization"]
			}
			if err := req.Write(c); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			reqs := p.Requests()
			if len(reqs) != 1 || reqs[0].Target != tc.target || reqs[0].Auth != (tc.auth != "") || reqs[0].Status != tc.wantStatus {
				t.Errorf("recorded %+v", reqs)
			}
			if tc.wantStatus != 200 {
				return
			}
			fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: api.example.test\r\nConnection: close\r\n\r\n")
			resp, err = http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if string(body) != "upstream" {
				t.Errorf("through the tunnel: %q", body)
			}
		})
	}
}

func TestConnectProxyAbsoluteForm(t *testing.T) {
	up := NewHTTPUpstream(t, Upstream{Status: 404, Body: "nope"})
	p := NewConnectProxy(t, ProxyBehaviour{User: "u", Pass: "p", Hosts: map[string]string{"api.example.test": up.Listener.Addr().String()}})
	pu, _ := url.Parse("http://u:p@" + p.Addr)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}
	resp, err := client.Get("http://api.example.test/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || string(body) != "nope" {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
	reqs := p.Requests()
	if len(reqs) != 1 || reqs[0].Method != "GET" || reqs[0].Target != "http://api.example.test/v1/models" || !reqs[0].Auth || reqs[0].Status != 404 {
		t.Errorf("recorded %+v", reqs)
	}
	if got := up.Requests(); len(got) != 1 || got[0].Header.Get("Proxy-Authorization") != "" {
		t.Error("proxy credentials leaked to the upstream")
	}
}

// TestSOCKS5Server drives the fake with x/net/proxy, an independent client.
func TestSOCKS5Server(t *testing.T) {
	up := NewHTTPUpstream(t, Upstream{Body: "upstream"})
	hosts := map[string]string{"api.example.test": up.Listener.Addr().String()}
	tests := []struct {
		name     string
		b        SOCKSBehaviour
		auth     *proxy.Auth
		target   string
		wantOK   bool
		wantSeen string
		wantRep  byte
	}{
		{name: "tunnel", b: SOCKSBehaviour{Hosts: hosts}, target: "api.example.test:80", wantOK: true, wantSeen: "api.example.test:80"},
		{name: "auth", b: SOCKSBehaviour{Hosts: hosts, User: "u", Pass: "p"}, auth: &proxy.Auth{User: "u", Password: "p"}, target: "api.example.test:80", wantOK: true, wantSeen: "api.example.test:80"},
		{name: "bad auth", b: SOCKSBehaviour{User: "u", Pass: "p"}, auth: &proxy.Auth{User: "u", Password: "x"}, target: "api.example.test:80"},
		{name: "reply", b: SOCKSBehaviour{Reply: 3}, target: "api.example.test:80", wantSeen: "api.example.test:80", wantRep: 3},
		{name: "refused", b: SOCKSBehaviour{}, target: ClosedPort(t), wantRep: 5},
		{name: "unknown name", b: SOCKSBehaviour{}, target: "x.example.test:80", wantSeen: "x.example.test:80", wantRep: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSOCKS5Server(t, tc.b)
			d, err := proxy.SOCKS5("tcp", s.Addr, tc.auth, &net.Dialer{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			c, err := d.Dial("tcp", tc.target)
			if !tc.wantOK {
				if err == nil {
					c.Close()
					t.Fatal("dial succeeded, want a refusal")
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					t.Fatal(err)
				}
				if body, _ := io.ReadAll(resp.Body); string(body) != "upstream" {
					t.Errorf("through the tunnel: %q", body)
				}
			}
			reqs := s.Requests()
			if tc.wantSeen != "" && (len(reqs) != 1 || reqs[0].Addr != tc.wantSeen || reqs[0].AddrType != 3 || reqs[0].Reply != tc.wantRep) {
				t.Errorf("recorded %+v, want %s reply %d", reqs, tc.wantSeen, tc.wantRep)
			}
			if tc.auth != nil && tc.wantOK && !reqs[0].Auth {
				t.Error("auth not recorded")
			}
		})
	}
}

func TestCertificates(t *testing.T) {
	ca := NewCA(t)
	now := time.Now()
	tests := []struct {
		name      string
		names     []string
		nb, na    time.Time
		verifyAs  string
		wantValid bool
	}{
		{name: "valid", names: []string{"api.example.test", "127.0.0.1"}, nb: now.Add(-time.Hour), na: now.Add(time.Hour), verifyAs: "api.example.test", wantValid: true},
		{name: "ip", names: []string{"api.example.test", "127.0.0.1"}, nb: now.Add(-time.Hour), na: now.Add(time.Hour), verifyAs: "127.0.0.1", wantValid: true},
		{name: "wrong name", names: []string{"api.example.test"}, nb: now.Add(-time.Hour), na: now.Add(time.Hour), verifyAs: "other.example.test"},
		{name: "expired", names: []string{"api.example.test"}, nb: now.Add(-2 * time.Hour), na: now.Add(-time.Hour), verifyAs: "api.example.test"},
		{name: "not yet valid", names: []string{"api.example.test"}, nb: now.Add(time.Hour), na: now.Add(2 * time.Hour), verifyAs: "api.example.test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			leaf := ca.Leaf(tc.names, tc.nb, tc.na)
			_, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: tc.verifyAs})
			if (err == nil) != tc.wantValid {
				t.Errorf("verify: %v, want valid %v", err, tc.wantValid)
			}
		})
	}
	if !strings.Contains(string(ca.PEM()), "BEGIN CERTIFICATE") {
		t.Error("PEM is not a certificate")
	}
}

func TestTLSServers(t *testing.T) {
	ca := NewCA(t)
	srv := NewTLSServer(t, nil, ca.Leaf([]string{"api.example.test"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "api.example.test"}}}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}

	addr := NewTLS12Server(t, ca.Leaf([]string{"api.example.test"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)))
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.Pool(), ServerName: "api.example.test"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v := c.ConnectionState().Version; v != tls.VersionTLS12 {
		t.Errorf("version %x, want TLS 1.2", v)
	}
}

func TestHTTPUpstream(t *testing.T) {
	up := NewHTTPUpstream(t, Upstream{Status: 429, Body: `{"error":{}}`, ContentType: "application/json", RetryAfter: "7", Header: http.Header{"X-Ratelimit-Limit-Requests": {"60"}}, TLS: true})
	req, _ := http.NewRequest("GET", up.URL+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer k")
	resp, err := up.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 429 || string(body) != `{"error":{}}` || h.Get("Content-Type") != "application/json" || h.Get("Retry-After") != "7" || h.Get("X-Ratelimit-Limit-Requests") != "60" {
		t.Errorf("got %d %q %v", resp.StatusCode, body, h)
	}
	if reqs := up.Requests(); len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "Bearer k" || reqs[0].URL.Path != "/v1/models" {
		t.Errorf("recorded %+v", reqs)
	}

	slow := NewHTTPUpstream(t, Upstream{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", slow.URL, nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a delayed upstream answered")
	}
}

func TestListeners(t *testing.T) {
	tests := []struct {
		name  string
		addr  func(testing.TB) string
		check func(t *testing.T, n int, err error)
	}{
		{name: "silent", addr: SilentListener, check: func(t *testing.T, n int, err error) {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("read %d, %v; want a deadline", n, err)
			}
		}},
		{name: "reset", addr: ResetListener, check: func(t *testing.T, n int, err error) {
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("read %d, %v; want ECONNRESET", n, err)
			}
		}},
		{name: "eof", addr: EOFListener, check: func(t *testing.T, n int, err error) {
			if n != 0 || err != io.EOF {
				t.Errorf("read %d, %v; want EOF", n, err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", tc.addr(t))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
			wait := 5 * time.Second // reset and EOF come at once; only the silent case waits it out
			if tc.name == "silent" {
				wait = 300 * time.Millisecond
			}
			_ = c.SetReadDeadline(time.Now().Add(wait))
			n, err := c.Read(make([]byte, 16))
			tc.check(t, n, err)
		})
	}

	t.Run("closed port", func(t *testing.T) {
		_, err := net.Dial("tcp", ClosedPort(t))
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial: %v, want ECONNREFUSED", err)
		}
	})
}
