package diag_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/probe"
)

// middleWitnesses: issue 11 items 5-8 (what answered, a control target).
func middleWitnesses(t *testing.T) []witness {
	srv := func(h http.HandlerFunc) string {
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		return s.URL
	}
	page := func(status int, hdr map[string]string, body string) string {
		return srv(func(w http.ResponseWriter, r *http.Request) {
			for k, v := range hdr {
				w.Header().Set(k, v)
			}
			w.WriteHeader(status)
			fmt.Fprint(w, body)
		})
	}
	stall := srv(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	html := map[string]string{"Content-Type": "text/html"}
	ep := func(url, proxy string) *diag.Endpoint { return &diag.Endpoint{URL: url, Proxy: proxy} }
	proxyAddr := &net.TCPAddr{IP: net.ParseIP("192.0.2.10"), Port: 3128}
	target := &net.TCPAddr{IP: net.ParseIP("203.0.113.7"), Port: 443}
	look := func(e diag.Evidence, l diag.Lookalike, seen string) *diag.Evidence {
		e.Lookalike, e.LookEvidence = l, seen
		return &e
	}
	timeout := &net.OpError{Op: "dial", Net: "tcp", Addr: target, Err: os.ErrDeadlineExceeded}
	return []witness{
		{cause: diag.CauseBodyStalled, name: "headers, then silence", ep: ep(stall, "")},
		{cause: diag.CauseCaptivePortal, name: "redirect to another host", ep: ep(page(302, map[string]string{"Location": "http://login.portal.example/"}, ""), "")},
		{cause: diag.CauseBotWall, name: "cf-mitigated: challenge", ep: ep(page(403, map[string]string{"Cf-Mitigated": "challenge", "Content-Type": "text/html"}, "<html>"), "")},
		{cause: diag.CauseProxyBlockPage, name: "a 200 page from the http proxy", ep: ep("http://api.example.test/v1", page(200, html, "<html><title>Blocked</title></html>"))},
		{cause: diag.CauseProxyTargetDNS, name: "X-Squid-Error: ERR_DNS_FAIL", ep: ep("https://api.example.test/v1", page(503, map[string]string{"X-Squid-Error": "ERR_DNS_FAIL 0"}, ""))},
		{cause: diag.CauseProxyTargetRefused, name: "X-Squid-Error: ERR_CONNECT_FAIL 111", ep: ep("https://api.example.test/v1", page(503, map[string]string{"X-Squid-Error": "ERR_CONNECT_FAIL 111"}, ""))},
		{cause: diag.CauseProxyTargetTimeout, name: "X-Squid-Error: ERR_CONNECT_FAIL 110", ep: ep("https://api.example.test/v1", page(503, map[string]string{"X-Squid-Error": "ERR_CONNECT_FAIL 110"}, ""))},
		{cause: diag.CauseProxyWrongScheme, name: "http:// URL on a SOCKS port", ev: look(diag.Evidence{Layer: diag.LayerProxyConnect, Err: &net.OpError{Op: "read", Net: "tcp", Addr: proxyAddr, Err: io.EOF}}, diag.LookProxyWrongScheme, "a SOCKS5 greeting is answered: use socks5h://192.0.2.10:3128")},
		{cause: diag.CauseEndpointFiltered, name: "a control passes", ev: look(diag.Evidence{Layer: diag.LayerTCP, Err: timeout}, diag.LookEndpointFiltered, "control www.example.com:443 connected in 30 ms")},
		{cause: diag.CausePathDown, name: "every control fails", ev: look(diag.Evidence{Layer: diag.LayerTCP, Err: timeout, HTTP: (*probe.HTTPResult)(nil)}, diag.LookPathDown, "2 controls failed")},
	}
}
