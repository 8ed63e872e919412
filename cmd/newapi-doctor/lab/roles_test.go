package lab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// The test binary doubles as the lab's servers: TestMain runs a role when
// ND_LAB_ROLE is set (started inside a namespace with `ip netns exec`), so no
// extra program and no python are needed.
const roleEnv = "ND_LAB_ROLE"

func runRole(role string) int {
	var err error
	switch role {
	case "upstream":
		err = upstream(os.Getenv("ND_LAB_LISTEN"), os.Getenv("ND_LAB_CERT"), os.Getenv("ND_LAB_KEY"))
	case "dns-servfail":
		err = servfailDNS(os.Getenv("ND_LAB_LISTEN"))
	case "wait":
		err = waitReady(strings.Split(os.Getenv("ND_LAB_WAIT"), ","), 15*time.Second)
	default:
		err = fmt.Errorf("unknown role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, role+":", err)
		return 1
	}
	return 0
}

// upstream is an OpenAI-shaped model endpoint whose behaviour is chosen by
// the Host it is asked for: the lab's DNS maps names to it.
func upstream(listen, certFile, keyFile string) error {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		w.Header().Set("Content-Type", "application/json")
		switch host {
		case "busy.lab.test":
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"type":"rate_limit_error","message":"slow down"}}`)
		case "down.lab.test":
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":{"type":"service_unavailable","message":"maintenance"}}`)
		case "hang.lab.test":
			<-r.Context().Done() // accepted, never answered
		default:
			fmt.Fprint(w, `{"object":"list","data":[{"id":"lab-model","object":"model"}]}`)
		}
	})
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, ReadHeaderTimeout: 10 * time.Second}
	return srv.ServeTLS(ln, "", "")
}

// servfailDNS answers SERVFAIL to everything: the upstream dnsmasq forwards
// one zone to, so the client sees a real resolver relay the failure.
func servfailDNS(listen string) error {
	srv := &dns.Server{Addr: listen, Net: "udp", Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetRcode(q, dns.RcodeServerFailure)
		_ = w.WriteMsg(m)
	})}
	return srv.ListenAndServe()
}

// waitReady polls each "tcp:host:port" or "dns:server:port:name" until it
// answers, so tests start only when every server in the lab is up.
func waitReady(targets []string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for _, t := range targets {
		kind, rest, _ := strings.Cut(t, ":")
		for {
			var err error
			switch kind {
			case "tcp":
				var c net.Conn
				if c, err = net.DialTimeout("tcp", rest, 300*time.Millisecond); err == nil {
					c.Close()
				}
			case "dns":
				i := strings.LastIndex(rest, ":")
				m := new(dns.Msg)
				m.SetQuestion(dns.Fqdn(rest[i+1:]), dns.TypeA)
				_, _, err = (&dns.Client{Timeout: 300 * time.Millisecond}).Exchange(m, rest[:i])
			default:
				return fmt.Errorf("bad wait target %q", t)
			}
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s not ready: %v", t, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}

// writePKI makes a CA and a leaf for *.lab.test and the lab's addresses.
func writePKI(dir string) (caFile, certFile, keyFile string, err error) {
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "newapi-doctor lab CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "lab.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames:    []string{"lab.test", "*.lab.test"},
		IPAddresses: []net.IP{net.ParseIP("203.0.113.10")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return
	}
	caFile, certFile, keyFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "leaf.pem"), filepath.Join(dir, "leaf.key")
	err = writePEM(caFile, "CERTIFICATE", caDER, 0o644)
	if err == nil {
		err = writePEM(certFile, "CERTIFICATE", der, 0o644)
	}
	if err == nil {
		err = writePEM(keyFile, "EC PRIVATE KEY", kb, 0o600)
	}
	return
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}
