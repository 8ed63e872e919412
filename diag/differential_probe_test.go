package diag

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	"github.com/newapi-doctor/newapi-doctor/probe"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// resetConn ends a connection with a RST, as a filtering middlebox does.
func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

// sniFilterServer is a TLS server behind an in-process SNI filter: a
// ClientHello naming blocked is answered with a reset, any other completes.
func sniFilterServer(t *testing.T, cert tls.Certificate, blocked string) string {
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		if h.ServerName == blocked {
			resetConn(h.Conn)
			return nil, errors.New("filtered")
		}
		return nil, nil
	}}
	return serve(t, func(c net.Conn) {
		tc := tls.Server(c, cfg)
		_ = tc.Handshake()
		time.Sleep(100 * time.Millisecond)
		tc.Close()
	})
}

// serve accepts on a loopback port and hands each connection to handle.
func serve(t *testing.T, handle func(net.Conn)) string {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	return ln.Addr().String()
}

// keywordFilterServer answers HTTP, but a request whose first bytes hold
// word is reset before the server sees it (a content filter's signature).
func keywordFilterServer(t *testing.T, word string) string {
	return serve(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		n, _ := c.Read(buf)
		if strings.Contains(string(buf[:n]), word) {
			resetConn(c)
			return
		}
		_, _ = c.Write([]byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		c.Close()
	})
}

// TestDifferentialsInProcess: each differential against an in-process fault
// and its look-alike beside it: two different causes, two different hints.
func TestDifferentialsInProcess(t *testing.T) {
	dns := pt.NewInProcessDNSServer(t)
	dns.Set("api.test.", pt.Answer{A: []string{"127.0.0.1"}})
	dns.Set("sink.example.com.", pt.Answer{A: []string{"0.0.0.0"}})
	dns.Set("loop.example.com.", pt.Answer{A: []string{"127.0.0.1"}})
	dns.Set("pinned.example.com.", pt.Answer{A: []string{"127.0.0.1"}})
	ca := pt.NewCA(t)
	now := time.Now()
	leaf := ca.Leaf([]string{"api.test"}, now.Add(-time.Hour), now.Add(time.Hour))
	caFile := filepath.Join(testenv.TempDir(t), "ca.pem")
	hosts := filepath.Join(testenv.TempDir(t), "hosts")
	if err := os.WriteFile(caFile, ca.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hosts, []byte("127.0.0.1 localhost\n::1 localhost\n# a pin left behind\n127.0.0.1\tpinned.example.com mirror\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mtls := func(max uint16) string {
		s := httptest.NewUnstartedServer(http.NotFoundHandler())
		s.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}, ClientAuth: tls.RequireAnyClientCert, MaxVersion: max}
		s.Config.ErrorLog = nil
		s.StartTLS()
		t.Cleanup(s.Close)
		return s.Listener.Addr().String()
	}
	closed := pt.ClosedPort(t)
	https := func(addr string) string { return "https://api.test:" + portOf(t, addr) + "/v1" }
	httpURL := func(addr string) string { return "http://api.test:" + portOf(t, addr) + "/v1" }
	pairs := []struct {
		name        string
		fault, look Endpoint
		faultCause  Cause
		lookCause   Cause
		evidence    string // in the fault's hint
	}{
		{"sni filter vs resetting server",
			Endpoint{URL: https(sniFilterServer(t, leaf, "api.test")), CAFile: caFile}, Endpoint{URL: https(pt.ResetListener(t)), CAFile: caFile},
			CauseSNIFiltered, CauseTLSReset, "without SNI"},
		{"keyword filter vs resetting server",
			Endpoint{URL: httpURL(keywordFilterServer(t, "/v1/models"))}, Endpoint{URL: httpURL(pt.ResetListener(t))},
			CauseKeywordFiltered, CauseHTTPReset, "neutral GET /"},
		{"client certificate (TLS 1.3) vs a working server",
			Endpoint{URL: https(mtls(tls.VersionTLS13)), CAFile: caFile}, Endpoint{URL: https(pt.NewTLSServer(t, http.NotFoundHandler(), leaf).Listener.Addr().String()), CAFile: caFile},
			CauseClientCert, CauseNotFound, "alert 116"},
		{"client certificate (TLS 1.2) vs untrusted server",
			Endpoint{URL: https(mtls(tls.VersionTLS12)), CAFile: caFile}, Endpoint{URL: https(pt.NewTLSServer(t, http.NotFoundHandler(), leaf).Listener.Addr().String())},
			CauseClientCert, CauseTLSUntrusted, "CertificateRequest"},
		{"sinkhole answer vs a local name refused",
			Endpoint{URL: "https://sink.example.com:" + portOf(t, closed)}, Endpoint{URL: "https://api.test:" + portOf(t, closed)},
			CauseDNSSinkhole, CauseLocalRefused, "0.0.0.0"},
		{"hosts file pin vs a loopback answer",
			Endpoint{URL: "https://pinned.example.com:" + portOf(t, closed)}, Endpoint{URL: "https://loop.example.com:" + portOf(t, closed)},
			CauseHostsFile, CauseDNSSinkhole, "line 4"},
	}
	o := RunOptions{Timeouts: fastTimeouts, DNS: probe.DNSConfig{Servers: []string{dns.Addr}, Dial: dns.Dial}, HostsFile: hosts, Getenv: envMap(nil)}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			p.fault.Name, p.look.Name = "fault", "look-alike"
			f := CheckEndpoint(context.Background(), p.fault, o)
			l := CheckEndpoint(context.Background(), p.look, o)
			if f.Cause != p.faultCause || l.Cause != p.lookCause {
				t.Fatalf("fault %s (%s), look-alike %s (%s): want %s and %s", f.Cause, f.Message, l.Cause, l.Message, p.faultCause, p.lookCause)
			}
			if f.Hint == l.Hint {
				t.Errorf("the same hint for both: %q", f.Hint)
			}
			if !strings.Contains(f.Hint, p.evidence) {
				t.Errorf("hint %q does not state the evidence (%q)", f.Hint, p.evidence)
			}
		})
	}
}

// TestNoDifferentialForPlainVerdicts: verdicts that have no look-alike run
// no differential (no added time, none recorded).
func TestNoDifferentialForPlainVerdicts(t *testing.T) {
	dns := pt.NewInProcessDNSServer(t)
	dns.Set("api.test.", pt.Answer{A: []string{"127.0.0.1"}})
	up := func(u pt.Upstream) string {
		return "http://api.test:" + portOf(t, pt.NewHTTPUpstream(t, u).Listener.Addr().String()) + "/v1"
	}
	o := RunOptions{Timeouts: fastTimeouts, DNS: probe.DNSConfig{Servers: []string{dns.Addr}, Dial: dns.Dial}, Getenv: envMap(nil)}
	for _, ep := range []Endpoint{
		{Name: "ok", URL: up(pt.Upstream{ContentType: "application/json", Body: `{"data":[]}`})},
		{Name: "rate-limited", URL: up(pt.Upstream{Status: 429, ContentType: "application/json", Body: `{}`})},
		{Name: "not-found", URL: up(pt.Upstream{Status: 404, ContentType: "application/json", Body: `{}`})},
		{Name: "refused on a local name", URL: "http://api.test:" + portOf(t, pt.ClosedPort(t))},
		{Name: "nxdomain", URL: "https://nowhere.test"},
	} {
		t.Run(ep.Name, func(t *testing.T) {
			r := CheckEndpoint(context.Background(), ep, o)
			if len(r.Differentials) != 0 {
				t.Fatalf("%s: differentials ran: %+v", r.Cause, r.Differentials)
			}
		})
	}
}

// TestDeepRunsDifferentialsBesideAWorkingPath: with --deep the DNS
// comparison runs for a working endpoint too; what it sees is a note, and
// the verdict stays ok.
func TestDeepRunsDifferentialsBesideAWorkingPath(t *testing.T) {
	dns := pt.NewInProcessDNSServer(t)
	dns.Set("ok.example.com.", pt.Answer{A: []string{"127.0.0.1"}})
	up := pt.NewHTTPUpstream(t, pt.Upstream{ContentType: "application/json", Body: `{"data":[]}`})
	ep := Endpoint{Name: "ok", URL: "http://ok.example.com:" + portOf(t, up.Listener.Addr().String()) + "/v1"}
	o := RunOptions{Timeouts: fastTimeouts, DNS: probe.DNSConfig{Servers: []string{dns.Addr}, Dial: dns.Dial}, Getenv: envMap(nil)}
	if r := CheckEndpoint(context.Background(), ep, o); r.Cause != CauseOK || len(r.Differentials) != 0 {
		t.Fatalf("without --deep: %s, differentials %+v", r.Cause, r.Differentials)
	}
	o.Deep = true
	r := CheckEndpoint(context.Background(), ep, o)
	if r.Cause != CauseOK || len(r.Differentials) != 1 || r.Differentials[0].Name != "dns-compare" {
		t.Fatalf("with --deep: %s, differentials %+v", r.Cause, r.Differentials)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), LookSinkhole.Phrase()) {
		t.Errorf("notes %q do not say what the comparison saw", r.Notes)
	}
}
