package diag

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// Look-alike differentials (issue 11). Faults that break at the same layer
// look the same to the chain: a lying resolver and a dropped SYN are both a
// syn-timeout, an SNI filter and a stuck server both a tls-timeout. A
// differential is one more cheap, targeted probe that tells such a pair
// apart. It runs after classification, only when its look-alike verdict
// appears (or with --deep), within what is left of the endpoint's budget,
// and what it proves becomes a Signal field (Lookalike) that the one table
// (classify.go) reads again: a differential never names a cause itself.

// Lookalike is what a differential probe proved about a verdict.
type Lookalike uint8

const (
	LookNone Lookalike = iota
	// DNS that lies (issue 11 item 1).
	LookFakeIP      // the answer is Clash's fake-IP range and no TUN device routes it
	LookSinkhole    // 0.0.0.0, :: or 127.0.0.0/8 for a public name
	LookHostsFile   // the answer came from a hosts file line
	LookDNSInjected // an answer came from an address where no DNS server listens
	LookDNSWrong    // a second path answered another address, and that one connects
	// TLS differentials (item 2).
	LookSNIFiltered      // the same address completes a handshake with another SNI or none
	LookIncompleteChain  // the server's chain lacks its intermediate; the issuer it names verifies
	LookClientCertNeeded // the server demands a client certificate
	// Keyword filters (item 3).
	LookKeywordFiltered // a neutral request on the same path gets an answer
	// Path-MTU black holes (item 4).
	LookMTUBlackhole // the exchange passes with a small MSS
	// Stalled bodies (item 5): read from the HTTP probe's own answer.
	LookBodyStalled // headers arrived, then the body stopped
	// Answers from the middle (item 6).
	LookCaptivePortal  // a redirect to another host (a portal's login page)
	LookProxyBlockPage // a 200 web page from an http proxy
	LookBotWall        // a Cloudflare challenge in front of the provider
	// What the proxy really said (item 7): its error answer, read.
	LookProxyTargetDNS     // the proxy could not resolve the target
	LookProxyTargetRefused // the target refused the proxy
	LookProxyTargetTimeout // the target did not answer the proxy
	LookProxyWrongScheme   // the proxy speaks the other protocol (SOCKS vs HTTP)
	// A control target (item 8).
	LookEndpointFiltered // a control through the same path passes: only the endpoint fails
	LookPathDown         // every control fails too: the network or the proxy is down

	lookCount // keep last: tests walk every look-alike up to here
)

// lookalikePhrases are the words check's message uses for each look-alike,
// and explain reads back: one list, so the two cannot drift apart.
var lookalikePhrases = map[Lookalike]string{
	LookFakeIP:           "clash fake-ip answer, no tun device",
	LookSinkhole:         "sinkhole answer for a public name",
	LookHostsFile:        "answer from the hosts file",
	LookDNSInjected:      "dns answer from an address where no dns server listens",
	LookDNSWrong:         "another resolver's answer connects",
	LookSNIFiltered:      "sni filtered: the same address answers another sni",
	LookIncompleteChain:  "incomplete chain: the server omits its intermediate",
	LookClientCertNeeded: "the server demands a client certificate",
	LookKeywordFiltered:  "content filtered: a neutral request on the same path is answered",
	LookMTUBlackhole:     "path-mtu black hole: a small mss passes",

	LookBodyStalled:        "body stalled after the headers",
	LookCaptivePortal:      "captive portal: redirected to another host",
	LookProxyBlockPage:     "proxy block page: a web page from the http proxy",
	LookBotWall:            "bot wall: a cloudflare challenge answered",
	LookProxyTargetDNS:     "the proxy could not resolve the target",
	LookProxyTargetRefused: "the target refused the proxy",
	LookProxyTargetTimeout: "the target did not answer the proxy in time",
	LookProxyWrongScheme:   "the proxy speaks the other protocol",
	LookEndpointFiltered:   "only the endpoint fails: a control target passes",
	LookPathDown:           "every control target fails too",
}

// Phrase is the look-alike's words in check's message ("" for LookNone).
func (l Lookalike) Phrase() string { return lookalikePhrases[l] }

// LookalikeIn reads a look-alike's phrase in lower-cased text (explain).
func LookalikeIn(low string) Lookalike {
	for l, p := range lookalikePhrases {
		if strings.Contains(low, "("+p) {
			return l
		}
	}
	return LookNone
}

// DifferentialResult is one differential probe that ran (JSON "differentials").
type DifferentialResult struct {
	Name       string  `json:"name"`
	DurationMS float64 `json:"duration_ms"`
	// Proved is the look-alike's phrase when the probe proved it, "" when it
	// ruled the look-alike out (the verdict stands).
	Proved   string `json:"proved,omitempty"`
	Evidence string `json:"evidence,omitempty"`
	// Skipped says why the probe could not run here (e.g. no TCP_MAXSEG).
	Skipped string `json:"skipped,omitempty"`
}

// diffOutcome is what one differential saw.
type diffOutcome struct {
	look     Lookalike // LookNone: ruled out
	evidence string    // what the probe saw, quoted by the hint and the message
	skipped  string
}

// differential is one look-alike test.
type differential struct {
	name string
	// rank orders the differentials' precedence: when several prove
	// something before the first proof cancels the rest, the lowest rank's
	// look-alike is the verdict's (0 = after every ranked one). A lying resolver explains a handshake that stalls
	// on the wrong address; an SNI filter explains a stall before the MTU does.
	rank int
	// applies: the verdict is this probe's look-alike. With --deep every
	// differential whose preconditions hold runs (deepOK).
	applies func(c *chain, ev *Evidence, cause Cause) bool
	deepOK  func(c *chain, ev *Evidence) bool
	run     func(ctx context.Context, c *chain, ev *Evidence) diffOutcome
	// fallback differentials run only when no other one proved its case:
	// a control target passing says less than an SNI filter proved, and
	// its quick proof must not cancel the others.
	fallback bool
}

// differentials: every look-alike test, in one list (issue 10 item 8: no
// registration through init). Each probe's code is in its diff_*.go file.
var differentials = []differential{
	{name: "dns-compare", rank: 10, applies: wrongAddressFailure, deepOK: resolvedHere, run: dnsDifferential},
	{name: "neutral-request", rank: 40, applies: exchangeCut, run: keywordDifferential},
	{name: "small-mss", rank: 30, applies: stalledAfterConnect, run: mtuDifferential},
	{name: "portal-http", rank: 30, applies: certForAnotherName, run: portalDifferential},
	{name: "proxy-protocol", rank: 5, applies: proxyHandshakeFailed, run: proxySchemeDifferential},
	{name: "sni", rank: 20, applies: handshakeCut, run: sniDifferential},
	{name: "issuer-fetch", rank: 25, applies: untrustedChain, run: chainDifferential},
	{name: "control", fallback: true, applies: controlApplies, run: controlDifferential},
}

func rankOf(d differential) int {
	if d.rank == 0 {
		return 1 << 30
	}
	return d.rank
}

// differentiate runs the differentials that apply, concurrently (their cost
// is the slowest one's, not the sum), within the endpoint's remaining
// budget. The first proof cancels the others (a proved SNI filter does not
// wait out the small-MSS retry's stall); when several proved, rank decides.
// It returns the evidence with the proved look-alike set, and whether
// anything ran.
func (c *chain) differentiate(ctx context.Context, ev Evidence, cause Cause, start time.Time) (Evidence, bool) {
	var todo []differential
	for _, d := range differentials {
		if d.applies(c, &ev, cause) || (c.o.Deep && d.deepOK != nil && d.deepOK(c, &ev)) {
			todo = append(todo, d)
		}
	}
	if len(todo) == 0 {
		return ev, false
	}
	dctx, cancel := context.WithDeadline(ctx, start.Add(c.t.EndpointBudget()))
	defer cancel()
	var first, last []differential
	for _, d := range todo {
		if d.fallback {
			last = append(last, d)
		} else {
			first = append(first, d)
		}
	}
	look, seen := c.runDifferentials(dctx, first, &ev)
	if look == LookNone && len(last) > 0 {
		look, seen = c.runDifferentials(dctx, last, &ev)
	}
	if look != LookNone {
		ev.Lookalike, ev.LookEvidence = look, seen
	}
	return ev, true
}

// runDifferentials runs todo concurrently and returns the look-alike of
// the highest precedence that proved its case (LookNone: none did).
func (c *chain) runDifferentials(ctx context.Context, todo []differential, ev *Evidence) (Lookalike, string) {
	sort.SliceStable(todo, func(i, j int) bool { return rankOf(todo[i]) < rankOf(todo[j]) })
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type done struct {
		i    int
		out  diffOutcome
		took time.Duration
	}
	ch := make(chan done, len(todo))
	for i, d := range todo {
		go func() {
			t0 := time.Now()
			out := d.run(dctx, c, ev)
			ch <- done{i, out, time.Since(t0)}
		}()
	}
	outs := make([]*done, len(todo))
	for range todo {
		r := <-ch
		outs[r.i] = &r
		if r.out.look != LookNone {
			cancel() // the look-alikes exclude each other: no need to wait out the others' stalls
		}
	}
	proved := -1
	for i := range outs {
		if outs[i].out.look != LookNone {
			proved = i // the highest precedence among those that proved
			break
		}
	}
	for i, d := range todo {
		o, took := outs[i].out, outs[i].took
		if proved >= 0 && o.look == LookNone && dctx.Err() != nil && took >= outs[proved].took {
			o.skipped = "cancelled: " + todo[proved].name + " proved its case"
		}
		c.res.Differentials = append(c.res.Differentials, DifferentialResult{Name: d.name, DurationMS: ms(took), Proved: o.look.Phrase(), Evidence: o.evidence, Skipped: o.skipped})
		c.log.Info("differential", "endpoint", c.ep.Name, "name", d.name, "ms", ms(took), "proved", o.look.Phrase(), "evidence", o.evidence, "skipped", o.skipped)
	}
	if proved >= 0 {
		return outs[proved].out.look, outs[proved].out.evidence
	}
	return LookNone, ""
}

// redial opens a new connection along the chain's path to the target: the
// address that failed, through the same proxy, so a differential changes
// one thing only. smallMSS announces a small MSS on the first hop.
func (c *chain) redial(ctx context.Context, smallMSS bool) (net.Conn, error) {
	return c.dialPath(ctx, smallMSS, c.targetAddr, c.host, c.port, !absoluteForm(c.target, c.proxy))
}

// dialPath opens a connection to host:port along the chain's path: to addr
// directly, or through the chain's proxy (a tunnel when tunnel is set, else
// the proxy connection itself, for an absolute-form request).
func (c *chain) dialPath(ctx context.Context, smallMSS bool, addr netip.Addr, host, port string, tunnel bool) (net.Conn, error) {
	dial := probe.TCP
	if smallMSS {
		dial = probe.TCPSmallMSS
	}
	first := net.JoinHostPort(addr.String(), port)
	if c.proxy != nil {
		first = net.JoinHostPort(c.proxyAddr.String(), c.proxyPort)
	}
	cctx, cancel := context.WithTimeout(ctx, c.t.Connect)
	r := dial(cctx, "tcp", first)
	cancel()
	if r.Err != nil {
		return nil, r.Err
	}
	conn := r.Conn
	if c.proxy == nil {
		return conn, nil
	}
	if c.proxy.Scheme == "https" {
		tctx, cancel := context.WithTimeout(ctx, c.t.TLS)
		tr := probe.TLS(tctx, conn, &tls.Config{ServerName: c.proxyHost, NextProtos: []string{"http/1.1"}})
		cancel()
		if tr.Err != nil {
			return nil, tr.Err
		}
		conn = tr.Conn
	}
	if !tunnel {
		return conn, nil
	}
	pctx, cancel := context.WithTimeout(ctx, c.t.Connect+c.t.DNS)
	defer cancel()
	target := net.JoinHostPort(host, port)
	var pr probe.ProxyResult
	if c.proxy.Scheme == "socks5" || c.proxy.Scheme == "socks5h" {
		pr = probe.SOCKS5(pctx, conn, target, c.proxy.User)
	} else {
		pr = probe.HTTPConnect(pctx, conn, target, c.proxy.User)
	}
	if pr.Err != nil {
		conn.Close()
		return nil, pr.Err
	}
	if pr.Conn != nil {
		conn = pr.Conn
	}
	return conn, nil
}

// replayTLS runs a handshake with cfg over a fresh connection (redial).
func (c *chain) replayTLS(ctx context.Context, smallMSS bool, cfg *tls.Config) (probe.TLSResult, error) {
	conn, err := c.redial(ctx, smallMSS)
	if err != nil {
		return probe.TLSResult{}, err
	}
	tctx, cancel := context.WithTimeout(ctx, c.t.TLS)
	defer cancel()
	tr := probe.TLS(tctx, conn, cfg)
	if tr.Conn != nil {
		tr.Conn.Close()
	}
	return tr, nil
}

// replayHTTP repeats the exchange over a fresh connection with the request
// path and header given (nil header: the chain's own).
func (c *chain) replayHTTP(ctx context.Context, smallMSS bool, path string, hdr http.Header) (probe.HTTPResult, error) {
	conn, err := c.redial(ctx, smallMSS)
	if err != nil {
		return probe.HTTPResult{}, err
	}
	defer conn.Close()
	if c.target.Scheme == "https" {
		cfg, err := c.tlsConfig()
		if err != nil {
			return probe.HTTPResult{}, err
		}
		tctx, cancel := context.WithTimeout(ctx, c.t.TLS)
		tr := probe.TLS(tctx, conn, cfg)
		cancel()
		if tr.Err != nil {
			return probe.HTTPResult{}, tr.Err
		}
		defer tr.Conn.Close()
		conn = tr.Conn
	}
	u := *c.target
	if path != "" {
		u.Path, u.RawPath, u.RawQuery = path, "", ""
	}
	if hdr == nil {
		hdr = ProbeHeader(c.ep)
	}
	req := probe.HTTPRequest{Method: http.MethodGet, URL: u.String(), Header: hdr, Conn: conn, BodyIdle: c.t.HTTP / 2}
	if absoluteForm(c.target, c.proxy) {
		req.Proxy = c.proxy
	}
	hctx, cancel := context.WithTimeout(ctx, c.t.HTTP)
	defer cancel()
	return probe.HTTP(hctx, req), nil
}

// answeredTLS: the peer spoke TLS back (a completed handshake, a rejected
// certificate, an alert): the bytes got through both ways.
func answeredTLS(tr probe.TLSResult) bool {
	if tr.Err == nil || len(tr.Chain) > 0 || remoteAlert(tr.Err) {
		return true
	}
	var ve *tls.CertificateVerificationError
	return errors.As(tr.Err, &ve)
}

func msText(d time.Duration) string { return fmt.Sprintf("%.0f ms", ms(d)) }
