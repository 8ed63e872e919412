package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"

	"github.com/miekg/dns"

	"github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

func TestDNSAgainstServer(t *testing.T) {
	srv := probetest.NewInProcessDNSServer(t)
	srv.Set("both.example.test", probetest.Answer{A: []string{"192.0.2.10"}, AAAA: []string{"2001:db8::10"}})
	srv.Set("v4only.example.test", probetest.Answer{A: []string{"203.0.113.7", "203.0.113.8"}})
	srv.SetRcode("servfail.example.test", dns.RcodeServerFailure)
	srv.SetRcode("refused.example.test", dns.RcodeRefused)
	srv.SetEmpty("empty.example.test")
	srv.SetSilent("silent.example.test")

	tests := []struct {
		name      string
		host      string
		wantA     []string
		wantAAAA  []string
		wantRcode string
		check     func(t *testing.T, err error)
	}{
		{name: "A and AAAA", host: "both.example.test", wantA: []string{"192.0.2.10"}, wantAAAA: []string{"2001:db8::10"}},
		{name: "A only", host: "v4only.example.test", wantA: []string{"203.0.113.7", "203.0.113.8"}},
		{name: "nxdomain", host: "missing.example.test", wantRcode: "NXDOMAIN", check: func(t *testing.T, err error) {
			var de *net.DNSError
			if !errors.As(err, &de) || !de.IsNotFound {
				t.Errorf("err = %#v, want *net.DNSError with IsNotFound", err)
			}
		}},
		{name: "servfail", host: "servfail.example.test", wantRcode: "SERVFAIL", check: wantDNSError},
		{name: "refused rcode", host: "refused.example.test", wantRcode: "REFUSED", check: wantDNSError},
		{name: "empty answer", host: "empty.example.test", wantRcode: "NOERROR", check: wantDNSError},
		{name: "silent resolver", host: "silent.example.test", wantRcode: "", check: func(t *testing.T, err error) {
			var de *net.DNSError
			isTimeout := errors.As(err, &de) && de.IsTimeout
			if !isTimeout && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %#v, want a timeout", err)
			}
			if !errors.As(err, &de) {
				t.Errorf("err = %#v lost its *net.DNSError", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := DNS(testCtx(t, tc.check != nil && tc.wantRcode == ""), tc.host, DNSConfig{Servers: []string{srv.Addr}, Dial: srv.Dial})
			if got := addrStrings(res.A); !slices.Equal(got, tc.wantA) {
				t.Errorf("A = %v, want %v", got, tc.wantA)
			}
			if got := addrStrings(res.AAAA); !slices.Equal(got, tc.wantAAAA) {
				t.Errorf("AAAA = %v, want %v", got, tc.wantAAAA)
			}
			if res.Rcode != tc.wantRcode {
				t.Errorf("Rcode = %q, want %q", res.Rcode, tc.wantRcode)
			}
			if res.Resolver != srv.Addr {
				t.Errorf("Resolver = %q, want %q", res.Resolver, srv.Addr)
			}
			if tc.check == nil {
				if res.Err != nil {
					t.Errorf("Err = %v, want nil", res.Err)
				}
				return
			}
			if res.Err == nil {
				t.Fatal("Err = nil, want a failure")
			}
			tc.check(t, res.Err)
			if srv.Queries(tc.host) == 0 {
				t.Errorf("server saw no query for %s", tc.host)
			}
		})
	}
}

func wantDNSError(t *testing.T, err error) {
	t.Helper()
	var de *net.DNSError
	if !errors.As(err, &de) {
		t.Errorf("err = %#v, want *net.DNSError", err)
	}
}

func addrStrings(as []netip.Addr) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.String())
	}
	return out
}

func TestDNSLiteral(t *testing.T) {
	tests := []struct{ host, wantA, wantAAAA string }{
		{host: "127.0.0.1", wantA: "127.0.0.1"},
		{host: "::1", wantAAAA: "::1"},
		{host: "[2001:db8::1]", wantAAAA: "2001:db8::1"},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			// A server that would fail every query proves none was sent.
			res := DNS(context.Background(), tc.host, DNSConfig{Servers: []string{probetest.ClosedPort(t)}})
			if res.Err != nil {
				t.Fatalf("Err = %v", res.Err)
			}
			if got := addrStrings(res.A); tc.wantA != "" && !slices.Equal(got, []string{tc.wantA}) {
				t.Errorf("A = %v, want %s", got, tc.wantA)
			}
			if got := addrStrings(res.AAAA); tc.wantAAAA != "" && !slices.Equal(got, []string{tc.wantAAAA}) {
				t.Errorf("AAAA = %v, want %s", got, tc.wantAAAA)
			}
		})
	}
}

// useSystemResolver points the "system" resolver and resolv.conf's port at
// loopback for one test: tests must never query the machine's resolver.
func useSystemResolver(t *testing.T, server, port string) {
	t.Helper()
	oldR, oldP := systemResolver, resolvConfPort
	t.Cleanup(func() { systemResolver, resolvConfPort = oldR, oldP })
	systemResolver, _ = resolverFor([]string{server}, nil)
	resolvConfPort = port
}

func writeResolvConf(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(testenv.TempDir(t), "resolv.conf")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDNSSystemResolver(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("resolv.conf is a unix file")
	}
	srv := probetest.NewDNSServer(t)
	srv.SetRcode("servfail.example.test", dns.RcodeServerFailure)
	srv.Set("ok.example.test", probetest.Answer{A: []string{"198.51.100.1"}})
	_, port, _ := net.SplitHostPort(srv.Addr)

	tests := []struct {
		name           string
		resolvConf     string
		server         string // what the system resolver dials
		host           string
		wantNoResolver bool
		wantRcode      string
		wantErr        bool
	}{
		{name: "answer", resolvConf: "nameserver 127.0.0.1\n", server: srv.Addr, host: "ok.example.test"},
		{name: "rcode learned from resolv.conf", resolvConf: "# local\nsearch example.test\nnameserver 127.0.0.1\n", server: srv.Addr, host: "servfail.example.test", wantRcode: "SERVFAIL", wantErr: true},
		{name: "no nameserver line", resolvConf: "search example.test\noptions ndots:1\n", server: probetest.ClosedPort(t), host: "api.example.test", wantNoResolver: true, wantErr: true},
		{name: "no resolv.conf", resolvConf: "", server: probetest.ClosedPort(t), host: "api.example.test", wantNoResolver: true, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			useSystemResolver(t, tc.server, port)
			path := filepath.Join(testenv.TempDir(t), "absent")
			if tc.resolvConf != "" {
				path = writeResolvConf(t, tc.resolvConf)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			res := DNS(ctx, tc.host, DNSConfig{ResolvConf: path})
			if (res.Err != nil) != tc.wantErr {
				t.Fatalf("Err = %v, want error %v", res.Err, tc.wantErr)
			}
			if res.NoResolver != tc.wantNoResolver {
				t.Errorf("NoResolver = %v, want %v", res.NoResolver, tc.wantNoResolver)
			}
			if res.Rcode != tc.wantRcode {
				t.Errorf("Rcode = %q, want %q", res.Rcode, tc.wantRcode)
			}
			if res.Resolver != "system" {
				t.Errorf("Resolver = %q, want system", res.Resolver)
			}
		})
	}
}

func TestParseResolvConf(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"nameserver 10.0.0.1\nnameserver ::1 # v6\n", []string{"10.0.0.1:53", "[::1]:53"}},
		{"; comment\nsearch a b\n", nil},
		{"nameserver\nnameserver not-an-ip\n  nameserver   192.0.2.53  \n", []string{"192.0.2.53:53"}},
		{"#nameserver 10.0.0.1\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			if got := parseResolvConf(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWithPort53(t *testing.T) {
	got := withPort53([]string{"10.0.0.1", " ", "127.0.0.1:5353", "::1", "[2001:db8::1]"})
	want := []string{"10.0.0.1:53", "127.0.0.1:5353", "[::1]:53", "[2001:db8::1]:53"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestDNSResolverRefused: the network error behind a failed lookup reaches
// the classifier (Go's DNSError keeps only its text) and the message names
// the server really asked, not the resolv.conf one.
func TestDNSResolverRefused(t *testing.T) {
	testenv.SkipOnWine(t, testenv.GapUDP)
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := pc.LocalAddr().String()
	pc.Close() // nothing listens now: the kernel answers port unreachable
	for _, host := range []string{"relay.example.test", "exa_mple.test"} {
		t.Run(host, func(t *testing.T) {
			res := DNS(context.Background(), host, DNSConfig{Servers: []string{server}, ResolvConf: filepath.Join(testenv.TempDir(t), "none")})
			if !errors.Is(res.Err, syscall.ECONNREFUSED) {
				t.Fatalf("err %v does not wrap ECONNREFUSED", res.Err)
			}
			var de *net.DNSError
			if !errors.As(res.Err, &de) || de.Server != server || !strings.Contains(res.Err.Error(), server) {
				t.Fatalf("err %v names server %q, want %s", res.Err, de.Server, server)
			}
		})
	}
}
