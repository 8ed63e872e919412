package lab

import (
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/newapi-doctor/newapi-doctor/probe/probetest"
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
	case "upstream-http":
		err = upstreamHTTP(os.Getenv("ND_LAB_LISTEN"))
	case "dns-servfail":
		err = servfailDNS(os.Getenv("ND_LAB_LISTEN"))
	case "hang":
		err = hang(os.Getenv("ND_LAB_LISTEN"))
	case "reset-after-request":
		err = resetAfterRequest(os.Getenv("ND_LAB_LISTEN"))
	case "files":
		err = (&http.Server{Addr: os.Getenv("ND_LAB_LISTEN"), Handler: http.FileServer(http.Dir(os.Getenv("ND_LAB_DIR"))), ReadHeaderTimeout: 10 * time.Second}).ListenAndServe()
	case "doh":
		err = dohServer(os.Getenv("ND_LAB_LISTEN"), os.Getenv("ND_LAB_CERT"), os.Getenv("ND_LAB_KEY"), os.Getenv("ND_LAB_UPSTREAM"))
	case "big-body", "stalled-body":
		err = bodyServer(os.Getenv("ND_LAB_LISTEN"), role == "stalled-body")
	case "lookhttp":
		err = (&http.Server{Addr: os.Getenv("ND_LAB_LISTEN"), Handler: lookHTTPHandler(), ReadHeaderTimeout: 10 * time.Second}).ListenAndServe()
	case "portal":
		err = (&http.Server{Addr: os.Getenv("ND_LAB_LISTEN"), Handler: portal(), ReadHeaderTimeout: 10 * time.Second}).ListenAndServe()
	case "blockpage":
		err = (&http.Server{Addr: os.Getenv("ND_LAB_LISTEN"), Handler: blockPage(), ReadHeaderTimeout: 10 * time.Second}).ListenAndServe()
	case "lookcheck":
		err = lookCheck(os.Getenv("ND_LAB_SPEC"))
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
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: upstreamHandler(), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, ReadHeaderTimeout: 10 * time.Second}
	return srv.ServeTLS(ln, "", "")
}

// upstreamHTTP is the same upstream in plain HTTP (port 80): what a
// proxied http:// channel reaches.
func upstreamHTTP(listen string) error {
	srv := &http.Server{Addr: listen, Handler: upstreamHandler(), ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

func upstreamHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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

// writePKI makes a CA and a leaf for *.lab.test (probetest's) as PEM files
// the upstream role and the endpoints' ca_file read.
func writePKI(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	ca := probetest.NewCA(t)
	leaf := ca.Leaf([]string{"lab.test", "*.lab.test", "203.0.113.10"}, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	kb, err := x509.MarshalECPrivateKey(leaf.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	var chain []byte
	for _, der := range leaf.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	caFile, certFile, keyFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "leaf.pem"), filepath.Join(dir, "leaf.key")
	for _, f := range []struct {
		path string
		b    []byte
		mode os.FileMode
	}{{caFile, ca.PEM(), 0o644}, {certFile, chain, 0o644}, {keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600}} {
		if err := os.WriteFile(f.path, f.b, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	return
}

// hang accepts connections and never answers: a stuck server.
func hang(listen string) error {
	return acceptLoop(listen, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
}

// resetAfterRequest reads the request, then resets: a server that crashes
// on every request (the keyword filter's look-alike).
func resetAfterRequest(listen string) error {
	return acceptLoop(listen, func(c net.Conn) {
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		c.Close()
	})
}

func acceptLoop(listen string, handle func(net.Conn)) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go handle(c)
	}
}

// dohServer answers DNS over HTTPS (RFC 8484 GET ?dns=) by asking upstream
// over UDP: the lab's honest resolver behind an HTTPS front.
func dohServer(listen, certFile, keyFile, upstream string) error {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wire, err := base64.RawURLEncoding.DecodeString(r.URL.Query().Get("dns"))
		var q dns.Msg
		if err == nil {
			err = q.Unpack(wire)
		}
		if err != nil {
			http.Error(w, "bad query", http.StatusBadRequest)
			return
		}
		resp, _, err := (&dns.Client{Timeout: 2 * time.Second}).Exchange(&q, upstream)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		b, _ := resp.Pack()
		w.Header().Set("Content-Type", "application/dns-message")
		_, _ = w.Write(b)
	})
	srv := &http.Server{Addr: listen, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServeTLS(certFile, keyFile)
}

// bodyServer sends its headers in a packet of their own, then a 12 KB JSON
// body (full-size segments: what a path-MTU black hole eats), or, stalled,
// nothing more: the two look alike at the HTTP layer.
func bodyServer(listen string, stall bool) error {
	body := `{"object":"list","data":[` + strings.Repeat(`{"id":"lab-model","object":"model"},`, 340) + `{"id":"last"}]}`
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		time.Sleep(100 * time.Millisecond)
		if stall {
			<-r.Context().Done()
			return
		}
		_, _ = io.WriteString(w, body)
	})
	return (&http.Server{Addr: listen, Handler: h, ReadHeaderTimeout: 10 * time.Second}).ListenAndServe()
}
