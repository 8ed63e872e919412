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
