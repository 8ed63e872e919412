package diag

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// CAFileError: an endpoint's ca_file could not be used.
type CAFileError struct {
	Path string
	Err  error
}

func (e *CAFileError) Error() string { return "ca_file " + e.Path + ": " + e.Err.Error() }
func (e *CAFileError) Unwrap() error { return e.Err }

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Run checks every endpoint concurrently under one deadline and returns the
// report. It never panics and never prints; an interrupted run (ctx
// cancelled) returns what is known, with the unfinished endpoints marked.
func Run(ctx context.Context, eps []Endpoint, o RunOptions) *Report {
	start := time.Now()
	rep := &Report{SchemaVersion: SchemaVersion, Tool: "newapi-doctor", Version: o.Version, StartedAt: start.UTC()}
	deadline := o.Deadline
	if deadline <= 0 {
		deadline = o.Timeouts.EndpointBudget() * time.Duration(1+max(0, o.Retries))
	}
	runCtx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	if o.paths == nil {
		o.paths = newPathFlight()
	}

	par := o.Parallel
	if par <= 0 {
		par = DefaultParallel()
	}
	results := make([]EndpointResult, len(eps))
	finished := make([]bool, len(eps))
	sem := make(chan struct{}, par)
	var (
		mu      sync.Mutex
		done    int
		running = map[int]time.Time{}
		wg      sync.WaitGroup
	)
	// progress reports under mu; the longest-running endpoint comes first.
	progress := func() {
		if o.Progress == nil {
			return
		}
		idx := make([]int, 0, len(running))
		for i := range running {
			idx = append(idx, i)
		}
		sort.Slice(idx, func(a, b int) bool { return running[idx[a]].Before(running[idx[b]]) })
		names := make([]string, len(idx))
		for k, i := range idx {
			names[k] = eps[i].Name
		}
		o.Progress(done, len(eps), names)
	}
launch:
	for i := range eps {
		select {
		case sem <- struct{}{}:
		case <-runCtx.Done():
			break launch
		}
		wg.Add(1)
		mu.Lock()
		running[i] = time.Now()
		mu.Unlock()
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			r := runAttempts(runCtx, o, func(c context.Context) EndpointResult { return CheckEndpoint(c, eps[i], o) })
			mu.Lock()
			results[i], finished[i] = r, true
			delete(running, i)
			done++
			progress()
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	for i, ok := range finished {
		if ok {
			continue
		}
		cause := CauseDeadline
		if ctx.Err() != nil {
			cause = CauseInterrupted
		}
		results[i] = notRun(eps[i], cause)
	}
	if ctx.Err() != nil {
		rep.Interrupted = true
	} else if runCtx.Err() != nil {
		for i := range results {
			if results[i].Category != CatOK && results[i].Cause != CauseDeadline {
				results[i].Notes = append(results[i].Notes, fmt.Sprintf("the run's deadline (%s) ended while this endpoint was being probed: its verdict may be a timeout of the run, not of the endpoint", deadline))
			}
		}
	}
	rep.Endpoints = results
	rep.DurationMS = ms(time.Since(start))
	rep.Summarize()
	return rep
}

func notRun(ep Endpoint, cause Cause) EndpointResult {
	r := baseResult(ep)
	r.Category, r.Cause = CategoryOf(cause), cause
	r.Hint = HintFor(cause, HintFacts{})
	r.Message = "not probed: " + strings.ReplaceAll(string(cause), "-", " ")
	return r
}

func baseResult(ep Endpoint) EndpointResult {
	r := EndpointResult{Name: ep.Name, URL: ep.URL, Provider: ep.Provider, Source: ep.Source, Extra: ep.Extra, Layers: []LayerResult{}, Proxy: ProxyInfo{Source: "none"}}
	// The source's note is part of the verdict: in Extra alone the text
	// report never showed it (--with-keys from the admin API sent no key
	// and said so nowhere a reader looks, issue 9.5).
	if n := ep.Extra[ExtraNote]; n != "" {
		r.Notes = append(r.Notes, n)
	}
	return r
}

// CheckEndpoint runs one endpoint's chain: the proxy's layers (when a proxy
// applies), then DNS, TCP, TLS and HTTP of the target. The first failing
// layer ends the chain and is classified.
func CheckEndpoint(ctx context.Context, ep Endpoint, o RunOptions) (res EndpointResult) {
	start := time.Now()
	res = baseResult(ep)
	c := &chain{ep: ep, o: o, t: o.Timeouts.WithDefaults(), res: &res, log: o.Logger}
	if c.log == nil {
		c.log = discardLogger()
	}
	defer func() {
		// A failure is data: even a bug in a probe becomes a verdict.
		if p := recover(); p != nil {
			c.log.Error("panic", "endpoint", ep.Name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			res.Category, res.Cause = CatHTTP, CauseInternalError
			res.Hint = HintFor(CauseInternalError, HintFacts{})
			res.Message = fmt.Sprintf("internal error: %v", p)
		}
		res.DurationMS = ms(time.Since(start))
	}()
	c.log.Info("endpoint start", "endpoint", ep.Name, "url", ep.URL)
	ev := c.run(ctx)
	c.closeAll()
	if e := clientCertEvidence(ev); e != "" {
		ev.Lookalike, ev.LookEvidence = LookClientCertNeeded, e
	}
	ev.NewAPIVersion = c.newAPIVersion
	ev.IPv6Failed = c.v6Broken != ""
	// What the endpoint's source knows and the evidence cannot: which
	// answers prove the path for this kind of channel, and whether its port
	// is only a guess.
	ev.ReachabilityOnly = c.ep.Extra[ExtraReachabilityOnly] == "true"
	ev.FullURL = c.ep.Extra[ExtraFullURL] == "true"
	ev.PortGuessed = c.ep.Extra[ExtraPortGuess] != ""
	if l, e := observeMiddle(&ev, c.target, c.proxy); l != LookNone && ev.Lookalike == LookNone {
		ev.Lookalike, ev.LookEvidence = l, e
	}
	cat, cause := Classify(ev)
	res.Category, res.Cause = cat, cause
	if cat != CatOK {
		res.FailingLayer = ev.Layer
	}
	if note := c.endpointNote(ev, cause); note != "" {
		res.Notes = append(res.Notes, note)
	}
	if ev2, ran := c.differentiate(ctx, ev, cause, start); ran && ev2.Lookalike != LookNone {
		if cat == CatOK {
			// --deep: what a differential saw beside a working path is a note, not a verdict.
			res.Notes = append(res.Notes, ev2.Lookalike.Phrase()+": "+ev2.LookEvidence)
		} else {
			// A differential proved a look-alike: the one table decides again.
			ev = ev2
			cat, cause = Classify(ev)
			res.Category, res.Cause = cat, cause
		}
	}
	if cause == CauseIPv6Broken {
		res.Notes = append(res.Notes, "IPv6: "+c.v6Broken)
	}
	res.Hint = HintFor(cause, c.facts(ev))
	res.Message = c.message(ev, cat)
	withSystemProxy(ctx, ep, o, &res)
	// Through the system proxy the path is fine: nothing to localise.
	if res.Cause != CauseSystemProxyOnly {
		if res.Path = c.localise(ctx, ev, cat, cause); res.Path != nil {
			// Linux reports a router's "administratively prohibited" to
			// connect() as EHOSTUNREACH; the path probe hears the real code:
			// a filter, not a missing route. The table decides again with it.
			if res.Path.Reason == "admin-prohibited" && ev.Layer == LayerTCP {
				ev.AdminProhibited = true
				cat, cause = Classify(ev)
				res.Category, res.Cause = cat, cause
				res.Hint = HintFor(cause, c.facts(ev))
				res.Message = c.message(ev, cat)
			}
		}
	}
	c.log.Info("endpoint end", "endpoint", ep.Name, "category", string(cat), "cause", cause, "ms", ms(time.Since(start)))
	return res
}

// endpointNote says why the table judged by the endpoint's kind (the rows
// for ReachabilityOnly, FullURL and PortGuessed), "" when it did not.
func (c *chain) endpointNote(ev Evidence, cause Cause) string {
	answered := ev.Layer == LayerHTTP && ev.HTTP != nil && ev.Err == nil
	switch {
	case cause == CauseGatewayPortGuessed:
		return "the port is a guess: " + c.ep.Extra[ExtraPortGuess]
	case cause.Category() != CatOK || !answered || ev.HTTP.Status < 400:
		return ""
	case ev.FullURL && ev.HTTP.Status == http.StatusMethodNotAllowed:
		return "reachable: the channel's URL answered the probe's GET with 405 (new-api sends POST there), so the server and the path exist; the request itself was not tried"
	case ev.ReachabilityOnly:
		return fmt.Sprintf("reachable (HTTP %d); %s is checked for reachability only", ev.HTTP.Status, c.ep.Extra["type_name"])
	}
	return ""
}

type chain struct {
	ep  Endpoint
	o   RunOptions
	t   Timeouts
	res *EndpointResult
	log *slog.Logger

	target        *url.URL
	host, port    string
	proxy         *url.URL
	proxyHost     string
	proxyPort     string
	proxyAddr     netip.Addr
	targetAddr    netip.Addr
	tlsRes        *probe.TLSResult
	v6Broken      string // the target's IPv6 connect error when IPv4 connected
	conns         []net.Conn
	newAPIVersion string
}

func (c *chain) closeAll() {
	for _, cn := range c.conns {
		if cn != nil {
			cn.Close()
		}
	}
	c.conns = nil
}

// layer records one layer's outcome in the result and the run log.
func (c *chain) layer(l Layer, d time.Duration, err error, detail map[string]string) {
	lr := LayerResult{Layer: l, OK: err == nil, DurationMS: ms(d), Detail: detail}
	if err != nil {
		lr.Error = err.Error()
		c.log.Info("layer", "endpoint", c.ep.Name, "layer", string(l), "ok", false, "ms", ms(d), "error", err.Error())
	} else {
		c.log.Info("layer", "endpoint", c.ep.Name, "layer", string(l), "ok", true, "ms", ms(d))
	}
	c.res.Layers = append(c.res.Layers, lr)
}

func (c *chain) getenv() func(string) string {
	if c.o.Getenv != nil {
		return c.o.Getenv
	}
	return os.Getenv
}

func (c *chain) run(ctx context.Context) Evidence {
	ev := Evidence{Provider: c.ep.Provider}
	fail := func(l Layer, err error) Evidence {
		ev.Layer, ev.Err = l, err
		return ev
	}
	u, err := ProbeURL(c.ep)
	if err != nil {
		c.layer(LayerConfig, 0, err, nil)
		return fail(LayerConfig, err)
	}
	c.target = u
	c.host, c.port = u.Hostname(), u.Port()
	if c.port == "" {
		c.port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	if c.ep.Provider == "" {
		if p, ok := ProviderForHost(c.host); ok {
			c.ep.Provider, c.res.Provider, ev.Provider = p.ID, p.ID, p.ID
		}
	}
	proxyURL, pinfo, perr := ResolveProxy(c.ep, u, c.getenv())
	c.res.Proxy = pinfo
	if perr != nil {
		c.layer(LayerConfig, 0, perr, nil)
		return fail(LayerConfig, perr)
	}
	tlsCfg, err := c.tlsConfig()
	if err != nil {
		c.layer(LayerConfig, 0, err, nil)
		return fail(LayerConfig, err)
	}

	var conn net.Conn
	if proxyURL == nil {
		conn, ev, err = c.direct(ctx, ev)
	} else {
		c.proxy = proxyURL
		conn, ev, err = c.viaProxy(ctx, ev)
	}
	if err != nil {
		return ev
	}
	// Plain-HTTP targets through an HTTP proxy: conn is the proxy connection
	// and the request goes in absolute form (absoluteForm); no TLS to the target.
	if u.Scheme == "https" {
		tctx, cancel := context.WithTimeout(ctx, c.t.TLS)
		tr := probe.TLS(tctx, conn, tlsCfg)
		cancel()
		c.tlsRes, ev.TLS = &tr, &tr
		c.layer(LayerTLS, tr.Duration, tr.Err, tlsDetail(tr))
		if tr.Err != nil {
			return fail(LayerTLS, tr.Err)
		}
		c.conns = append(c.conns, tr.Conn)
		conn = tr.Conn
	}

	hdr := ProbeHeader(c.ep)
	hdr.Set("User-Agent", "newapi-doctor/"+c.o.Version)
	hdr.Set("Accept", "application/json")
	ev.KeySent = AuthHeader(c.ep) != nil
	hctx, cancel := context.WithTimeout(ctx, c.t.HTTP)
	// Half the HTTP timeout of silence mid-body is a stall (middle.go): a
	// slow body that keeps coming still finishes.
	req := probe.HTTPRequest{Method: http.MethodGet, URL: u.String(), Header: hdr, Conn: conn, BodyIdle: c.t.HTTP / 2}
	if absoluteForm(u, c.proxy) {
		req.Proxy = c.proxy
	}
	hr := probe.HTTP(hctx, req)
	cancel()
	ev.HTTP = &hr
	det := httpDetail(hr, ev.KeySent)
	if hr.Date != "" {
		// With the upstream's Date, the bundle measures this clock's skew.
		det["received_at"] = time.Now().UTC().Format(time.RFC3339Nano)
	}
	c.layer(LayerHTTP, hr.Timings.Total, hr.Err, det)
	ev.Layer, ev.Err = LayerHTTP, hr.Err
	if hr.Err == nil && hr.Status == http.StatusOK && c.ep.Provider == "newapi" {
		if v := newAPIVersion(hr.Body); v != "" {
			c.newAPIVersion = v
			c.res.Notes = append(c.res.Notes, "new-api version "+v)
			if c.res.Extra == nil {
				c.res.Extra = map[string]string{}
			}
			c.res.Extra["newapi_version"] = v
		}
	}
	return ev
}

// resolve runs the DNS layer l for host (IP literals skip it).
func (c *chain) resolve(ctx context.Context, l Layer, host string, ev *Evidence) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	dctx, cancel := context.WithTimeout(ctx, c.t.DNS)
	dns := probe.DNS(dctx, host, c.o.DNS)
	cancel()
	ev.DNS = &dns
	c.layer(l, dns.Duration, dns.Err, dnsDetail(dns))
	if dns.Err != nil {
		return nil, dns.Err
	}
	if len(dns.Addrs()) == 0 {
		return nil, errors.New("no addresses")
	}
	return dns.Addrs(), nil
}

// direct resolves and connects to the target itself.
func (c *chain) direct(ctx context.Context, ev Evidence) (net.Conn, Evidence, error) {
	addrs, err := c.resolve(ctx, LayerDNS, c.host, &ev)
	if err != nil {
		ev.Layer, ev.Err = LayerDNS, err
		return nil, ev, err
	}
	for _, a := range addrs {
		if fakeIPNet.Contains(a.Unmap()) {
			c.res.Notes = append(c.res.Notes, "the name resolved into 198.18.0.0/15 (Clash fake-IP): it works only through the proxy client")
			break
		}
	}
	conn, addr, err := c.connect(ctx, LayerTCP, addrs, c.port)
	c.targetAddr, ev.Addr = addr, addr
	if err != nil {
		ev.Layer, ev.Err = LayerTCP, err
		return nil, ev, err
	}
	return conn, ev, nil
}

// connect dials the first address of each family concurrently (so a broken
// IPv6 path neither hides nor delays a working IPv4 one) and keeps the first
// success. It records one layer with a detail per family.
func (c *chain) connect(ctx context.Context, l Layer, addrs []netip.Addr, port string) (net.Conn, netip.Addr, error) {
	var picks []netip.Addr
	var have4, have6 bool
	for _, a := range addrs {
		a = a.Unmap()
		if a.Is4() && !have4 {
			picks, have4 = append(picks, a), true
		} else if a.Is6() && !have6 {
			picks, have6 = append(picks, a), true
		}
	}
	if len(picks) == 0 {
		err := errors.New("no address to connect to")
		c.layer(l, 0, err, nil)
		return nil, netip.Addr{}, err
	}
	cctx, cancel := context.WithTimeout(ctx, c.t.Connect)
	defer cancel()
	results := make([]probe.TCPResult, len(picks))
	var wg sync.WaitGroup
	for i, a := range picks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			network := "tcp4"
			if a.Is6() {
				network = "tcp6"
			}
			results[i] = probe.TCP(cctx, network, net.JoinHostPort(a.String(), port))
		}()
	}
	wg.Wait()
	detail := map[string]string{}
	best := -1
	var longest time.Duration
	for i, r := range results {
		s := r.Addr + " ok"
		if r.Err != nil {
			s = r.Addr + " " + r.Err.Error()
		}
		detail[r.Network] = fmt.Sprintf("%s (%.1f ms)", s, ms(r.Duration))
		longest = max(longest, r.Duration)
		if r.Err == nil {
			if best < 0 {
				best = i
			} else {
				r.Conn.Close()
			}
		}
	}
	if best >= 0 {
		r := results[best]
		c.conns = append(c.conns, r.Conn)
		detail["connected"] = r.Addr
		for i, f := range results {
			if l == LayerTCP && f.Err != nil && picks[i].Is6() && picks[best].Is4() {
				c.v6Broken = f.Addr + " " + f.Err.Error()
			}
		}
		c.layer(l, r.Duration, nil, detail)
		return r.Conn, picks[best], nil
	}
	// All failed: report the most telling family. "No IPv6 route" is common
	// and says nothing about the provider, so another family's error wins.
	pick := 0
	for i := range results {
		if kindOf(results[i].Err) != KindNetUnreach {
			pick = i
			break
		}
	}
	c.layer(l, longest, results[pick].Err, detail)
	return nil, picks[pick], results[pick].Err
}

// viaProxy probes the proxy as its own layers and opens a tunnel to the
// target through it. The proxy resolves the target's name, as in new-api.
func (c *chain) viaProxy(ctx context.Context, ev Evidence) (net.Conn, Evidence, error) {
	p := c.proxy
	ev.ViaProxy = true
	c.proxyHost, c.proxyPort = p.Hostname(), p.Port()
	if c.proxyPort == "" {
		c.proxyPort = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[p.Scheme]
	}
	fail := func(l Layer, err error) (net.Conn, Evidence, error) {
		ev.Layer, ev.Err = l, err
		return nil, ev, err
	}
	addrs, err := c.resolve(ctx, LayerProxyDNS, c.proxyHost, &ev)
	if err != nil {
		return fail(LayerProxyDNS, err)
	}
	conn, addr, err := c.connect(ctx, LayerProxyTCP, addrs, c.proxyPort)
	c.proxyAddr, ev.Addr = addr, addr
	if err != nil {
		return fail(LayerProxyTCP, err)
	}
	if p.Scheme == "https" {
		tctx, cancel := context.WithTimeout(ctx, c.t.TLS)
		tr := probe.TLS(tctx, conn, &tls.Config{ServerName: c.proxyHost, NextProtos: []string{"http/1.1"}})
		cancel()
		c.layer(LayerProxyTLS, tr.Duration, tr.Err, tlsDetail(tr))
		if tr.Err != nil {
			return fail(LayerProxyTLS, tr.Err)
		}
		c.conns = append(c.conns, tr.Conn)
		conn = tr.Conn
	}
	if absoluteForm(c.target, p) {
		return conn, ev, nil
	}
	target := net.JoinHostPort(c.host, c.port)
	// The proxy itself resolves and dials the target: give it a connect's
	// and a DNS lookup's worth of time.
	pctx, cancel := context.WithTimeout(ctx, c.t.Connect+c.t.DNS)
	var pr probe.ProxyResult
	if p.Scheme == "socks5" || p.Scheme == "socks5h" {
		pr = probe.SOCKS5(pctx, conn, target, p.User)
	} else {
		pr = probe.HTTPConnect(pctx, conn, target, p.User)
	}
	cancel()
	ev.Proxy = &pr
	c.layer(LayerProxyConnect, pr.Duration, pr.Err, proxyDetail(pr))
	if pr.Err != nil {
		return fail(LayerProxyConnect, pr.Err)
	}
	if pr.Conn != nil && pr.Conn != conn {
		c.conns = append(c.conns, pr.Conn)
		conn = pr.Conn
	}
	return conn, ev, nil
}

// absoluteForm: a plain-HTTP target through an http(s) proxy is asked in
// absolute form on the proxy connection, with no tunnel. Every other proxied
// request travels in a tunnel (CONNECT or SOCKS5) the chain has opened, and
// the HTTP layer must not apply the proxy again inside it: a SOCKS greeting
// sent to the target hung until the HTTP timeout (issue 9.1). One predicate
// decides both sides.
func absoluteForm(target, proxy *url.URL) bool {
	return proxy != nil && target.Scheme == "http" && (proxy.Scheme == "http" || proxy.Scheme == "https")
}

func (c *chain) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{ServerName: c.host, NextProtos: []string{"http/1.1"}}
	if c.ep.CAFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(c.ep.CAFile)
	if err != nil {
		return nil, &CAFileError{Path: c.ep.CAFile, Err: err}
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &CAFileError{Path: c.ep.CAFile, Err: errors.New("no PEM certificate in file")}
	}
	cfg.RootCAs = pool
	return cfg, nil
}

func (c *chain) facts(ev Evidence) HintFacts {
	f := HintFacts{Host: c.host, Port: c.port, ProxyFrom: c.res.Proxy.Source, Provider: c.ep.Provider, InDocker: inContainer()}
	if c.proxy != nil {
		f.Proxy = net.JoinHostPort(c.proxyHost, c.proxyPort)
		f.ProxyCreds = c.proxy.User != nil
	}
	if c.target != nil {
		f.Path = c.target.Path
		f.APIVersion = c.target.Query().Get("api-version")
	}
	f.FullURL = c.ep.Extra[ExtraFullURL] == "true"
	f.KeyUnavailable = c.ep.Extra[ExtraKeyUnavailable] == "true"
	if ev.HTTP != nil {
		f.Status, f.RetryAfter = ev.HTTP.Status, ev.HTTP.RetryAfter
	}
	var ce *probe.ConnectError
	if errors.As(ev.Err, &ce) {
		f.Status = ce.StatusCode
	}
	if ev.DNS != nil {
		f.Resolver = ev.DNS.Resolver
		f.ResolverUnnamed = resolverUnnamed(ev.Err)
	}
	f.Evidence = ev.LookEvidence
	var ua x509.UnknownAuthorityError
	if errors.As(ev.Err, &ua) && ua.Cert != nil {
		f.Issuer = ua.Cert.Issuer.String()
	} else if c.tlsRes != nil && len(c.tlsRes.Chain) > 0 {
		f.Issuer = c.tlsRes.Chain[0].Issuer
	}
	return f
}

func (c *chain) message(ev Evidence, cat Category) string {
	switch {
	case ev.Err != nil:
		s := fmt.Sprintf("%s failed: %v", ev.Layer, ev.Err)
		// What the resolver answered is not in Go's error text: say it, so
		// the message alone names the cause (explain reads it back).
		if d := ev.DNS; d != nil && (ev.Layer == LayerDNS || ev.Layer == LayerProxyDNS) {
			if d.NoResolver {
				s += " (no resolver configured)"
			} else if d.Rcode != "" {
				s += " (rcode " + d.Rcode + ")"
			}
		}
		if ev.AdminProhibited {
			s += " (a router answered: administratively prohibited)"
		}
		if ev.PortGuessed {
			s += " (the port is a guess)"
		}
		if p := ev.Lookalike.Phrase(); p != "" {
			s += " (" + p + ": " + ev.LookEvidence + ")"
		}
		return s
	case ev.HTTP != nil:
		s := fmt.Sprintf("answered HTTP %d in %.0f ms", ev.HTTP.Status, ms(ev.HTTP.Timings.Total))
		if ev.NewAPIVersion != "" {
			s += " (new-api " + ev.NewAPIVersion + ")"
		}
		if ev.IPv6Failed {
			s += " (IPv6 failed, IPv4 answered)"
		}
		if !ev.KeySent && (ev.HTTP.Status == http.StatusUnauthorized || ev.HTTP.Status == http.StatusForbidden) {
			s += " (no key sent)"
		}
		if p := ev.Lookalike.Phrase(); p != "" {
			s += " (" + p + ": " + ev.LookEvidence + ")"
		}
		if cat != CatOK {
			if ev.HTTP.ErrorMessage != "" {
				s += ": " + truncate(ev.HTTP.ErrorMessage, 200)
			}
			// The provider's error type and code say as much as its words.
			for _, w := range []string{ev.HTTP.ErrorType, ev.HTTP.ErrorCode} {
				if w != "" && !strings.Contains(s, w) {
					s += " [" + truncate(w, 80) + "]"
				}
			}
			if isHTML(ev.HTTP) {
				s += " (an HTML page where JSON was expected)"
			}
		}
		return s
	}
	return string(ev.Layer) + " failed"
}

func dnsDetail(r probe.DNSResult) map[string]string {
	d := map[string]string{"resolver": r.Resolver}
	if len(r.A) > 0 {
		d["a"] = joinAddrs(r.A)
	}
	if len(r.AAAA) > 0 {
		d["aaaa"] = joinAddrs(r.AAAA)
	}
	if r.Rcode != "" {
		d["rcode"] = r.Rcode
	}
	if r.NoResolver {
		d["no_resolver"] = "true"
	}
	return d
}

func joinAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, " ")
}

func tlsDetail(r probe.TLSResult) map[string]string {
	d := map[string]string{"server_name": r.ServerName, "verified": fmt.Sprint(r.Verified)}
	if r.Version != "" {
		d["version"] = r.Version
	}
	if r.ALPN != "" {
		d["alpn"] = r.ALPN
	}
	if len(r.Chain) > 0 {
		leaf := r.Chain[0]
		d["subject"], d["issuer"] = leaf.Subject, leaf.Issuer
		d["not_before"] = leaf.NotBefore.UTC().Format(time.RFC3339)
		d["not_after"] = leaf.NotAfter.UTC().Format(time.RFC3339)
	}
	return d
}

func httpDetail(r probe.HTTPResult, keySent bool) map[string]string {
	d := map[string]string{"url": r.URL, "key_sent": fmt.Sprint(keySent)}
	set := func(k, v string) {
		if v != "" {
			d[k] = v
		}
	}
	if r.Status != 0 {
		d["status"] = fmt.Sprint(r.Status)
	}
	set("content_type", r.ContentType)
	set("retry_after", r.RetryAfter)
	set("error_type", r.ErrorType)
	set("error_code", r.ErrorCode)
	set("error_message", truncate(r.ErrorMessage, 300))
	set("server", r.Server)
	set("date", r.Date)
	if r.Timings.FirstByte > 0 {
		d["ttfb_ms"] = fmt.Sprintf("%.1f", ms(r.Timings.FirstByte))
	}
	for k, v := range r.RateLimit {
		d[strings.ToLower(k)] = v
	}
	return d
}

func proxyDetail(r probe.ProxyResult) map[string]string {
	d := map[string]string{"kind": r.Kind, "target": r.Target}
	if r.Status != 0 {
		d["status"] = fmt.Sprint(r.Status)
	}
	if r.StatusText != "" {
		d["status_text"] = r.StatusText
	}
	// What the proxy said besides its status (squid's error name, its page).
	var ce *probe.ConnectError
	if errors.As(r.Err, &ce) {
		if xe := ce.Header.Get("X-Squid-Error"); xe != "" {
			d["x_squid_error"] = xe
		}
		if t := pageText(ce.Body); t != "" {
			d["page"] = truncate(t, 300)
		}
	}
	if r.Kind == "socks5" && r.Err != nil {
		d["socks_reply"] = fmt.Sprint(r.SOCKSReply)
	}
	return d
}

// truncate cuts s to at most n bytes on a rune boundary: providers answer
// in Chinese too, and half a rune would print as U+FFFD.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// inContainer: hints about localhost differ inside Docker.
func inContainer() bool {
	_, err := os.Stat("/.dockerenv")
	return err == nil
}

// newAPIVersion reads new-api's public /api/status answer.
func newAPIVersion(body []byte) string {
	var st struct {
		Success bool `json:"success"`
		Data    struct {
			Version string `json:"version"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &st) != nil || !st.Success {
		return ""
	}
	return st.Data.Version
}
