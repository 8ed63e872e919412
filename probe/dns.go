package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// DefaultResolvConf is the unix resolver configuration read when
// DNSConfig.ResolvConf is empty.
const DefaultResolvConf = "/etc/resolv.conf"

// Seams for tests, which must not send queries to the machine's real resolver.
var (
	systemResolver = net.DefaultResolver
	resolvConfPort = "53" // resolv.conf cannot name a port
)

// DNS resolves host's A and AAAA records concurrently. On failure it asks the
// servers again with a raw query to learn the rcode, because Go folds
// NXDOMAIN and NOERROR-without-addresses into the same "no such host".
func DNS(ctx context.Context, host string, cfg DNSConfig) DNSResult {
	start := time.Now()
	res := DNSResult{Host: host, Resolver: "system"}
	if len(cfg.Servers) > 0 {
		res.Resolver = strings.Join(withPort53(cfg.Servers), ",")
	}

	if ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")); err == nil {
		res.Resolver = "literal" // nothing to ask: the host is its address
		if ip.Unmap().Is4() {
			res.A = []netip.Addr{ip.Unmap()}
		} else {
			res.AAAA = []netip.Addr{ip}
		}
		res.Duration = time.Since(start)
		return res
	}

	r, netErr := resolverFor(cfg.Servers, cfg.Dial)
	var wg sync.WaitGroup
	var err4, err6 error
	wg.Add(2)
	go func() { defer wg.Done(); res.A, err4 = lookupFamily(ctx, r, "ip4", host) }()
	go func() { defer wg.Done(); res.AAAA, err6 = lookupFamily(ctx, r, "ip6", host) }()
	wg.Wait()

	if len(res.A)+len(res.AAAA) > 0 {
		res.Duration = time.Since(start)
		return res
	}
	res.Err = pickDNSError(err4, err6)
	if res.Err == nil { // both "succeeded" with nothing: report it as Go would
		res.Err = &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	res.Err = withCtxErr(ctx, attachNetErr(res.Err, netErr))

	servers := withPort53(cfg.Servers)
	if len(servers) == 0 {
		var known bool
		servers, known = systemNameservers(cfg.ResolvConf)
		if known && len(servers) == 0 {
			res.NoResolver = true
		}
	}
	if _, ok := dns.IsDomainName(host); ok && ctx.Err() == nil && !isDNSTimeout(res.Err) {
		res.Rcode = learnRcode(ctx, host, servers, cfg.Dial)
	}
	res.Duration = time.Since(start)
	return res
}

func lookupFamily(ctx context.Context, r *net.Resolver, network, host string) ([]netip.Addr, error) {
	addrs, err := r.LookupNetIP(ctx, network, host)
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		a = a.Unmap()
		if (network == "ip4") == a.Is4() {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, err
	}
	return out, nil
}

// pickDNSError prefers the error that says more: a timeout or server failure
// over "not found", which AAAA also returns for IPv4-only names.
func pickDNSError(err4, err6 error) error {
	if err4 == nil {
		return err6
	}
	if err6 == nil {
		return err4
	}
	var d4 *net.DNSError
	if errors.As(err4, &d4) && d4.IsNotFound {
		var d6 *net.DNSError
		if errors.As(err6, &d6) && !d6.IsNotFound {
			return err6
		}
	}
	return err4
}

func isDNSTimeout(err error) bool {
	var de *net.DNSError
	if errors.As(err, &de) && de.IsTimeout {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// resolverFor returns the resolver for servers and, for our own servers, the
// first network error talking to one of them (nil for the system resolver).
func resolverFor(servers []string, dial dialFunc) (*net.Resolver, *netErrRecord) {
	servers = withPort53(servers)
	if len(servers) == 0 {
		return systemResolver, nil
	}
	if dial == nil {
		dial = new(net.Dialer).DialContext
	}
	var next atomic.Uint32
	rec := &netErrRecord{}
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			// Go's resolver asks the resolv.conf servers; rotate through ours instead.
			srv := servers[int(next.Add(1)-1)%len(servers)]
			c, err := dial(ctx, network, srv)
			if err != nil {
				rec.set(srv, err)
				return nil, err
			}
			rc := &recordingConn{Conn: c, srv: srv, rec: rec}
			if pc, ok := c.(net.PacketConn); ok {
				// Go frames queries by this type: a PacketConn gets datagrams.
				return &recordingPacketConn{recordingConn: rc, pc: pc}, nil
			}
			return rc, nil
		},
	}, rec
}

// netErrRecord keeps the first network error of a lookup. Go's DNSError
// keeps only the text of it ("read: connection refused") and names the
// resolv.conf server even when Dial went elsewhere; with the error itself the
// classifier sees ECONNREFUSED (resolver-unreachable), and the message names
// the server really asked.
type netErrRecord struct {
	mu  sync.Mutex
	srv string
	err error
}

func (r *netErrRecord) set(srv string, err error) {
	var op *net.OpError
	if !errors.As(err, &op) || op.Timeout() {
		return // timeouts are already classified from the DNSError
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.srv, r.err = srv, err
	}
}

type recordingConn struct {
	net.Conn
	srv string
	rec *netErrRecord
}

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err != nil {
		c.rec.set(c.srv, err)
	}
	return n, err
}

func (c *recordingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err != nil {
		c.rec.set(c.srv, err)
	}
	return n, err
}

type recordingPacketConn struct {
	*recordingConn
	pc net.PacketConn
}

func (c *recordingPacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, a, err := c.pc.ReadFrom(b)
	if err != nil {
		c.rec.set(c.srv, err)
	}
	return n, a, err
}

func (c *recordingPacketConn) WriteTo(b []byte, a net.Addr) (int, error) {
	n, err := c.pc.WriteTo(b, a)
	if err != nil {
		c.rec.set(c.srv, err)
	}
	return n, err
}

// attachNetErr gives a lookup failure that was neither "not found" nor a
// timeout the network error behind it.
func attachNetErr(err error, rec *netErrRecord) error {
	var de *net.DNSError
	if rec == nil || !errors.As(err, &de) || de.IsNotFound || de.IsTimeout || de.UnwrapErr != nil {
		return err
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.err == nil {
		return err
	}
	out := *de
	out.UnwrapErr, out.Server = rec.err, rec.srv
	return &out
}

func withPort53(servers []string) []string {
	out := make([]string, 0, len(servers))
	for _, s := range servers {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(s); err != nil {
			s = net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), "53")
		}
		out = append(out, s)
	}
	return out
}

// learnRcode asks each server in turn for host's A record and returns the
// first answer's rcode, or "" when none answered.
func learnRcode(ctx context.Context, host string, servers []string, dial dialFunc) string {
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(host), dns.TypeA)
	q.RecursionDesired = true
	for _, srv := range servers {
		if ctx.Err() != nil {
			return ""
		}
		c := &dns.Client{Net: "udp"}
		resp, _, err := exchange(ctx, c, q, srv, dial)
		if err == nil && resp != nil && resp.Truncated {
			c.Net = "tcp"
			resp, _, err = exchange(ctx, c, q, srv, dial)
		}
		if err != nil || resp == nil {
			continue
		}
		if s, ok := dns.RcodeToString[resp.Rcode]; ok {
			return s
		}
		return "RCODE" + strconv.Itoa(resp.Rcode)
	}
	return ""
}

type dialFunc = func(ctx context.Context, network, address string) (net.Conn, error)

// exchange is c.ExchangeContext, through dial when one is given.
func exchange(ctx context.Context, c *dns.Client, q *dns.Msg, srv string, dial dialFunc) (*dns.Msg, time.Duration, error) {
	if dial == nil {
		return c.ExchangeContext(ctx, q, srv)
	}
	conn, err := dial(ctx, c.Net, srv)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Close()
	return c.ExchangeWithConnContext(ctx, q, &dns.Conn{Conn: conn})
}

// parseResolvConf returns the nameserver addresses (host:port) of a
// resolv.conf text.
func parseResolvConf(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			if ip, err := netip.ParseAddr(f[1]); err == nil {
				out = append(out, net.JoinHostPort(ip.String(), resolvConfPort))
			}
		}
	}
	return out
}
