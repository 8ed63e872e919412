package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	"github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

func TestTLS(t *testing.T) {
	ca := probetest.NewCA(t)
	other := probetest.NewCA(t)
	now := time.Now()
	good := probetest.NewTLSServer(t, nil, ca.Leaf([]string{"api.example.test", "127.0.0.1"}, now.Add(-time.Hour), now.Add(time.Hour)))
	expired := probetest.NewTLSServer(t, nil, ca.Leaf([]string{"api.example.test"}, now.Add(-48*time.Hour), now.Add(-24*time.Hour)))
	untrusted := probetest.NewTLSServer(t, nil, other.Leaf([]string{"api.example.test"}, now.Add(-time.Hour), now.Add(time.Hour)))
	tls12 := probetest.NewTLS12Server(t, ca.Leaf([]string{"api.example.test"}, now.Add(-time.Hour), now.Add(time.Hour)))
	plain := probetest.NewHTTPUpstream(t, probetest.Upstream{Body: "hello"})

	tests := []struct {
		name       string
		addr       string
		cfg        *tls.Config
		wantChain  bool
		wantIssuer string
		check      func(t *testing.T, err error)
	}{
		{name: "verified", addr: hostPort(good.URL), cfg: &tls.Config{ServerName: "api.example.test", RootCAs: ca.Pool()}, wantChain: true},
		{name: "verified by IP", addr: hostPort(good.URL), cfg: &tls.Config{RootCAs: ca.Pool()}, wantChain: true},
		{name: "untrusted CA", addr: hostPort(untrusted.URL), cfg: &tls.Config{ServerName: "api.example.test", RootCAs: ca.Pool()}, wantChain: true, wantIssuer: "probetest CA",
			check: func(t *testing.T, err error) {
				var ua x509.UnknownAuthorityError
				var cve *tls.CertificateVerificationError
				if !errors.As(err, &ua) || !errors.As(err, &cve) {
					t.Errorf("err = %#v, want CertificateVerificationError wrapping UnknownAuthorityError", err)
				}
			}},
		{name: "wrong name", addr: hostPort(good.URL), cfg: &tls.Config{ServerName: "other.example.test", RootCAs: ca.Pool()}, wantChain: true,
			check: func(t *testing.T, err error) {
				var he x509.HostnameError
				if !errors.As(err, &he) || he.Host != "other.example.test" {
					t.Errorf("err = %#v, want HostnameError for other.example.test", err)
				}
			}},
		{name: "expired", addr: hostPort(expired.URL), cfg: &tls.Config{ServerName: "api.example.test", RootCAs: ca.Pool()}, wantChain: true,
			check: func(t *testing.T, err error) {
				var ci x509.CertificateInvalidError
				if !errors.As(err, &ci) || ci.Reason != x509.Expired {
					t.Errorf("err = %#v, want CertificateInvalidError Expired", err)
				}
			}},
		{name: "insecure skips verification", addr: hostPort(untrusted.URL), cfg: &tls.Config{ServerName: "api.example.test", InsecureSkipVerify: true}, wantChain: true},
		{name: "not TLS", addr: hostPort(plain.URL), cfg: &tls.Config{ServerName: "api.example.test"},
			check: func(t *testing.T, err error) {
				var rh tls.RecordHeaderError
				if !errors.As(err, &rh) {
					t.Errorf("err = %#v, want tls.RecordHeaderError", err)
				}
			}},
		{name: "reset during handshake", addr: probetest.ResetListener(t), cfg: &tls.Config{ServerName: "api.example.test"},
			check: func(t *testing.T, err error) {
				if testenv.Wine() && errors.Is(err, io.EOF) {
					t.Skip(string(testenv.GapLingerReset))
				}
				if !isErrno(err, syscall.ECONNRESET, wsaECONNRESET) {
					t.Errorf("err = %#v, want ECONNRESET", err)
				}
			}},
		{name: "EOF during handshake", addr: probetest.EOFListener(t), cfg: &tls.Config{ServerName: "api.example.test"},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, io.EOF) {
					t.Errorf("err = %#v, want io.EOF", err)
				}
			}},
		{name: "silent peer", addr: probetest.SilentListener(t), cfg: &tls.Config{ServerName: "api.example.test"},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("err = %#v, want context.DeadlineExceeded", err)
				}
			}},
		{name: "remote alert", addr: tls12, cfg: &tls.Config{ServerName: "api.example.test", RootCAs: ca.Pool(), MinVersion: tls.VersionTLS13},
			check: func(t *testing.T, err error) {
				var oe *net.OpError
				if !errors.As(err, &oe) || oe.Op != "remote error" {
					t.Errorf("err = %#v, want *net.OpError remote error", err)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t, tc.name == "silent peer")
			res := TLS(ctx, connTo(t, ctx, tc.addr), tc.cfg)
			if tc.cfg.ServerName != "" && res.ServerName != tc.cfg.ServerName {
				t.Errorf("ServerName = %q, want %q", res.ServerName, tc.cfg.ServerName)
			}
			if tc.wantChain != (len(res.Chain) > 0) {
				t.Errorf("Chain = %v, want chain %v", res.Chain, tc.wantChain)
			}
			if tc.wantIssuer != "" && (len(res.Chain) == 0 || res.Chain[0].Issuer != "CN="+tc.wantIssuer+",O=probetest") {
				t.Errorf("Chain = %+v, want leaf issued by %s", res.Chain, tc.wantIssuer)
			}
			if tc.check == nil {
				if res.Err != nil || res.Conn == nil {
					t.Fatalf("Err = %v, want success", res.Err)
				}
				defer res.Conn.Close()
				if res.Version == "" || res.Cipher == "" {
					t.Errorf("Version %q Cipher %q, want both", res.Version, res.Cipher)
				}
				if want := !tc.cfg.InsecureSkipVerify; res.Verified != want {
					t.Errorf("Verified = %v, want %v", res.Verified, want)
				}
				return
			}
			if res.Err == nil || res.Conn != nil || res.Verified {
				t.Fatalf("Err = %v Verified = %v, want a failure", res.Err, res.Verified)
			}
			tc.check(t, res.Err)
		})
	}
}

func TestTLSChainDetails(t *testing.T) {
	ca := probetest.NewCA(t)
	nb, na := time.Now().Add(-time.Hour).Truncate(time.Second), time.Now().Add(time.Hour).Truncate(time.Second)
	srv := probetest.NewTLSServer(t, nil, ca.Leaf([]string{"api.example.test", "127.0.0.1"}, nb, na))
	tr := TCP(context.Background(), "tcp", hostPort(srv.URL))
	if tr.Err != nil {
		t.Fatal(tr.Err)
	}
	res := TLS(context.Background(), tr.Conn, &tls.Config{ServerName: "api.example.test", RootCAs: ca.Pool(), NextProtos: []string{"http/1.1"}})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	defer res.Conn.Close()
	if len(res.Chain) != 2 {
		t.Fatalf("chain has %d certificates, want 2", len(res.Chain))
	}
	leaf := res.Chain[0]
	if !leaf.NotBefore.Equal(nb) || !leaf.NotAfter.Equal(na) {
		t.Errorf("validity %v..%v, want %v..%v", leaf.NotBefore, leaf.NotAfter, nb, na)
	}
	if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != "api.example.test" || len(leaf.IPs) != 1 || leaf.IPs[0] != "127.0.0.1" {
		t.Errorf("SANs %v %v", leaf.DNSNames, leaf.IPs)
	}
	if res.ALPN != "http/1.1" {
		t.Errorf("ALPN = %q, want http/1.1", res.ALPN)
	}
}

// hostPort strips the scheme from an httptest URL.
func hostPort(u string) string {
	for i := 0; i+2 < len(u); i++ {
		if u[i:i+3] == "://" {
			return u[i+3:]
		}
	}
	return u
}
