package diag

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"

	mdns "github.com/miekg/dns"

	"github.com/newapi-doctor/newapi-doctor/probe"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// fastTimeouts keep the loopback suite quick (the silent cases wait them
// out, in parallel) yet leave a loaded 2-core CI machine room to answer
// the cases that are not about timeouts. Relations match the defaults.
var fastTimeouts = Timeouts{DNS: 1500 * time.Millisecond, Connect: 2 * time.Second, TLS: 2 * time.Second, HTTP: 2500 * time.Millisecond}

func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheckEndpointLoopback drives the whole chain — real probes, in-process
// DNS server, upstreams, TLS servers and proxies on loopback — and asserts the
// verdict and the failing layer for every cause reachable without a firewall.
func TestCheckEndpointLoopback(t *testing.T) {
	dns := pt.NewInProcessDNSServer(t)
	dns.Set("api.test.", pt.Answer{A: []string{"127.0.0.1"}})
	dns.SetRcode("servfail.test.", mdns.RcodeServerFailure)
	dns.SetRcode("refused.test.", mdns.RcodeRefused)
	dns.SetSilent("silent.test.")
	dns.SetEmpty("empty.test.")
	// Dual-stack name: the upstream listens on 127.0.0.1 only, so ::1 fails.
	dns.Set("dual.test.", pt.Answer{A: []string{"127.0.0.1"}, AAAA: []string{"::1"}})

	ca := pt.NewCA(t)
	now := time.Now()
	good := ca.Leaf([]string{"api.test"}, now.Add(-time.Hour), now.Add(time.Hour))
	wrongName := ca.Leaf([]string{"other.test"}, now.Add(-time.Hour), now.Add(time.Hour))
	expired := ca.Leaf([]string{"api.test"}, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	okHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"list","data":[]}`))
	})
	tlsGood := pt.NewTLSServer(t, okHandler, good)
	tlsWrong := pt.NewTLSServer(t, okHandler, wrongName)
	tlsExpired := pt.NewTLSServer(t, okHandler, expired)
	caFile := filepath.Join(testenv.TempDir(t), "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}

	up := func(u pt.Upstream) string {
		return "http://api.test:" + portOf(t, pt.NewHTTPUpstream(t, u).Listener.Addr().String()) + "/v1"
	}
	httpsURL := func(addr string) string { return "https://api.test:" + portOf(t, addr) + "/v1" }
	hosts := map[string]string{"api.test": "127.0.0.1"}

	proxyOK := pt.NewConnectProxy(t, pt.ProxyBehaviour{User: "u", Pass: "s3cret-pass", Hosts: hosts})
	proxy403 := pt.NewConnectProxy(t, pt.ProxyBehaviour{AllowPorts: []int{1}, Hosts: hosts})
	proxy502 := pt.NewConnectProxy(t, pt.ProxyBehaviour{Status: 502, Hosts: hosts})
	proxy401 := pt.NewConnectProxy(t, pt.ProxyBehaviour{Status: 401, Hosts: hosts}) // tinyproxy's answer to a wrong password
	socksOK := pt.NewSOCKS5Server(t, pt.SOCKSBehaviour{Hosts: hosts})
	socksAuth := pt.NewSOCKS5Server(t, pt.SOCKSBehaviour{User: "u", Pass: "right", Hosts: hosts})
	socksRefuse := pt.NewSOCKS5Server(t, pt.SOCKSBehaviour{Reply: 5, Hosts: hosts})
	closed := pt.ClosedPort(t)

	cases := []struct {
		name  string
		ep    Endpoint
		env   map[string]string
		cat   Category
		cause Cause
		layer Layer
	}{
		{"ok", Endpoint{URL: up(pt.Upstream{Body: `{"data":[]}`, ContentType: "application/json"})}, nil, CatOK, CauseOK, ""},
		{"dual-stack, IPv6 broken, IPv4 works", Endpoint{URL: "http://dual.test:" + portOf(t, pt.NewHTTPUpstream(t, pt.Upstream{Body: `{"data":[]}`, ContentType: "application/json"}).Listener.Addr().String()) + "/v1"}, nil, CatOK, CauseIPv6Broken, ""},
		{"nxdomain", Endpoint{URL: "https://nope.test/v1"}, nil, CatDNS, CauseNXDOMAIN, LayerDNS},
		{"servfail", Endpoint{URL: "https://servfail.test/v1"}, nil, CatDNS, CauseSERVFAIL, LayerDNS},
		{"resolver refuses", Endpoint{URL: "https://refused.test/v1"}, nil, CatDNS, CauseDNSRefused, LayerDNS},
		{"resolver silent", Endpoint{URL: "https://silent.test/v1"}, nil, CatDNS, CauseDNSTimeout, LayerDNS},
		{"no addresses", Endpoint{URL: "https://empty.test/v1"}, nil, CatDNS, CauseDNSNoAnswer, LayerDNS},
		{"nothing listens on loopback", Endpoint{URL: "http://" + closed + "/v1"}, nil, CatRefused, CauseLocalRefused, LayerTCP},
		{"401 with key", Endpoint{URL: up(pt.Upstream{Status: 401, ContentType: "application/json", Body: `{"error":{"type":"invalid_request_error","code":"invalid_api_key"}}`}), Key: "sk-test-0123456789abcdef0123"}, nil, CatAuth, CauseUnauthorized, LayerHTTP},
		{"401 without key", Endpoint{URL: up(pt.Upstream{Status: 401, ContentType: "application/json", Body: `{}`})}, nil, CatOK, CauseOKKeyNotSent, ""},
		{"404 on a reachability-only channel is reachable", Endpoint{URL: up(pt.Upstream{Status: 404, ContentType: "application/json", Body: `{}`}), Extra: map[string]string{"reachability_only": "true", "type_name": "AWS Bedrock"}}, nil, CatOK, CauseOK, ""},
		{"404 path", Endpoint{URL: up(pt.Upstream{Status: 404, ContentType: "application/json", Body: `{}`})}, nil, CatHTTP, CauseNotFound, LayerHTTP},
		{"429 rate limit", Endpoint{URL: up(pt.Upstream{Status: 429, RetryAfter: "7", ContentType: "application/json", Body: `{"error":{"type":"rate_limit_error"}}`})}, nil, CatOverloaded, CauseRateLimited, LayerHTTP},
		{"429 quota", Endpoint{URL: up(pt.Upstream{Status: 429, ContentType: "application/json", Body: `{"error":{"type":"insufficient_quota","message":"You exceeded your current quota"}}`})}, nil, CatOverloaded, CauseQuota, LayerHTTP},
		{"503", Endpoint{URL: up(pt.Upstream{Status: 503, Body: "busy"})}, nil, CatOverloaded, CauseUnavailable, LayerHTTP},
		{"529", Endpoint{URL: up(pt.Upstream{Status: 529, ContentType: "application/json", Body: `{"type":"error","error":{"type":"overloaded_error"}}`})}, nil, CatOverloaded, CauseOverloaded529, LayerHTTP},
		{"html ban page", Endpoint{URL: up(pt.Upstream{ContentType: "text/html", Body: "<html>blocked</html>"})}, nil, CatHTTP, CauseHTML, LayerHTTP},
		{"region block", Endpoint{URL: up(pt.Upstream{Status: 403, ContentType: "application/json", Body: `{"error":{"code":"unsupported_country_region_territory","message":"Country, region, or territory not supported"}}`}), Key: "sk-test-0123456789abcdef0123"}, nil, CatBlocked, CauseRegionBlocked, LayerHTTP},
		{"accepts, never answers", Endpoint{URL: up(pt.Upstream{Delay: 10 * time.Second})}, nil, CatOverloaded, CauseNoResponse, LayerHTTP},
		{"tls ok with ca_file", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String()), CAFile: caFile}, nil, CatOK, CauseOK, ""},
		{"tls untrusted", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String())}, nil, CatTLS, CauseTLSUntrusted, LayerTLS},
		{"tls wrong name", Endpoint{URL: httpsURL(tlsWrong.Listener.Addr().String()), CAFile: caFile}, nil, CatTLS, CauseTLSHostname, LayerTLS},
		{"tls expired", Endpoint{URL: httpsURL(tlsExpired.Listener.Addr().String()), CAFile: caFile}, nil, CatTLS, CauseTLSExpired, LayerTLS},
		{"plain http on https url", Endpoint{URL: "https://api.test:" + portOf(t, pt.NewHTTPUpstream(t, pt.Upstream{}).Listener.Addr().String())}, nil, CatTLS, CauseTLSNotTLS, LayerTLS},
		{"reset during handshake (sni filter)", Endpoint{URL: httpsURL(pt.ResetListener(t))}, nil, CatBlocked, CauseTLSReset, LayerTLS},
		{"closed during handshake", Endpoint{URL: httpsURL(pt.EOFListener(t))}, nil, CatBlocked, CauseTLSEOF, LayerTLS},
		{"clienthello unanswered", Endpoint{URL: httpsURL(pt.SilentListener(t))}, nil, CatBlocked, CauseTLSTimeout, LayerTLS},
		{"missing ca_file", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String()), CAFile: filepath.Join(testenv.TempDir(t), "missing.pem")}, nil, CatTLS, CauseTLSCAFile, LayerConfig},

		{"connect proxy ok with auth", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String()), CAFile: caFile, Proxy: "http://u:s3cret-pass@" + proxyOK.Addr}, nil, CatOK, CauseOK, ""},
		{"connect proxy 407", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String()), Proxy: "http://" + proxyOK.Addr}, nil, CatProxy, CauseProxyAuthRequired, LayerProxyConnect},
		{"connect proxy 401 is a credentials problem", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String()), Proxy: "http://u:wrong-pass@" + proxy401.Addr}, nil, CatProxy, CauseProxyAuthRequired, LayerProxyConnect},
		{"connect proxy 403 port rule", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String()), Proxy: proxy403.URL}, nil, CatProxy, CauseProxyForbidden, LayerProxyConnect},
		{"connect proxy 502", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String()), Proxy: proxy502.URL}, nil, CatProxy, CauseProxyBadGateway, LayerProxyConnect},
		{"proxy not running (from env)", Endpoint{URL: "https://api.test/v1"}, map[string]string{"HTTPS_PROXY": "http://" + closed}, CatProxy, CauseProxyRefused, LayerProxyTCP},
		{"socks proxy not running", Endpoint{URL: "https://api.test/v1", Proxy: "socks5://" + closed}, nil, CatProxy, CauseProxyRefused, LayerProxyTCP},
		{"socks ok", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String()), CAFile: caFile, Proxy: "socks5h://" + socksOK.Addr}, nil, CatOK, CauseOK, ""},
		// Issue 9.1: a plain-HTTP target through SOCKS5 hung: the HTTP layer
		// applied the proxy a second time inside the tunnel.
		{"plain http through socks5", Endpoint{URL: up(pt.Upstream{Body: `{"data":[]}`, ContentType: "application/json"}), Proxy: "socks5://" + socksOK.Addr}, nil, CatOK, CauseOK, ""},
		{"plain http through socks5h", Endpoint{URL: up(pt.Upstream{Body: `{"data":[]}`, ContentType: "application/json"}), Proxy: "socks5h://" + socksOK.Addr}, nil, CatOK, CauseOK, ""},
		{"plain http through a connect proxy", Endpoint{URL: up(pt.Upstream{Body: `{"data":[]}`, ContentType: "application/json"}), Proxy: "http://u:s3cret-pass@" + proxyOK.Addr}, nil, CatOK, CauseOK, ""},
		{"socks auth rejected", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String()), Proxy: "socks5://u:wrong@" + socksAuth.Addr}, nil, CatProxy, CauseSOCKSAuth, LayerProxyConnect},
		{"socks needs auth", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String()), Proxy: "socks5://" + socksAuth.Addr}, nil, CatProxy, CauseSOCKSNoMethod, LayerProxyConnect},
		{"socks target refused", Endpoint{URL: httpsURL(tlsGood.Listener.Addr().String()), Proxy: "socks5://" + socksRefuse.Addr}, nil, CatProxy, CauseSOCKSRefused, LayerProxyConnect},
		{"proxy is silent", Endpoint{URL: "https://api.test/v1", Proxy: "http://" + pt.SilentListener(t)}, nil, CatProxy, CauseProxyNoAnswerConnect, LayerProxyConnect},
		{"env proxy unsupported scheme", Endpoint{URL: "https://api.test/v1"}, map[string]string{"HTTPS_PROXY": "ftp://127.0.0.1:21"}, CatProxy, CauseProxyUnsupported, LayerConfig},
	}
	t.Run("cases", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.ep.Name = tc.name
				o := RunOptions{Timeouts: fastTimeouts, DNS: probe.DNSConfig{Servers: []string{dns.Addr}, Dial: dns.Dial}, Getenv: envMap(tc.env), Version: "test"}
				r := CheckEndpoint(context.Background(), tc.ep, o)
				if r.Category != tc.cat || r.Cause != tc.cause {
					t.Fatalf("verdict %s/%s, want %s/%s; message %q; layers %+v", r.Category, r.Cause, tc.cat, tc.cause, r.Message, r.Layers)
				}
				if r.FailingLayer != tc.layer {
					t.Errorf("failing layer %q, want %q", r.FailingLayer, tc.layer)
				}
				if r.Category != CatOK && r.Hint == "" {
					t.Errorf("no hint for %s", r.Cause)
				}
				if r.Name != tc.name || len(r.Layers) == 0 {
					t.Errorf("result lost its name or layers: %+v", r)
				}
			})
		}
	})

	t.Run("proxy resolves the target's name", func(t *testing.T) {
		if reqs := socksOK.Requests(); len(reqs) == 0 || !strings.HasPrefix(reqs[0].Addr, "api.test:") {
			t.Fatalf("socks requests %+v: want the name api.test sent unresolved", reqs)
		}
		found := false
		for _, r := range proxyOK.Requests() {
			if r.Method == "CONNECT" && strings.HasPrefix(r.Target, "api.test:") && r.Auth {
				found = true
			}
		}
		if !found {
			t.Fatalf("connect proxy requests %+v: want CONNECT api.test with credentials", proxyOK.Requests())
		}
	})
}

func TestProxySourceIsReported(t *testing.T) {
	closed := pt.ClosedPort(t)
	o := RunOptions{Timeouts: fastTimeouts, Getenv: envMap(map[string]string{"https_proxy": "http://" + closed})}
	r := CheckEndpoint(context.Background(), Endpoint{Name: "x", URL: "https://api.test/v1"}, o)
	if r.Proxy.Source != "env:https_proxy" {
		t.Fatalf("proxy source %q, want env:https_proxy", r.Proxy.Source)
	}
	if !strings.Contains(r.Hint, "https_proxy") {
		t.Errorf("hint should name the variable: %q", r.Hint)
	}
}

// TestRunIsConcurrentAndOrdered: results keep the input order, every
// endpoint is classified, and the run is bounded by one endpoint's time, not
// the sum (the speed figure itself lives in the benchmarks).
func TestRunIsConcurrentAndOrdered(t *testing.T) {
	silent := pt.SilentListener(t)
	closed := pt.ClosedPort(t)
	var eps []Endpoint
	for i := 0; i < 12; i++ {
		u := "http://" + closed
		if i%2 == 0 {
			u = "https://" + silent
		}
		eps = append(eps, Endpoint{Name: "ep" + string(rune('a'+i)), URL: u})
	}
	var calls, maxRunning int
	o := RunOptions{Timeouts: fastTimeouts, Parallel: 12, Progress: func(done, total int, running []string) {
		calls++
		maxRunning = max(maxRunning, len(running))
		if total != len(eps) || done > total {
			t.Errorf("progress %d/%d", done, total)
		}
	}}
	rep := Run(context.Background(), eps, o)
	if len(rep.Endpoints) != len(eps) || calls != len(eps) {
		t.Fatalf("%d results, %d progress calls", len(rep.Endpoints), calls)
	}
	for i, e := range rep.Endpoints {
		if e.Name != eps[i].Name {
			t.Fatalf("order: %d is %s", i, e.Name)
		}
		want := CauseLocalRefused
		if i%2 == 0 {
			want = CauseTLSTimeout
		}
		if e.Cause != want {
			t.Errorf("%s: %s, want %s", e.Name, e.Cause, want)
		}
	}
	if rep.Summary.Total != 12 || rep.Summary.Failed != 12 {
		t.Errorf("summary %+v", rep.Summary)
	}
	// The first endpoint to finish (a refused one) saw the silent ones
	// still running: they were probed at the same time, not in turn.
	if maxRunning < 6 {
		t.Errorf("at most %d endpoints ran at once, want the 6 silent ones together", maxRunning)
	}
}

func TestRunInterrupted(t *testing.T) {
	silent := pt.SilentListener(t)
	eps := []Endpoint{{Name: "a", URL: "https://" + silent}, {Name: "b", URL: "https://" + silent}}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	rep := Run(ctx, eps, RunOptions{Timeouts: Timeouts{TLS: 30 * time.Second}, Parallel: 1})
	if !rep.Interrupted {
		t.Fatal("report not marked interrupted")
	}
	if len(rep.Endpoints) != 2 || rep.Endpoints[1].Cause != CauseInterrupted {
		t.Fatalf("unfinished endpoint not marked: %+v", rep.Endpoints)
	}
}

// TestProxyAuthHintNamesTheFault: the hint of a refused CONNECT says whether
// the proxy URL carried credentials (rejected) or not (missing), and which
// status said so; tinyproxy answers a wrong password with 401 (issue 9.3).
func TestProxyAuthHintNamesTheFault(t *testing.T) {
	ca := pt.NewCA(t)
	up := pt.NewTLSServer(t, http.NotFoundHandler(), ca.Leaf([]string{"api.test"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)))
	hosts := map[string]string{"api.test": "127.0.0.1"}
	target := "https://api.test:" + portOf(t, up.Listener.Addr().String()) + "/v1"
	p401 := pt.NewConnectProxy(t, pt.ProxyBehaviour{Status: 401, Hosts: hosts})
	p407 := pt.NewConnectProxy(t, pt.ProxyBehaviour{User: "u", Pass: "right-pass", Hosts: hosts})
	cases := []struct {
		name, proxy string
		want        []string
	}{
		{"401 with credentials", "http://u:wrong-pass@" + p401.Addr, []string{"401", "rejected the username or password"}},
		{"407 with credentials", "http://u:wrong-pass@" + p407.Addr, []string{"407", "rejected the username or password"}},
		{"407 without credentials", "http://" + p407.Addr, []string{"407", "has none"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := CheckEndpoint(context.Background(), Endpoint{Name: tc.name, URL: target, Proxy: tc.proxy}, RunOptions{Timeouts: fastTimeouts})
			if r.Cause != CauseProxyAuthRequired {
				t.Fatalf("cause %s (%s), want %s", r.Cause, r.Message, CauseProxyAuthRequired)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.Hint, w) {
					t.Errorf("hint %q lacks %q", r.Hint, w)
				}
			}
			if strings.Contains(r.Hint, "wrong-pass") {
				t.Errorf("hint quotes the password: %q", r.Hint)
			}
		})
	}
}
