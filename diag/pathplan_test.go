package diag

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// TestPathTarget: with a proxy in the path the one that broke is probed and
// named; a path a connection already proved open is not probed again.
func TestPathTarget(t *testing.T) {
	dns := pt.NewInProcessDNSServer(t)
	dns.Set("api.behind.test.", pt.Answer{A: []string{"198.51.100.7"}})
	proxyAddr := netip.MustParseAddr("203.0.113.2")
	socks := &url.URL{Scheme: "socks5", Host: "203.0.113.2:1081"}
	tunnelled := &probe.ProxyResult{Kind: "socks5"}
	refusedTunnel := &probe.ProxyResult{Kind: "socks5", Err: errors.New("refused")}
	cases := []struct {
		name   string
		proxy  *url.URL
		host   string
		target netip.Addr
		ev     Evidence
		deep   bool
		role   string
		addr   string
		port   int
		proven Layer
	}{
		{"direct: tcp failed", nil, "api.test", netip.MustParseAddr("192.0.2.1"), Evidence{Layer: LayerTCP}, false, PathRoleTarget, "192.0.2.1", 443, ""},
		{"direct: http silent, tcp proved the path", nil, "api.test", netip.MustParseAddr("192.0.2.1"), Evidence{Layer: LayerHTTP}, false, PathRoleTarget, "192.0.2.1", 443, LayerTCP},
		{"socks5 proxy silent (issue 9 item 2)", socks, "api.behind.test", netip.Addr{}, Evidence{Layer: LayerProxyTCP}, false, PathRoleProxy, "203.0.113.2", 1081, ""},
		{"proxy's tls failed: its tcp proved the path", socks, "api.behind.test", netip.Addr{}, Evidence{Layer: LayerProxyTLS}, false, PathRoleProxy, "203.0.113.2", 1081, LayerProxyTCP},
		{"target silent behind the proxy", socks, "api.behind.test", netip.Addr{}, Evidence{Layer: LayerHTTP, Proxy: tunnelled}, false, PathRoleTarget, "", 443, LayerProxyConnect},
		{"--deep: the target behind the proxy, resolved here", socks, "api.behind.test", netip.Addr{}, Evidence{Layer: LayerHTTP, Proxy: tunnelled}, true, PathRoleTarget, "198.51.100.7", 443, LayerProxyConnect},
		{"--deep: a target with no address here falls back to the proxy", socks, "nx.behind.test", netip.Addr{}, Evidence{Layer: LayerHTTP, Proxy: tunnelled}, true, PathRoleProxy, "203.0.113.2", 1081, LayerProxyConnect},
		{"the proxy could not reach the target", socks, "api.behind.test", netip.Addr{}, Evidence{Layer: LayerProxyConnect, Proxy: refusedTunnel}, true, PathRoleTarget, "198.51.100.7", 443, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := &chain{o: RunOptions{Deep: c.deep, DNS: probe.DNSConfig{Servers: []string{dns.Addr}, Dial: dns.Dial}}, t: fastTimeouts.WithDefaults(),
				host: c.host, port: "443", targetAddr: c.target, proxy: c.proxy}
			if c.proxy != nil {
				ch.proxyHost, ch.proxyPort, ch.proxyAddr = c.proxy.Hostname(), c.proxy.Port(), proxyAddr
			}
			got, proven := ch.pathTarget(context.Background(), c.ev)
			addr := ""
			if got.Addr.IsValid() {
				addr = got.Addr.String()
			}
			if got.role() != c.role || addr != c.addr || got.Port != c.port || proven != c.proven {
				t.Errorf("probe %s %s port %d proven by %q, want %s %s port %d proven by %q", got.role(), addr, got.Port, proven, c.role, c.addr, c.port, c.proven)
			}
		})
	}
}

// TestLocaliseNamesWhoWasProbed: the sentence says "the proxy" when the
// proxy was probed, and a path proven open is reported without a probe.
func TestLocaliseNamesWhoWasProbed(t *testing.T) {
	socks := &url.URL{Scheme: "socks5", Host: "203.0.113.2:1081"}
	calls := 0
	fake := func(_ context.Context, tg PathTarget) *PathInfo {
		calls++
		p := pathProbes{
			ping: func(context.Context, string, probe.PingOptions) probe.PingResult {
				return probe.PingResult{Sent: 3, Received: 3}
			},
			trace: func(_ context.Context, _ string, o probe.TraceOptions) probe.TraceResult {
				end := probe.TraceReached
				if o.Method == probe.TraceTCP {
					end = probe.TraceSilent
				}
				return probe.TraceResult{Method: o.Method, End: end, EndHop: 1, LastHop: 1, Hops: []probe.TraceHop{{TTL: 1, Addr: tg.Addr, Sent: 1, Received: 1}}}
			},
		}
		return localisePath(context.Background(), tg, p)
	}
	ch := &chain{o: RunOptions{PathProbe: fake}, t: fastTimeouts.WithDefaults(), host: "api.behind.test", port: "443",
		proxy: socks, proxyHost: "203.0.113.2", proxyPort: "1081", proxyAddr: netip.MustParseAddr("203.0.113.2")}
	pi := ch.localise(context.Background(), Evidence{Layer: LayerProxyTCP}, CatProxy, CauseProxyTimeout)
	if pi == nil || calls != 1 || pi.Probed != PathRoleProxy || !strings.HasPrefix(pi.Summary, "the proxy answers ping but not TCP 1081") || strings.Contains(pi.Summary, "the target") {
		t.Fatalf("calls %d, path %+v", calls, pi)
	}
	pi = ch.localise(context.Background(), Evidence{Layer: LayerHTTP, Proxy: &probe.ProxyResult{}}, CatOverloaded, CauseNoResponse)
	if pi == nil || calls != 1 || pi.ProvenBy != LayerProxyConnect || pi.Verdict != PathTCPOpen || pi.Ping != nil ||
		!strings.HasPrefix(pi.Summary, "the proxy connected to the target's TCP 443") || strings.Contains(pi.Summary, "1081") {
		t.Fatalf("calls %d, path %+v", calls, pi)
	}
	ch = &chain{o: RunOptions{PathProbe: fake}, t: fastTimeouts.WithDefaults(), host: "api.test", port: "8443", targetAddr: netip.MustParseAddr("192.0.2.9")}
	pi = ch.localise(context.Background(), Evidence{Layer: LayerTLS}, CatBlocked, CauseTLSReset)
	if pi == nil || calls != 1 || pi.Probed != PathRoleTarget || pi.ProvenBy != LayerTCP || !strings.HasPrefix(pi.Summary, "the target accepted TCP 8443 (the tcp layer connected)") {
		t.Fatalf("calls %d, path %+v", calls, pi)
	}
	ch.o.Deep = true
	pi = ch.localise(context.Background(), Evidence{Layer: LayerTLS}, CatBlocked, CauseTLSReset)
	if pi == nil || calls != 2 || pi.ProvenBy != "" || pi.Ping == nil || !strings.HasPrefix(pi.Summary, "the target answers ping but not TCP 8443") {
		t.Fatalf("--deep: calls %d, path %+v", calls, pi)
	}
}

// TestPathFlight: one localisation per (address, port, role) however many
// endpoints ask at once; each gets the result under its own name.
func TestPathFlight(t *testing.T) {
	f := newPathFlight()
	var runs atomic.Int32
	release := make(chan struct{})
	run := func(_ context.Context, tg PathTarget) *PathInfo {
		runs.Add(1)
		<-release
		return &PathInfo{Target: tg.label(), Summary: "shared " + tg.Addr.String(), Verdict: PathEnds}
	}
	a := netip.MustParseAddr("192.0.2.1")
	var wg sync.WaitGroup
	got := make([]*PathInfo, 40)
	for i := range got {
		wg.Go(func() {
			addr, port := a, 443
			if i%4 == 3 {
				port = 8443 // a second key
			}
			got[i] = f.do(context.Background(), PathTarget{Host: fmt.Sprintf("h%d.test", i), Addr: addr, Port: port}, run)
		})
	}
	time.Sleep(50 * time.Millisecond) // let every caller queue behind its key
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 2 {
		t.Fatalf("%d localisations for 2 distinct (address, port), want 2", n)
	}
	for i, pi := range got {
		if pi == nil || pi.Summary != "shared 192.0.2.1" || pi.Target != fmt.Sprintf("h%d.test (192.0.2.1)", i) {
			t.Errorf("endpoint %d: %+v", i, pi)
		}
	}
	if got[0] == got[4] {
		t.Errorf("callers share one *PathInfo: a caller's edit would show in another's report")
	}
	// A waiter whose context ends stops waiting.
	block := make(chan struct{})
	defer close(block)
	go f.do(context.Background(), PathTarget{Addr: a, Port: 1}, func(context.Context, PathTarget) *PathInfo { <-block; return &PathInfo{} })
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if pi := f.do(ctx, PathTarget{Addr: a, Port: 1}, run); pi != nil {
		t.Errorf("a cancelled waiter got %+v", pi)
	}
}

// TestRunLocalisesOncePerPath: a run of endpoints sharing one host and port
// probes that path once (--deep makes every endpoint want it), and without
// --deep a connected endpoint is not probed at all.
func TestRunLocalisesOncePerPath(t *testing.T) {
	up := pt.NewHTTPUpstream(t, pt.Upstream{Status: 503, Body: "busy"})
	u := "http://" + up.Listener.Addr().String() + "/v1"
	var calls atomic.Int32
	o := RunOptions{Timeouts: fastTimeouts, Getenv: envMap(nil), PathProbe: func(_ context.Context, t PathTarget) *PathInfo {
		calls.Add(1)
		time.Sleep(20 * time.Millisecond)
		return &PathInfo{Target: t.label(), Verdict: PathTCPOpen, Summary: "probed"}
	}}
	eps := make([]Endpoint, 12)
	for i := range eps {
		eps[i] = Endpoint{Name: fmt.Sprintf("ep%d", i), URL: u, Proxy: ProxyDirect}
	}
	o.Deep = true
	rep := Run(context.Background(), eps, o)
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d localisations of one path, want 1", n)
	}
	for _, e := range rep.Endpoints {
		if e.Path == nil || e.Path.Summary != "probed" {
			t.Errorf("%s: path %+v", e.Name, e.Path)
		}
	}
	o.Deep = false
	slow := pt.NewHTTPUpstream(t, pt.Upstream{Delay: 10 * time.Second})
	o.Timeouts.HTTP = 300 * time.Millisecond
	rep = Run(context.Background(), []Endpoint{{Name: "silent", URL: "http://" + slow.Listener.Addr().String() + "/v1", Proxy: ProxyDirect}}, o)
	e := rep.Endpoints[0]
	if calls.Load() != 1 || e.Cause != CauseNoResponse || e.Path == nil || e.Path.ProvenBy != LayerTCP || e.Path.Verdict != PathTCPOpen {
		t.Fatalf("silent endpoint: %d probes, cause %s, path %+v", calls.Load(), e.Cause, e.Path)
	}
}
