package diag_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	. "github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/explain"
	"github.com/newapi-doctor/newapi-doctor/probe"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// middleTimeouts: the HTTP layer's 800 ms makes a 400 ms silence a stall.
var middleTimeouts = Timeouts{DNS: time.Second, Connect: time.Second, TLS: time.Second, HTTP: 800 * time.Millisecond}

func server(t *testing.T, h http.HandlerFunc) string {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// trickle writes the body in n pieces, gap apart, then stops (stall) or ends.
func trickle(n int, gap time.Duration, stall bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(200)
		for i := 0; i < n; i++ {
			fmt.Fprint(w, strings.Repeat(" ", 10))
			w.(http.Flusher).Flush()
			time.Sleep(gap)
		}
		if !stall {
			fmt.Fprint(w, strings.Repeat(" ", 100000-10*n))
			return
		}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
}

// TestMiddleLookalikes: each fault of items 5-7 beside its look-alike, in
// process: two different causes and two different hints, the evidence in
// the hint, and explain reads check's message back to the same cause.
func TestMiddleLookalikes(t *testing.T) {
	squid := func(xerr string, status int) string {
		return server(t, func(w http.ResponseWriter, r *http.Request) {
			if xerr != "" {
				w.Header().Set("X-Squid-Error", xerr)
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			fmt.Fprint(w, "<html><title>ERROR</title><p>The requested URL could not be retrieved</p></html>")
		})
	}
	tinyproxy := func(page string) string {
		return server(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			fmt.Fprint(w, page)
		})
	}
	type ep struct {
		url, proxy string
		cause      Cause
		evidence   string // in the hint
	}
	pairs := []struct {
		name        string
		fault, look ep
	}{
		{"stalled body vs slow body",
			ep{server(t, trickle(2, 50*time.Millisecond, true)), "", CauseBodyStalled, "20 body bytes and nothing more"},
			ep{server(t, trickle(3, 150*time.Millisecond, false)), "", CauseOK, ""}},
		{"cloudflare challenge vs region block 403",
			ep{server(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cf-Ray", "8a1b2c3d4e5f-HKG")
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(403)
				fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>")
			}), "", CauseBotWall, "Just a moment"},
			ep{server(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cf-Ray", "8a1b2c3d4e5f-HKG")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(403)
				fmt.Fprint(w, `{"error":{"code":"unsupported_country_region_territory","message":"Country, region, or territory not supported"}}`)
			}), "", CauseRegionBlocked, ""}},
		{"the provider's own bot check vs its rate limit",
			ep{server(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(403)
				fmt.Fprint(w, `{"detail":"Our systems have detected unusual activity from your system. Please try again later."}`)
			}), "", CauseBotWall, "unusual activity"},
			ep{server(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(429)
				fmt.Fprint(w, `{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}`)
			}), "", CauseRateLimited, ""}},
		{"portal redirect vs the provider's own redirect",
			ep{server(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://login.portal.example/?orig=x", http.StatusFound)
			}), "", CauseCaptivePortal, "login.portal.example"},
			ep{server(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/v1/", http.StatusMovedPermanently)
			}), "", CauseHTML, ""}}, // http.Redirect writes a small page
		{"proxy block page vs an upstream's web page",
			ep{"http://api.example.test/v1", server(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprint(w, "<html><head><title>Access Denied by Policy</title></head></html>")
			}), CauseProxyBlockPage, "Access Denied by Policy"},
			ep{server(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprint(w, "<html><head><title>Welcome</title></head></html>")
			}), "", CauseHTML, ""}},
		{"squid: its DNS failed vs the target refused it",
			ep{"https://api.example.test", squid("ERR_DNS_FAIL 0", 503), CauseProxyTargetDNS, "ERR_DNS_FAIL"},
			ep{"https://api.example.test", squid("ERR_CONNECT_FAIL 111", 503), CauseProxyTargetRefused, "ERR_CONNECT_FAIL 111"}},
		{"squid: the target timed out vs an unexplained 503",
			ep{"https://api.example.test", squid("ERR_CONNECT_FAIL 110", 503), CauseProxyTargetTimeout, "ERR_CONNECT_FAIL 110"},
			ep{"https://api.example.test", squid("", 503), CauseProxyBadGateway, ""}},
		{"tinyproxy's page: refused vs timed out",
			ep{"https://api.example.test", tinyproxy("<html><h1>Unable to connect</h1><p>tinyproxy was unable to connect to the remote web server.</p><p>Connection refused</p></html>"), CauseProxyTargetRefused, "connection refused"},
			ep{"https://api.example.test", tinyproxy("<html><h1>Unable to connect</h1><p>Connection timed out</p></html>"), CauseProxyTargetTimeout, "connection timed out"}},
	}
	o := RunOptions{Timeouts: middleTimeouts}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			var hints [2]string
			for i, e := range []ep{p.fault, p.look} {
				r := CheckEndpoint(context.Background(), Endpoint{Name: "e", URL: e.url, Proxy: e.proxy}, o)
				if r.Cause != e.cause {
					t.Fatalf("%s: cause %s (%s), want %s", e.url, r.Cause, r.Message, e.cause)
				}
				hints[i] = r.Hint
				if e.evidence != "" && !strings.Contains(strings.ToLower(r.Hint), strings.ToLower(e.evidence)) {
					t.Errorf("hint %q does not state the evidence %q", r.Hint, e.evidence)
				}
				if e.evidence != "" {
					// explain reads check's message back to the same cause.
					if x := explain.Classify(r.Message); x.Cause != e.cause {
						t.Errorf("explain %q = %s, want %s", r.Message, x.Cause, e.cause)
					}
				}
			}
			if hints[0] == hints[1] {
				t.Errorf("fault and look-alike share the hint %q", hints[0])
			}
		})
	}
}

// TestProxyWrongScheme: an http:// URL on a SOCKS5 server and a socks5://
// URL on an HTTP proxy are named, with the scheme that works; a port that
// hangs up on both protocols stays a proxy reset.
func TestProxyWrongScheme(t *testing.T) {
	socks := pt.NewSOCKS5Server(t, pt.SOCKSBehaviour{}).Addr
	httpProxy := pt.NewConnectProxy(t, pt.ProxyBehaviour{}).URL
	hangup := pt.EOFListener(t)
	o := RunOptions{Timeouts: middleTimeouts}
	for _, c := range []struct {
		name, proxy string
		cause       Cause
		evidence    string
	}{
		{"http:// on a SOCKS5 port", "http://" + socks, CauseProxyWrongScheme, "use socks5h://" + socks},
		{"socks5:// on an HTTP proxy", "socks5://" + strings.TrimPrefix(httpProxy, "http://"), CauseProxyWrongScheme, "use http://" + strings.TrimPrefix(httpProxy, "http://")},
		{"a port that hangs up on both", "http://" + hangup, CauseProxyReset, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := CheckEndpoint(context.Background(), Endpoint{Name: "e", URL: "https://api.example.test/v1", Proxy: c.proxy}, o)
			if r.Cause != c.cause {
				t.Fatalf("cause %s (%s), want %s; differentials %+v", r.Cause, r.Message, c.cause, r.Differentials)
			}
			if c.evidence != "" && !strings.Contains(r.Hint, c.evidence) {
				t.Errorf("hint %q does not name the scheme that works (%q)", r.Hint, c.evidence)
			}
			if len(r.Differentials) != 1 || r.Differentials[0].Name != "proxy-protocol" {
				t.Errorf("differentials %+v, want proxy-protocol", r.Differentials)
			}
		})
	}
}

// TestControlTarget: a handshake that times out, beside a control through
// the same path that answers (endpoint-filtered), one that fails too
// (path-down) and one that cannot be resolved (inconclusive: the verdict
// stands). Through a proxy, the control goes through the same proxy. An
// endpoint that answers runs no control (no added time).
func TestControlTarget(t *testing.T) {
	dns := pt.NewInProcessDNSServer(t) // every name NXDOMAIN: no query leaves loopback
	answers := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(answers.Close)
	closed := "https://" + pt.ClosedPort(t)
	silent := "https://" + pt.SilentListener(t) + "/v1"
	opts := func(controls ...string) RunOptions {
		return RunOptions{Timeouts: middleTimeouts, Controls: controls, DNS: probe.DNSConfig{Servers: []string{dns.Addr}, Dial: dns.Dial}}
	}
	for _, c := range []struct {
		name     string
		ep       Endpoint
		controls []string
		cause    Cause
		evidence string
	}{
		{"a control answers", Endpoint{URL: silent}, []string{closed, answers.URL}, CauseEndpointFiltered, "answered through the same path"},
		// TCP to the target connected, so failing controls cannot mean the
		// network is down: the verdict stands (path-down needs a target that
		// failed before its connection; the lab's dropped target proves it).
		{"every control fails, yet TCP to the target connected", Endpoint{URL: silent}, []string{closed}, CauseTLSTimeout, ""},
		{"no control resolves", Endpoint{URL: silent}, []string{"https://control.invalid"}, CauseTLSTimeout, ""},
		{"through the proxy, a control answers", Endpoint{URL: "https://api.example.test/v1", Proxy: pt.NewConnectProxy(t, pt.ProxyBehaviour{Hosts: map[string]string{"api.example.test": pt.ResetListener(t), "control.example.test": strings.TrimPrefix(answers.URL, "https://")}}).URL},
			[]string{"https://control.example.test"}, CauseEndpointFiltered, "control.example.test:443 answered"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.ep.Name = "e"
			r := CheckEndpoint(context.Background(), c.ep, opts(c.controls...))
			if r.Cause != c.cause {
				t.Fatalf("cause %s (%s), want %s; differentials %+v", r.Cause, r.Message, c.cause, r.Differentials)
			}
			if c.evidence != "" && !strings.Contains(r.Hint, c.evidence) {
				t.Errorf("hint %q does not state the evidence %q", r.Hint, c.evidence)
			}
			if c.cause == CauseTLSTimeout && len(c.controls) > 0 && c.controls[0] == closed {
				var ev string
				for _, d := range r.Differentials {
					if d.Name == "control" {
						ev = d.Evidence
					}
				}
				if !strings.Contains(ev, "1 of 1 controls failed") || !strings.Contains(ev, "connection to the target itself was made") {
					t.Errorf("control evidence %q, want the failed control and why it proves nothing", ev)
				}
			}
		})
	}
	t.Run("a timeout after the request was sent runs no control", func(t *testing.T) {
		stall := server(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		r := CheckEndpoint(context.Background(), Endpoint{Name: "stall", URL: stall + "/v1"}, opts(closed))
		for _, d := range r.Differentials {
			if d.Name == "control" {
				t.Errorf("control ran for %s at %s: %+v", r.Cause, r.FailingLayer, d)
			}
		}
	})
	t.Run("an answer runs no control", func(t *testing.T) {
		ok := server(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"data":[]}`) })
		r := CheckEndpoint(context.Background(), Endpoint{Name: "ok", URL: ok + "/v1"}, opts(closed))
		if r.Cause != CauseOK {
			t.Fatalf("cause %s (%s), want ok", r.Cause, r.Message)
		}
		if len(r.Differentials) != 0 {
			t.Errorf("differentials %+v ran for %s", r.Differentials, r.Cause)
		}
	})
}
