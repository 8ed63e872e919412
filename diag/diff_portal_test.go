package diag

import (
	"context"
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

// TestPortalCertificate: a certificate for another name whose address
// redirects plain HTTP to another host is a captive portal; the same
// certificate where plain HTTP answers in place stays a hostname mismatch.
func TestPortalCertificate(t *testing.T) {
	dns := pt.NewInProcessDNSServer(t)
	dns.Set("api.test.", pt.Answer{A: []string{"127.0.0.1"}})
	ca := pt.NewCA(t)
	caFile := filepath.Join(testenv.TempDir(t), "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tlsSrv := pt.NewTLSServer(t, http.NotFoundHandler(), ca.Leaf([]string{"login.portal.example"}, now.Add(-time.Hour), now.Add(time.Hour)))
	_, tlsPort, _ := net.SplitHostPort(tlsSrv.Listener.Addr().String())
	plain := func(h http.HandlerFunc) string {
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
		return p
	}
	portal := plain(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://login.portal.example/?from="+r.Host)
		w.WriteHeader(302)
	})
	inPlace := plain(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) })
	saved := portalHTTPPort
	t.Cleanup(func() { portalHTTPPort = saved })
	o := RunOptions{Timeouts: fastTimeouts, DNS: probe.DNSConfig{Servers: []string{dns.Addr}, Dial: dns.Dial}}
	var hints []string
	for _, c := range []struct {
		port  string
		cause Cause
	}{{portal, CauseCaptivePortal}, {inPlace, CauseTLSHostname}} {
		portalHTTPPort = c.port
		r := CheckEndpoint(context.Background(), Endpoint{Name: "e", URL: "https://api.test:" + tlsPort + "/v1", CAFile: caFile}, o)
		if r.Cause != c.cause {
			t.Fatalf("plain HTTP on %s: cause %s (%s), want %s; differentials %+v", c.port, r.Cause, r.Message, c.cause, r.Differentials)
		}
		hints = append(hints, r.Hint)
	}
	if !strings.Contains(hints[0], "login.portal.example") || hints[0] == hints[1] {
		t.Errorf("portal hint %q does not name the portal's host, or equals the mismatch's", hints[0])
	}
}
