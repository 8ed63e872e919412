package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	"github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

func TestDNSQueryUDPAndTCP(t *testing.T) {
	srv := probetest.NewInProcessDNSServer(t) // TCP only under wine
	srv.Set("api.example.com.", probetest.Answer{A: []string{"203.0.113.7"}, AAAA: []string{"2001:db8::7"}})
	for _, tc := range []struct {
		net  string
		v6   bool
		want string
	}{{"udp", false, "203.0.113.7"}, {"tcp", false, "203.0.113.7"}, {"udp", true, "2001:db8::7"}} {
		t.Run(tc.net, func(t *testing.T) {
			if tc.net == "udp" {
				testenv.SkipOnWine(t, testenv.GapUDP)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			a := DNSQuery(ctx, srv.Addr, tc.net, "api.example.com", tc.v6)
			if a.Err != nil || len(a.Addrs) != 1 || a.Addrs[0] != netip.MustParseAddr(tc.want) || a.Rcode != "NOERROR" {
				t.Fatalf("%+v, want %s", a, tc.want)
			}
		})
	}
	t.Run("nothing listens", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if a := DNSQuery(ctx, probetest.ClosedPort(t), "tcp", "api.example.com", false); a.Err == nil {
			t.Fatalf("an answer from a closed port: %+v", a)
		}
	})
}

// TestDoHQuery: an RFC 8484 GET answered by an in-process DoH server, and a
// server that does not speak DoH.
func TestDoHQuery(t *testing.T) {
	doh := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wire, err := base64.RawURLEncoding.DecodeString(r.URL.Query().Get("dns"))
		var q dns.Msg
		if err != nil || q.Unpack(wire) != nil || r.Header.Get("Accept") != "application/dns-message" {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		m := new(dns.Msg)
		m.SetReply(&q)
		rr, _ := dns.NewRR(q.Question[0].Name + " 60 IN A 203.0.113.7")
		m.Answer = append(m.Answer, rr)
		b, _ := m.Pack()
		_, _ = w.Write(b)
	}))
	defer doh.Close()
	pool := x509.NewCertPool()
	pool.AddCert(doh.Certificate())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	a := DoHQuery(ctx, doh.URL+"/dns-query", "api.example.com", false, nil, &tls.Config{RootCAs: pool})
	if a.Err != nil || len(a.Addrs) != 1 || a.Addrs[0] != netip.MustParseAddr("203.0.113.7") || a.Net != "https" {
		t.Fatalf("%+v (%v)", a, a.Err)
	}
	if a := DoHQuery(ctx, "http://"+doh.Listener.Addr().String(), "api.example.com", false, nil, nil); a.Err == nil {
		t.Fatal("an http:// DoH URL was asked")
	}
	plain := httptest.NewTLSServer(http.NotFoundHandler())
	defer plain.Close()
	pool.AddCert(plain.Certificate())
	if a := DoHQuery(ctx, plain.URL+"/dns-query", "api.example.com", false, nil, &tls.Config{RootCAs: pool}); a.Err == nil {
		t.Fatalf("a 404 read as an answer: %+v", a)
	}
}
