package probe

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

func TestDNSQueryUDPAndTCP(t *testing.T) {
	srv := probetest.NewDNSServer(t)
	srv.Set("api.example.com.", probetest.Answer{A: []string{"203.0.113.7"}, AAAA: []string{"2001:db8::7"}})
	for _, tc := range []struct {
		net  string
		v6   bool
		want string
	}{{"udp", false, "203.0.113.7"}, {"tcp", false, "203.0.113.7"}, {"udp", true, "2001:db8::7"}} {
		t.Run(tc.net, func(t *testing.T) {
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
