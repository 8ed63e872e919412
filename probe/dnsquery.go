package probe

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// DNSAnswer is one raw query's answer from one server over one transport.
type DNSAnswer struct {
	Server   string        `json:"server"`
	Net      string        `json:"net"` // "udp" or "tcp"
	Addrs    []netip.Addr  `json:"addrs,omitempty"`
	Rcode    string        `json:"rcode,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Err      error         `json:"-"` // no answer (refused, timeout): nothing listens, or nothing got through
}

// DNSQuery asks server (host:port) for host's A (or AAAA with v6) record
// over network ("udp" or "tcp"), with no retry and no fallback: the
// differentials compare what each transport alone answers. Over UDP the
// answer is read on a connected socket, so it came from server's address.
func DNSQuery(ctx context.Context, server, network, host string, v6 bool) DNSAnswer {
	res := DNSAnswer{Server: server, Net: network}
	q := question(host, v6)
	c := &dns.Client{Net: network}
	if dl, ok := ctx.Deadline(); ok {
		c.Timeout = time.Until(dl)
	}
	start := time.Now()
	resp, _, err := c.ExchangeContext(ctx, q, server)
	res.Duration = time.Since(start)
	if err != nil {
		res.Err = withCtxErr(ctx, err)
		return res
	}
	if resp == nil {
		res.Err = errors.New("no answer")
		return res
	}
	res.Rcode = dns.RcodeToString[resp.Rcode]
	res.Addrs = answerAddrs(resp)
	return res
}

// SystemNameservers are the resolvers the system asks (host:port), as far
// as this platform's configuration can be read (resolv.conf on unix).
func SystemNameservers(resolvConf string) []string {
	s, _ := systemNameservers(resolvConf)
	return s
}

// question is a recursive query for host's A (AAAA with v6) record.
func question(host string, v6 bool) *dns.Msg {
	q := new(dns.Msg)
	t := dns.TypeA
	if v6 {
		t = dns.TypeAAAA
	}
	q.SetQuestion(dns.Fqdn(host), t)
	q.RecursionDesired = true
	return q
}
