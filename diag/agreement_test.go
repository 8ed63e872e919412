package diag_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/explain"
	"github.com/newapi-doctor/newapi-doctor/diag/sysproxy"
	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	"github.com/newapi-doctor/newapi-doctor/probe"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// notFromCheck are the causes `check` gives without an error text of its
// own to explain, each with the reason. Every other cause of the catalogue
// must have a witness below: a new cause without one fails the test.
var notFromCheck = map[diag.Cause]string{
	diag.CauseInterrupted:   "the user stopped the run (Ctrl-C): no layer failed, no error text",
	diag.CauseDeadline:      "the run's own deadline ended the endpoint before a layer did: a verdict about the run",
	diag.CauseInternalError: "a panic in newapi-doctor itself: its message is the panic's, not the network's",
	diag.CauseFlaky:         "an aggregate over retries; each attempt's verdict is witnessed on its own here",
}

// A witness makes `check` give a cause: a real run against the loopback
// fakes (ep), or the typed error a probe returns (ev) where a loopback run
// cannot produce it (a dropped SYN, an unreachable network) or would only
// wait out a timeout.
type witness struct {
	cause diag.Cause
	name  string
	ep    *diag.Endpoint
	env   map[string]string
	sys   []sysproxy.Setting
	ev    *diag.Evidence
}

// TestCheckAndExplainAgree: for every cause check can give, the message
// check prints for it, fed to explain, names the same cause (issue 10).
func TestCheckAndExplainAgree(t *testing.T) {
	var runs, typed []witness
	for _, w := range append(typedWitnesses(), middleWitnesses(t)...) {
		if w.ep != nil {
			runs = append(runs, w)
		} else {
			typed = append(typed, w)
		}
	}
	t.Run("typed errors", func(t *testing.T) {
		for _, w := range typed {
			t.Run(string(w.cause)+"/"+w.name, func(t *testing.T) {
				got, msg := diag.CheckSays(*w.ev)
				agree(t, w, got, msg, w.ev.Layer)
			})
		}
	})
	// The real runs need the DNS fake (no UDP under wine: the typed errors
	// above still run there).
	t.Run("loopback runs", func(t *testing.T) {
		fx := newFixtures(t)
		runs = append(fx.runs(t), runs...)
		coverage(t, append(runs, typed...))
		for _, w := range runs {
			t.Run(string(w.cause)+"/"+w.name, func(t *testing.T) {
				t.Parallel()
				ep := *w.ep
				ep.Name = w.name
				r := diag.CheckEndpoint(context.Background(), ep, fx.opts(w.env, w.sys))
				agree(t, w, r.Cause, r.Message, r.FailingLayer)
			})
		}
	})
}

// coverage: every cause of the catalogue has a witness or an exemption.
func coverage(t *testing.T, ws []witness) {
	covered := map[diag.Cause]bool{}
	for _, w := range ws {
		covered[w.cause] = true
	}
	causes := diag.Causes()
	sort.Slice(causes, func(i, j int) bool { return causes[i] < causes[j] })
	for _, c := range causes {
		_, exempt := notFromCheck[c]
		switch {
		case exempt && covered[c]:
			t.Errorf("cause %s is exempt (%s) but has a witness: drop the exemption", c, notFromCheck[c])
		case !exempt && !covered[c]:
			t.Errorf("cause %s has no witness: add one here (or an exemption with its reason)", c)
		}
	}
}

// agree: check gave the witness's cause, and explain, fed check's message,
// names the same cause and places it at check's failing layer.
func agree(t *testing.T, w witness, got diag.Cause, msg string, layer diag.Layer) {
	t.Helper()
	if got != w.cause {
		t.Fatalf("check gave %s, the witness is for %s (message %q)", got, w.cause, msg)
	}
	r := explain.Classify(msg)
	if r.Cause != w.cause || r.Category != w.cause.Category() {
		t.Errorf("check: %s/%s, explain: %s/%s (evidence %q)\n  message: %s", w.cause.Category(), w.cause, r.Category, r.Cause, r.Evidence, msg)
	}
	if layer != "" && w.cause.Category() != diag.CatOK && r.Layer != layer {
		t.Errorf("check failed at %s, explain says %s\n  message: %s", layer, r.Layer, msg)
	}
}

type fixtures struct {
	dns *pt.DNSServer
}

func (fx *fixtures) opts(env map[string]string, sys []sysproxy.Setting) diag.RunOptions {
	return diag.RunOptions{
		SystemProxies: sys,
		Timeouts:      diag.Timeouts{DNS: 1500 * time.Millisecond, Connect: 2 * time.Second, TLS: 2 * time.Second, HTTP: 2500 * time.Millisecond},
		DNS:           probe.DNSConfig{Servers: []string{fx.dns.Addr}, Dial: fx.dns.Dial},
		Getenv:        func(k string) string { return env[k] },
		Version:       "test",
	}
}

func newFixtures(t *testing.T) *fixtures {
	dns := pt.NewInProcessDNSServer(t)
	dns.Set("api.test.", pt.Answer{A: []string{"127.0.0.1"}})
	dns.Set("dual.test.", pt.Answer{A: []string{"127.0.0.1"}, AAAA: []string{"::1"}})
	dns.SetRcode("servfail.test.", mdns.RcodeServerFailure)
	dns.SetRcode("refused.test.", mdns.RcodeRefused)
	dns.SetEmpty("empty.test.")
	return &fixtures{dns: dns}
}

// runs are the witnesses a real run on loopback gives.
func (fx *fixtures) runs(t *testing.T) []witness {
	port := func(addr string) string {
		_, p, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	up := func(u pt.Upstream) string {
		return "http://api.test:" + port(pt.NewHTTPUpstream(t, u).Listener.Addr().String()) + "/v1"
	}
	jsonUp := func(status int, body string) string {
		return up(pt.Upstream{Status: status, ContentType: "application/json", Body: body})
	}
	httpsURL := func(addr string) string { return "https://api.test:" + port(addr) + "/v1" }
	ca := pt.NewCA(t)
	now := time.Now()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[]}`))
	})
	good := pt.NewTLSServer(t, ok, ca.Leaf([]string{"api.test"}, now.Add(-time.Hour), now.Add(time.Hour))).Listener.Addr().String()
	wrong := pt.NewTLSServer(t, ok, ca.Leaf([]string{"other.test"}, now.Add(-time.Hour), now.Add(time.Hour))).Listener.Addr().String()
	expired := pt.NewTLSServer(t, ok, ca.Leaf([]string{"api.test"}, now.Add(-48*time.Hour), now.Add(-24*time.Hour))).Listener.Addr().String()
	caFile := filepath.Join(testenv.TempDir(t), "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	hosts := map[string]string{"api.test": "127.0.0.1"}
	proxy := func(b pt.ProxyBehaviour) string { b.Hosts = hosts; return pt.NewConnectProxy(t, b).URL }
	socks := func(b pt.SOCKSBehaviour) string { b.Hosts = hosts; return pt.NewSOCKS5Server(t, b).Addr }
	closed := pt.ClosedPort(t)
	key := "sk-test-0123456789abcdef0123"
	// The OS proxy reaches what new-api's direct path cannot.
	sysProxy := pt.NewConnectProxy(t, pt.ProxyBehaviour{Hosts: map[string]string{"localhost": pt.NewHTTPUpstream(t, pt.Upstream{ContentType: "application/json", Body: `{"data":[]}`}).Listener.Addr().String()}})
	ep := func(e diag.Endpoint) *diag.Endpoint { return &e }

	return []witness{
		{cause: diag.CauseOK, name: "200", ep: ep(diag.Endpoint{URL: jsonUp(200, `{"data":[]}`)})},
		{cause: diag.CauseNewAPIOK, name: "new-api status", ep: ep(diag.Endpoint{URL: jsonUp(200, `{"success":true,"data":{"version":"v0.9.0"}}`), Provider: "newapi", ProbePath: "/api/status"})},
		{cause: diag.CauseIPv6Broken, name: "dual-stack, ::1 refuses", ep: ep(diag.Endpoint{URL: "http://dual.test:" + port(pt.NewHTTPUpstream(t, pt.Upstream{ContentType: "application/json", Body: `{"data":[]}`}).Listener.Addr().String()) + "/v1"})},
		{cause: diag.CauseOKKeyNotSent, name: "401 without a key", ep: ep(diag.Endpoint{URL: jsonUp(401, `{}`)})},
		{cause: diag.CauseUnauthorized, name: "401 with a key", ep: ep(diag.Endpoint{URL: jsonUp(401, `{"error":{"type":"invalid_request_error","code":"invalid_api_key"}}`), Key: key})},
		{cause: diag.CauseForbidden, name: "403 with a key", ep: ep(diag.Endpoint{URL: jsonUp(403, `{"error":{"message":"You are not allowed to sample from this model"}}`), Key: key})},
		{cause: diag.CauseNotFound, name: "404", ep: ep(diag.Endpoint{URL: jsonUp(404, `{}`)})},
		{cause: diag.CauseRateLimited, name: "429", ep: ep(diag.Endpoint{URL: jsonUp(429, `{"error":{"type":"rate_limit_error"}}`)})},
		{cause: diag.CauseQuota, name: "429 quota", ep: ep(diag.Endpoint{URL: jsonUp(429, `{"error":{"type":"insufficient_quota","message":"You exceeded your current quota"}}`)})},
		{cause: diag.CauseUnavailable, name: "503", ep: ep(diag.Endpoint{URL: up(pt.Upstream{Status: 503, Body: "busy"})})},
		{cause: diag.CauseOverloaded529, name: "529", ep: ep(diag.Endpoint{URL: jsonUp(529, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)})},
		{cause: diag.CauseBadGateway, name: "502", ep: ep(diag.Endpoint{URL: up(pt.Upstream{Status: 502, Body: "bad gateway"})})},
		{cause: diag.CauseGatewayTO, name: "504", ep: ep(diag.Endpoint{URL: up(pt.Upstream{Status: 504})})},
		{cause: diag.CauseGatewayTO, name: "524", ep: ep(diag.Endpoint{URL: up(pt.Upstream{Status: 524, ContentType: "text/html", Body: "<html>timeout</html>"})})},
		{cause: diag.CauseServerError, name: "500", ep: ep(diag.Endpoint{URL: jsonUp(500, `{"error":{"message":"internal"}}`)})},
		{cause: diag.CauseHTTPStatus, name: "418", ep: ep(diag.Endpoint{URL: jsonUp(418, `{}`)})},
		{cause: diag.CauseHTML, name: "a web page", ep: ep(diag.Endpoint{URL: up(pt.Upstream{ContentType: "text/html", Body: "<html>blocked</html>"})})},
		{cause: diag.CauseRegionBlocked, name: "403 region", ep: ep(diag.Endpoint{URL: jsonUp(403, `{"error":{"code":"unsupported_country_region_territory","message":"Country, region, or territory not supported"}}`), Key: key})},
		{cause: diag.CauseProxyAuthRequired, name: "plain http through a proxy that wants credentials", ep: ep(diag.Endpoint{URL: "http://api.test/v1", Proxy: proxy(pt.ProxyBehaviour{User: "u", Pass: "p"})})},

		{cause: diag.CauseNXDOMAIN, name: "nxdomain", ep: ep(diag.Endpoint{URL: "https://nope.test/v1"})},
		{cause: diag.CauseSERVFAIL, name: "servfail", ep: ep(diag.Endpoint{URL: "https://servfail.test/v1"})},
		{cause: diag.CauseDNSRefused, name: "rcode refused", ep: ep(diag.Endpoint{URL: "https://refused.test/v1"})},
		{cause: diag.CauseDNSNoAnswer, name: "no addresses", ep: ep(diag.Endpoint{URL: "https://empty.test/v1"})},

		{cause: diag.CauseLocalRefused, name: "nothing listens on loopback", ep: ep(diag.Endpoint{URL: "http://" + closed + "/v1"})},
		{cause: diag.CauseSystemProxyOnly, name: "works through the system proxy only", ep: ep(diag.Endpoint{URL: "http://localhost:" + port(closed) + "/v1"}),
			sys: []sysproxy.Setting{{Source: sysproxy.SourceWinINET, Servers: map[string]string{"*": sysProxy.Addr}}}},
		{cause: diag.CauseGatewayPortGuessed, name: "guessed port", ep: ep(diag.Endpoint{URL: "http://" + closed, Provider: "newapi", ProbePath: "/api/status",
			Extra: map[string]string{diag.ExtraPortGuess: "PORT is not set here, so new-api's default 3000 was tried"}})},

		{cause: diag.CauseTLSUntrusted, name: "unknown CA", ep: ep(diag.Endpoint{URL: httpsURL(good)})},
		{cause: diag.CauseTLSHostname, name: "wrong name", ep: ep(diag.Endpoint{URL: httpsURL(wrong), CAFile: caFile})},
		{cause: diag.CauseTLSExpired, name: "expired", ep: ep(diag.Endpoint{URL: httpsURL(expired), CAFile: caFile})},
		{cause: diag.CauseTLSNotTLS, name: "plain http on an https url", ep: ep(diag.Endpoint{URL: "https://api.test:" + port(pt.NewHTTPUpstream(t, pt.Upstream{}).Listener.Addr().String())})},
		{cause: diag.CauseTLSReset, name: "reset in the handshake", ep: ep(diag.Endpoint{URL: httpsURL(pt.ResetListener(t))})},
		{cause: diag.CauseTLSEOF, name: "closed in the handshake", ep: ep(diag.Endpoint{URL: httpsURL(pt.EOFListener(t))})},
		{cause: diag.CauseTLSCAFile, name: "missing ca_file", ep: ep(diag.Endpoint{URL: httpsURL(good), CAFile: filepath.Join(testenv.TempDir(t), "missing.pem")})},
		{cause: diag.CauseBadURL, name: "no host", ep: ep(diag.Endpoint{URL: "https:///v1"})},

		{cause: diag.CauseProxyAuthRequired, name: "CONNECT 407", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: proxy(pt.ProxyBehaviour{User: "u", Pass: "p"})})},
		{cause: diag.CauseProxyForbidden, name: "CONNECT 403", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: proxy(pt.ProxyBehaviour{AllowPorts: []int{1}})})},
		{cause: diag.CauseProxyBadGateway, name: "CONNECT 502", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: proxy(pt.ProxyBehaviour{Status: 502})})},
		{cause: diag.CauseProxyBadGateway, name: "CONNECT 503 (squid)", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: proxy(pt.ProxyBehaviour{Status: 503})})},
		{cause: diag.CauseProxyGatewayTimeout, name: "CONNECT 504", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: proxy(pt.ProxyBehaviour{Status: 504})})},
		{cause: diag.CauseProxyStatus, name: "CONNECT 400", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: proxy(pt.ProxyBehaviour{Status: 400})})},
		{cause: diag.CauseProxyRefused, name: "proxy not running", ep: ep(diag.Endpoint{URL: "https://api.test/v1"}), env: map[string]string{"HTTPS_PROXY": "http://" + closed}},
		{cause: diag.CauseProxyDNS, name: "proxy name unknown", ep: ep(diag.Endpoint{URL: "https://api.test/v1", Proxy: "http://noproxy.test:3128"})},
		{cause: diag.CauseProxyUnsupported, name: "ftp proxy", ep: ep(diag.Endpoint{URL: "https://api.test/v1"}), env: map[string]string{"HTTPS_PROXY": "ftp://127.0.0.1:21"}},
		{cause: diag.CauseProxyBadURL, name: "proxy without host", ep: ep(diag.Endpoint{URL: "https://api.test/v1"}), env: map[string]string{"HTTPS_PROXY": "socks5:127.0.0.1"}},
		{cause: diag.CauseProxyReset, name: "http:// proxy URL on a port that hangs up", ep: ep(diag.Endpoint{URL: "https://api.test/v1", Proxy: "http://" + pt.EOFListener(t)})},
		{cause: diag.CauseSOCKSAuth, name: "socks wrong password", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: "socks5://u:wrong@" + socks(pt.SOCKSBehaviour{User: "u", Pass: "right"})})},
		{cause: diag.CauseSOCKSNoMethod, name: "socks wants a password", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: "socks5://" + socks(pt.SOCKSBehaviour{User: "u", Pass: "right"})})},
		{cause: diag.CauseSOCKSRefused, name: "socks reply 5", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: "socks5://" + socks(pt.SOCKSBehaviour{Reply: 5})})},
		{cause: diag.CauseSOCKSUnreachable, name: "socks reply 4", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: "socks5://" + socks(pt.SOCKSBehaviour{Reply: 4})})},
		{cause: diag.CauseSOCKSNotAllowed, name: "socks reply 2", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: "socks5://" + socks(pt.SOCKSBehaviour{Reply: 2})})},
		{cause: diag.CauseSOCKSFailure, name: "socks reply 1", ep: ep(diag.Endpoint{URL: httpsURL(good), Proxy: "socks5://" + socks(pt.SOCKSBehaviour{Reply: 1})})},
	}
}

// The typed errors the probes return, where a loopback run cannot give
// them or would wait out a timeout. Error texts are the real types' own.
func typedWitnesses() []witness {
	target := &net.TCPAddr{IP: net.ParseIP("203.0.113.7"), Port: 443}
	proxyAddr := &net.TCPAddr{IP: net.ParseIP("192.0.2.10"), Port: 3128}
	local := &net.TCPAddr{IP: net.ParseIP("10.0.0.2"), Port: 50312}
	remote := netip.MustParseAddr("203.0.113.7")
	dial := func(addr net.Addr, errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: os.NewSyscallError("connect", errno)}
	}
	// Windows' errors as Go prints them there: connectex and the system's text.
	dialWin := func(addr net.Addr, errno syscall.Errno, text string) error {
		return &net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: os.NewSyscallError("connectex", winErrno{errno, text})}
	}
	dialTimeout := func(addr net.Addr) error {
		return &net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: os.ErrDeadlineExceeded}
	}
	read := func(addr net.Addr, err error) error {
		return &net.OpError{Op: "read", Net: "tcp", Source: local, Addr: addr, Err: err}
	}
	reset := os.NewSyscallError("read", syscall.ECONNRESET)
	get := func(err error) error {
		return &url.Error{Op: "Get", URL: "https://api.example.test/v1/models", Err: err}
	}
	dnsErr := func(name, msg string) *net.DNSError {
		return &net.DNSError{Err: msg, Name: name, Server: "127.0.0.53:53"}
	}
	// Detail as crypto/x509's verifier writes it.
	certErr := func(reason x509.InvalidReason, nb, na time.Time, detail string) error {
		return &tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Cert: &x509.Certificate{NotBefore: nb, NotAfter: na}, Reason: reason, Detail: detail}}
	}
	future := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(e diag.Evidence) *diag.Evidence { return &e }
	httpFail := func(err error) *diag.Evidence {
		return ev(diag.Evidence{Layer: diag.LayerHTTP, Err: err, HTTP: &probe.HTTPResult{Err: err}})
	}
	timeoutDNS := dnsErr("api.example.test", "i/o timeout")
	timeoutDNS.IsTimeout = true
	unreachDNS := dnsErr("api.example.test", "read udp 127.0.0.1:40000->127.0.0.53:53: read: connection refused")
	unreachDNS.UnwrapErr = &net.OpError{Op: "read", Net: "udp", Err: os.NewSyscallError("read", syscall.ECONNREFUSED)}
	// --resolver nonsense: the resolver's own name did not resolve.
	resolverName := dnsErr("api.example.test", "dial udp: lookup nonsense on 127.0.0.53:53: no such host")
	resolverName.Server = "nonsense:53"
	resolverName.UnwrapErr = &net.OpError{Op: "dial", Net: "udp", Err: &net.DNSError{Err: "no such host", Name: "nonsense", Server: "127.0.0.53:53", IsNotFound: true}}
	notFound := dnsErr("api.example.test", "no such host")
	notFound.IsNotFound = true
	proxyNotFound := dnsErr("proxy.example.test", "no such host")
	proxyNotFound.IsNotFound = true

	// What a differential probe proved (differential.go), beside the
	// failure it explains.
	look := func(e *diag.Evidence, l diag.Lookalike, seen string) *diag.Evidence {
		e.Lookalike, e.LookEvidence = l, seen
		return e
	}
	fakeIP := &net.TCPAddr{IP: net.ParseIP("198.18.0.5"), Port: 443}
	sinkhole := &net.TCPAddr{IP: net.ParseIP("0.0.0.0"), Port: 443}

	zero := &net.TCPAddr{IP: net.IPv4zero, Port: 3000}
	return []witness{
		{cause: diag.CauseEphemeralPorts, name: "EADDRNOTAVAIL", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dial(target, syscall.EADDRNOTAVAIL), Addr: remote})},
		{cause: diag.CauseEphemeralPorts, name: "WSAENOBUFS", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dialWin(target, 10055, "An operation on a socket could not be performed because the system lacked sufficient buffer space or because a queue was full."), Addr: remote})},
		{cause: diag.CausePortInUse, name: "EADDRINUSE", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dial(target, syscall.EADDRINUSE), Addr: remote})},
		{cause: diag.CauseAddrNotValid, name: "WSAEADDRNOTAVAIL (a base URL of 0.0.0.0)", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dialWin(zero, 10049, "The requested address is not valid in its context.")})},
		{cause: diag.CauseFakeIP, name: "fake-ip, no TUN", ev: look(ev(diag.Evidence{Layer: diag.LayerTCP, Err: dialTimeout(fakeIP)}), diag.LookFakeIP, "api.openai.com is 198.18.0.5")},
		{cause: diag.CauseDNSSinkhole, name: "0.0.0.0 for a public name", ev: look(ev(diag.Evidence{Layer: diag.LayerTCP, Err: dial(sinkhole, syscall.ECONNREFUSED)}), diag.LookSinkhole, "api.openai.com is 0.0.0.0")},
		{cause: diag.CauseHostsFile, name: "hosts file line", ev: look(ev(diag.Evidence{Layer: diag.LayerTCP, Err: dialTimeout(target), Addr: remote}), diag.LookHostsFile, "/etc/hosts:12")},
		{cause: diag.CauseDNSInjected, name: "injected answer", ev: look(ev(diag.Evidence{Layer: diag.LayerTCP, Err: dialTimeout(target), Addr: remote}), diag.LookDNSInjected, "198.51.100.53 answered, nothing listens on 53 there")},
		{cause: diag.CauseDNSWrong, name: "another resolver's answer connects", ev: look(ev(diag.Evidence{Layer: diag.LayerTCP, Err: dialTimeout(target), Addr: remote}), diag.LookDNSWrong, "1.1.1.1 says 192.0.2.44")},
		{cause: diag.CauseSNIFiltered, name: "reset for this SNI only", ev: look(ev(diag.Evidence{Layer: diag.LayerTLS, Err: read(target, reset)}), diag.LookSNIFiltered, "a handshake without SNI completes")},
		{cause: diag.CauseIncompleteChain, name: "missing intermediate", ev: look(ev(diag.Evidence{Layer: diag.LayerTLS, Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}), diag.LookIncompleteChain, "issuer fetched from the AIA URL verifies")},
		{cause: diag.CauseClientCert, name: "client certificate required", ev: look(ev(diag.Evidence{Layer: diag.LayerTLS, Err: &net.OpError{Op: "remote error", Err: tls.AlertError(116)}}), diag.LookClientCertNeeded, "CertificateRequest")},
		{cause: diag.CauseKeywordFiltered, name: "reset on the request, not on a neutral one", ev: look(httpFail(get(read(target, reset))), diag.LookKeywordFiltered, "GET / answered 200")},
		{cause: diag.CauseMTUBlackhole, name: "handshake stalls, a small MSS passes", ev: look(ev(diag.Evidence{Layer: diag.LayerTLS, Err: read(target, os.ErrDeadlineExceeded)}), diag.LookMTUBlackhole, "MSS 536 completes")},

		{cause: diag.CauseConnRefused, name: "remote refuses", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dial(target, syscall.ECONNREFUSED), Addr: remote})},
		{cause: diag.CauseConnResetConnect, name: "reset while connecting", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dial(target, syscall.ECONNRESET), Addr: remote})},
		{cause: diag.CauseSYNTimeout, name: "SYN dropped", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dialTimeout(target), Addr: remote})},
		{cause: diag.CauseLocalFirewall, name: "EACCES", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dial(target, syscall.EACCES), Addr: remote})},
		{cause: diag.CauseNetUnreachable, name: "ENETUNREACH", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dial(target, syscall.ENETUNREACH), Addr: remote})},
		{cause: diag.CauseHostUnreachable, name: "EHOSTUNREACH", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dial(target, syscall.EHOSTUNREACH), Addr: remote})},
		{cause: diag.CauseNoNetwork, name: "ENETDOWN", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dial(target, syscall.ENETDOWN), Addr: remote})},
		{cause: diag.CauseAdminProhib, name: "ICMP admin prohibited", ev: ev(diag.Evidence{Layer: diag.LayerTCP, Err: dial(target, syscall.EHOSTUNREACH), Addr: remote, AdminProhibited: true})},

		{cause: diag.CauseDNSTimeout, name: "resolver silent", ev: ev(diag.Evidence{Layer: diag.LayerDNS, Err: timeoutDNS, DNS: &probe.DNSResult{}})},
		{cause: diag.CauseDNSUnreachble, name: "resolver refuses UDP", ev: ev(diag.Evidence{Layer: diag.LayerDNS, Err: unreachDNS, DNS: &probe.DNSResult{}})},
		{cause: diag.CauseDNSUnreachble, name: "resolver's own name unresolved", ev: ev(diag.Evidence{Layer: diag.LayerDNS, Err: resolverName, DNS: &probe.DNSResult{}})},
		{cause: diag.CauseNoResolver, name: "no nameserver", ev: ev(diag.Evidence{Layer: diag.LayerDNS, Err: notFound, DNS: &probe.DNSResult{NoResolver: true}})},
		{cause: diag.CauseDNSOther, name: "other lookup failure", ev: ev(diag.Evidence{Layer: diag.LayerDNS, Err: dnsErr("api.example.test", "cannot unmarshal DNS message"), DNS: &probe.DNSResult{}})},

		{cause: diag.CauseProxyDNS, name: "proxy name unknown (typed)", ev: ev(diag.Evidence{Layer: diag.LayerProxyDNS, Err: proxyNotFound, DNS: &probe.DNSResult{Rcode: "NXDOMAIN"}})},
		{cause: diag.CauseProxyTimeout, name: "proxy SYN dropped", ev: ev(diag.Evidence{Layer: diag.LayerProxyTCP, Err: dialTimeout(proxyAddr)})},
		{cause: diag.CauseProxyUnreachable, name: "proxy EHOSTUNREACH", ev: ev(diag.Evidence{Layer: diag.LayerProxyTCP, Err: dial(proxyAddr, syscall.EHOSTUNREACH)})},
		{cause: diag.CauseProxyReset, name: "proxy resets the tunnel request", ev: ev(diag.Evidence{Layer: diag.LayerProxyConnect, Err: read(proxyAddr, reset)})},
		{cause: diag.CauseProxyTLS, name: "https:// proxy speaks plain http", ev: ev(diag.Evidence{Layer: diag.LayerProxyTLS, Err: tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}})},
		{cause: diag.CauseProxyNoAnswerConnect, name: "proxy never answers CONNECT", ev: ev(diag.Evidence{Layer: diag.LayerProxyConnect, Err: read(proxyAddr, os.ErrDeadlineExceeded)})},
		{cause: diag.CauseProxyProtocol, name: "not a proxy's answer", ev: ev(diag.Evidence{Layer: diag.LayerProxyConnect, Err: &probe.ProtocolError{Proto: "http-connect", Msg: `status line "SSH-2.0-OpenSSH_9.6"`}})},
		{cause: diag.CauseProxyOther, name: "other proxy failure", ev: ev(diag.Evidence{Layer: diag.LayerProxyConnect, Err: errors.New("probe: tunnel closed by the client")})},

		{cause: diag.CauseTLSTimeout, name: "ClientHello unanswered", ev: ev(diag.Evidence{Layer: diag.LayerTLS, Err: read(target, os.ErrDeadlineExceeded)})},
		{cause: diag.CauseTLSNotYet, name: "not valid yet", ev: ev(diag.Evidence{Layer: diag.LayerTLS, Err: certErr(x509.Expired, future, future.Add(time.Hour),
			fmt.Sprintf("current time %s is before %s", time.Now().UTC().Format(time.RFC3339), future.Format(time.RFC3339)))})},
		{cause: diag.CauseTLSAlert, name: "handshake_failure alert", ev: ev(diag.Evidence{Layer: diag.LayerTLS, Err: &net.OpError{Op: "remote error", Err: tls.AlertError(40)}})},
		{cause: diag.CauseTLSOther, name: "other certificate problem", ev: ev(diag.Evidence{Layer: diag.LayerTLS, Err: certErr(x509.NotAuthorizedToSign, time.Now(), time.Now(), "")})},

		{cause: diag.CauseNoResponse, name: "accepted, never answered", ev: httpFail(get(context.DeadlineExceeded))},
		{cause: diag.CauseHTTPReset, name: "reset after the request", ev: httpFail(get(read(target, reset)))},
		{cause: diag.CauseHTTPEOF, name: "closed without an answer", ev: httpFail(get(io.EOF))},
		{cause: diag.CauseHTTPProtocol, name: "not HTTP", ev: httpFail(get(errors.New(`malformed HTTP response "SSH-2.0-OpenSSH_9.6"`)))},
	}
}

// winErrno is a Winsock errno with the text Windows gives it (a Linux build
// has no FormatMessage to word it).
type winErrno struct {
	errno syscall.Errno
	text  string
}

func (e winErrno) Error() string { return e.text }
func (e winErrno) Unwrap() error { return e.errno }
