package probe

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/miekg/dns"
)

// DoHQuery asks a DNS-over-HTTPS server (RFC 8484, GET with ?dns=) for
// host's A (or AAAA) record, through proxy when one is given (an http(s)
// proxy: CONNECT). An answer over HTTPS cannot be injected or hijacked on
// the path the way a UDP answer can: the DNS differential's second path.
func DoHQuery(ctx context.Context, server, host string, v6 bool, proxy *url.URL, tlsCfg *tls.Config) DNSAnswer {
	res := DNSAnswer{Server: server, Net: "https"}
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	q := question(host, v6)
	q.Id = 0 // RFC 8484 §4.1: 0 for cache friendliness
	wire, err := q.Pack()
	if err != nil {
		res.Err = err
		return res
	}
	u, err := url.Parse(server)
	if err != nil || u.Scheme != "https" {
		res.Err = fmt.Errorf("DoH server %q is not an https URL", server)
		return res
	}
	qs := u.Query()
	qs.Set("dns", base64.RawURLEncoding.EncodeToString(wire))
	u.RawQuery = qs.Encode()
	req := HTTPRequest{Method: http.MethodGet, URL: u.String(), Header: http.Header{"Accept": {"application/dns-message"}}, Proxy: proxy, TLSConfig: tlsCfg}
	if proxy != nil && proxy.Scheme != "http" && proxy.Scheme != "https" {
		res.Err = errors.New("DNS over HTTPS is not asked through a SOCKS proxy")
		return res
	}
	hr := HTTP(ctx, req)
	if hr.Err != nil {
		res.Err = hr.Err
		return res
	}
	if hr.Status != http.StatusOK {
		res.Err = fmt.Errorf("DoH server answered HTTP %d", hr.Status)
		return res
	}
	var m dns.Msg
	if err := m.Unpack(hr.Body); err != nil {
		res.Err = fmt.Errorf("DoH answer: %w", err)
		return res
	}
	res.Rcode = dns.RcodeToString[m.Rcode]
	res.Addrs = answerAddrs(&m)
	return res
}

// answerAddrs reads the A and AAAA records of an answer.
func answerAddrs(m *dns.Msg) []netip.Addr {
	var out []netip.Addr
	for _, rr := range m.Answer {
		switch r := rr.(type) {
		case *dns.A:
			if a, ok := netip.AddrFromSlice(r.A); ok {
				out = append(out, a.Unmap())
			}
		case *dns.AAAA:
			if a, ok := netip.AddrFromSlice(r.AAAA); ok {
				out = append(out, a)
			}
		}
	}
	return out
}
