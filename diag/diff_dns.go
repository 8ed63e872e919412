package diag

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// DNS that lies (issue 11 item 1). A wrong answer fails where the address
// does not answer (a dropped SYN, a refusal, a stalled handshake) and gets
// that layer's hint. The differential reads the answer's signature (fake-IP,
// sinkhole, a hosts file line) and asks other paths — DNS over TCP to the
// same servers, a second resolver (--compare-resolver, or the system's when
// --resolver replaced it), DNS over HTTPS (--doh) through the proxy the
// environment names for it — and when another answer connects, the one
// used was wrong.

// resolvedHere: the chain resolved a public name itself (no proxy did). A
// local or special-use name (localhost, .lan, .test) has no second opinion.
func resolvedHere(c *chain, ev *Evidence) bool {
	return c.proxy == nil && ev.DNS != nil && ev.DNS.Err == nil && ev.DNS.Resolver != "literal" && ev.Addr.IsValid() && publicName(c.host)
}

// wrongAddressFailure: the address failed the way a wrong one does, or the
// answer itself carries a lie's signature.
func wrongAddressFailure(c *chain, ev *Evidence, cause Cause) bool {
	if !resolvedHere(c, ev) || cause.Category() == CatOK {
		return false
	}
	if lieSignature(c.host, ev.Addr.Unmap()) != LookNone {
		return true
	}
	switch cause {
	case CauseSYNTimeout, CauseConnRefused, CauseLocalRefused, CauseConnResetConnect, CauseHostUnreachable, CauseNetUnreachable, CauseAdminProhib,
		CauseTLSTimeout, CauseTLSReset, CauseTLSEOF, CauseTLSHostname, CauseTLSUntrusted, CauseTLSNotTLS:
		return true
	}
	return false
}

// fakeIPNet is Clash/mihomo's fake-IP range (198.18.0.0/15, RFC 2544).
var fakeIPNet = netip.MustParsePrefix("198.18.0.0/15")

// lieSignature reads what an answer alone says.
func lieSignature(host string, a netip.Addr) Lookalike {
	switch {
	case fakeIPNet.Contains(a):
		return LookFakeIP
	case publicName(host) && (a.IsUnspecified() || a.IsLoopback()):
		return LookSinkhole
	}
	return LookNone
}

// publicName: a name that must resolve on the Internet, not on this machine
// or this LAN (a loopback answer for it is a sinkhole, not a local service).
// Special-use names (RFC 6761: .test, .example, .invalid, .localhost) and
// the LAN's are not.
func publicName(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if !strings.Contains(h, ".") {
		return false
	}
	for _, s := range []string{".localhost", ".local", ".lan", ".home.arpa", ".internal", ".localdomain", ".home", ".corp", ".test", ".example", ".invalid"} {
		if strings.HasSuffix(h, s) {
			return false
		}
	}
	return true
}

// tunRoutes names an interface that is up and holds an address in the
// fake-IP range: the proxy client's TUN device, which carries the traffic.
func tunRoutes() string {
	ifs, _ := net.Interfaces()
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil && fakeIPNet.Contains(p.Addr().Unmap()) {
				return ifc.Name
			}
		}
	}
	return ""
}

// hostsFile is the system's hosts file (RunOptions.HostsFile overrides it).
func (c *chain) hostsFile() string {
	if c.o.HostsFile != "" {
		return c.o.HostsFile
	}
	return probe.SystemHostsFile()
}

// altAnswer is another path's answer and whether its address connects.
type altAnswer struct {
	path     string // "203.0.113.53 (udp)", "203.0.113.53 (tcp)"
	ans      probe.DNSAnswer
	connects netip.Addr // the first address that connected (invalid = none)
}

func dnsDifferential(ctx context.Context, c *chain, ev *Evidence) diffOutcome {
	got := ev.Addr.Unmap()
	v6 := got.Is6()
	yours := fmt.Sprintf("yours answered %s", got)

	// The second paths, asked at once.
	type q struct{ server, net, label string }
	var qs []q
	own := withPort53(c.o.DNS.Servers)
	if len(own) == 0 {
		own = probe.SystemNameservers(c.o.DNS.ResolvConf)
	} else {
		// --resolver replaced the system resolver: the system's is the second opinion.
		for _, s := range probe.SystemNameservers(c.o.DNS.ResolvConf) {
			qs = append(qs, q{s, "udp", "the system resolver " + hostOf(s)})
		}
	}
	for _, s := range own {
		qs = append(qs, q{s, "tcp", hostOf(s) + " over TCP"})
	}
	for _, s := range withPort53(c.o.CompareDNS) {
		qs = append(qs, q{s, "udp", "the second resolver " + hostOf(s)})
	}
	// DNS over HTTPS, through the proxy the environment names for it.
	var dohProxy *url.URL
	var dohTLS *tls.Config
	for _, s := range c.o.DoH {
		if dohTLS == nil {
			if cfg, err := c.tlsConfig(); err == nil {
				dohTLS = &tls.Config{RootCAs: cfg.RootCAs}
			}
			if u, err := url.Parse(s); err == nil {
				dohProxy, _, _ = ResolveProxy(Endpoint{}, u, c.getenv())
			}
		}
		label := "DNS over HTTPS (" + s + ")"
		if dohProxy != nil {
			label += " through the proxy"
		}
		qs = append(qs, q{s, "https", label})
	}
	alts := make([]altAnswer, len(qs))
	var wg sync.WaitGroup
	for i, qq := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			budget := c.t.DNS
			if qq.net == "https" {
				budget = c.t.Connect + c.t.TLS // a connection and a handshake before the question
			}
			dctx, cancel := context.WithTimeout(ctx, budget)
			var a probe.DNSAnswer
			if qq.net == "https" {
				a = probe.DoHQuery(dctx, qq.server, c.host, v6, dohProxy, dohTLS)
			} else {
				a = probe.DNSQuery(dctx, qq.server, qq.net, c.host, v6)
			}
			cancel()
			alts[i] = altAnswer{path: qq.label, ans: a}
			if a.Err == nil && len(a.Addrs) > 0 && !slices.Contains(a.Addrs, got) {
				alts[i].connects = c.firstConnecting(ctx, a.Addrs)
			}
		}()
	}
	wg.Wait()
	// other: the first differing answer that connects, for the evidence.
	var other *altAnswer
	for i := range alts {
		if alts[i].connects.IsValid() {
			other = &alts[i]
			break
		}
	}
	otherSays := ""
	if other != nil {
		otherSays = fmt.Sprintf("%s answered %s, which connects; ", other.path, other.connects)
	}

	// A hosts file line is the most specific evidence: it names the file
	// and the line to fix, whatever address it pins (0.0.0.0 too).
	if e, ok := probe.HostsLookup(c.hostsFile(), c.host); ok && slices.Contains(e.Addrs, got) {
		return diffOutcome{look: LookHostsFile, evidence: fmt.Sprintf("%s%s line %d maps %s to %s", otherSays, e.File, e.Line, c.host, got)}
	}
	switch lieSignature(c.host, got) {
	case LookFakeIP:
		if dev := tunRoutes(); dev != "" {
			return diffOutcome{evidence: fmt.Sprintf("%s in the fake-IP range, and the TUN device %s routes it", yours, dev)}
		}
		return diffOutcome{look: LookFakeIP, evidence: otherSays + yours + ", Clash's fake-IP range, but no TUN device routes it"}
	case LookSinkhole:
		return diffOutcome{look: LookSinkhole, evidence: otherSays + yours + " for a public name"}
	}
	// Injection: an answer over UDP from a server where nothing listens on
	// TCP, or a TCP answer from the same server that differs and connects.
	for _, a := range alts {
		if a.ans.Net != "tcp" {
			continue
		}
		if kindOf(a.ans.Err) == KindRefused {
			return diffOutcome{look: LookDNSInjected, evidence: fmt.Sprintf("%s over UDP, but nothing listens on TCP port 53 at %s (refused): no DNS server is there", yours, hostOf(a.ans.Server))}
		}
		if a.connects.IsValid() {
			return diffOutcome{look: LookDNSInjected, evidence: fmt.Sprintf("%s over UDP; the same server over TCP answered %s, which connects", yours, a.connects)}
		}
	}
	if other != nil {
		return diffOutcome{look: LookDNSWrong, evidence: fmt.Sprintf("%s%s, which does not", otherSays, yours)}
	}
	var asked []string
	for _, a := range alts {
		switch {
		case a.ans.Err != nil:
			asked = append(asked, a.path+": "+shortErr(a.ans.Err))
		default:
			asked = append(asked, fmt.Sprintf("%s: %v", a.path, a.ans.Addrs))
		}
	}
	return diffOutcome{evidence: "no other path answered an address that connects (" + strings.Join(asked, "; ") + ")"}
}

// firstConnecting returns the first address of as that accepts a TCP
// connection on the target's port.
func (c *chain) firstConnecting(ctx context.Context, as []netip.Addr) netip.Addr {
	for _, a := range as {
		cctx, cancel := context.WithTimeout(ctx, c.t.Connect)
		r := probe.TCP(cctx, "tcp", net.JoinHostPort(a.String(), c.port))
		cancel()
		if r.Err == nil {
			r.Conn.Close()
			return a
		}
	}
	return netip.Addr{}
}

func hostOf(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

func withPort53(servers []string) []string {
	out := make([]string, 0, len(servers))
	for _, s := range servers {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(s); err != nil {
			s = net.JoinHostPort(strings.Trim(s, "[]"), "53")
		}
		out = append(out, s)
	}
	return out
}
