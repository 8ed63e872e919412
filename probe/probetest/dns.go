package probetest

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"

	"github.com/miekg/dns"
)

// Answer is what the fake DNS server returns for a name.
type Answer struct {
	A    []string
	AAAA []string
}

type dnsBehaviour struct {
	answer Answer
	rcode  int
	silent bool
}

// DNSServer is an in-process authoritative-style DNS server on UDP and TCP
// of the same loopback port. Names without a configured behaviour get NXDOMAIN.
type DNSServer struct {
	Addr string // "127.0.0.1:port"
	// Dial goes into probe.DNSConfig.Dial. It is nil (UDP first, as users
	// get) except from NewInProcessDNSServer under wine, where it reaches
	// the server over TCP.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)

	mu      sync.Mutex
	names   map[string]dnsBehaviour
	queries map[string]int
}

// NewDNSServer starts a DNS server; it stops when the test ends. Under wine
// the test skips (testenv.GapUDP): the server is asked from outside the test
// (a built binary), over UDP.
func NewDNSServer(tb testing.TB) *DNSServer {
	tb.Helper()
	testenv.SkipOnWine(tb, testenv.GapUDP)
	return NewInProcessDNSServer(tb)
}

// NewInProcessDNSServer is NewDNSServer for a test whose probes take the
// server's Dial (probe.DNSConfig{Servers: {s.Addr}, Dial: s.Dial}). Under
// wine, which opens no UDP socket (testenv.GapUDP), it serves TCP only and
// Dial reaches it over TCP whatever the resolver asks for: the names
// resolve there too. A case about UDP itself calls testenv.SkipOnWine.
func NewInProcessDNSServer(tb testing.TB) *DNSServer {
	tb.Helper()
	s := &DNSServer{names: map[string]dnsBehaviour{}, queries: map[string]int{}}
	h := dns.HandlerFunc(s.serve)
	var servers []*dns.Server
	if testenv.Wine() {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("probetest: dns tcp listen: %v", err)
		}
		s.Addr = ln.Addr().String()
		s.Dial = func(ctx context.Context, _, address string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", address)
		}
		servers = []*dns.Server{{Listener: ln, Handler: h}}
	} else {
		pc, ln := listenUDPAndTCP(tb)
		s.Addr = pc.LocalAddr().String()
		servers = []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}}
	}
	for _, srv := range servers {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		tb.Cleanup(func() { _ = srv.Shutdown() })
	}
	return s
}

// listenUDPAndTCP binds UDP on a random loopback port, then TCP on the same
// port, retrying when the TCP port happens to be taken.
func listenUDPAndTCP(tb testing.TB) (net.PacketConn, net.Listener) {
	tb.Helper()
	var lastErr error
	for i := 0; i < 20; i++ {
		pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("probetest: dns udp listen: %v", err)
		}
		ln, err := net.Listen("tcp4", pc.LocalAddr().String())
		if err == nil {
			return pc, ln
		}
		lastErr = err
		pc.Close()
	}
	tb.Fatalf("probetest: dns tcp listen on the udp port: %v", lastErr)
	return nil, nil
}

func key(name string) string { return dns.Fqdn(strings.ToLower(name)) }

func (s *DNSServer) set(name string, b dnsBehaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names[key(name)] = b
}

// Set answers name with these addresses (NOERROR; a type with no address
// gets an empty NOERROR answer).
func (s *DNSServer) Set(name string, a Answer) { s.set(name, dnsBehaviour{answer: a}) }

// SetRcode answers name with rcode and no records (dns.RcodeNameError,
// dns.RcodeServerFailure, dns.RcodeRefused, ...).
func (s *DNSServer) SetRcode(name string, rcode int) { s.set(name, dnsBehaviour{rcode: rcode}) }

// SetEmpty answers name with NOERROR and no records.
func (s *DNSServer) SetEmpty(name string) { s.set(name, dnsBehaviour{}) }

// SetSilent never answers queries for name.
func (s *DNSServer) SetSilent(name string) { s.set(name, dnsBehaviour{silent: true}) }

// Queries counts the queries received for name (any type, UDP and TCP).
func (s *DNSServer) Queries(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[key(name)]
}

func (s *DNSServer) serve(w dns.ResponseWriter, req *dns.Msg) {
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	k := key(q.Name)
	s.mu.Lock()
	s.queries[k]++
	b, ok := s.names[k]
	s.mu.Unlock()
	if !ok {
		b = dnsBehaviour{rcode: dns.RcodeNameError}
	}
	if b.silent {
		return
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	m.RecursionAvailable = true
	m.Rcode = b.rcode
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: 60}
	}
	switch q.Qtype {
	case dns.TypeA:
		for _, a := range b.answer.A {
			if ip := net.ParseIP(a).To4(); ip != nil {
				m.Answer = append(m.Answer, &dns.A{Hdr: hdr(dns.TypeA), A: ip})
			}
		}
	case dns.TypeAAAA:
		for _, a := range b.answer.AAAA {
			if ip := net.ParseIP(a); ip != nil {
				m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: ip})
			}
		}
	}
	_ = w.WriteMsg(m)
}
