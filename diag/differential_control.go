package diag

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// A control target (issue 11 item 8): for a blocked, unreachable or timeout
// verdict, the same path (direct, or through the same proxy) is tried to a
// control. A control that answers proves the network and the proxy work:
// only the endpoint is filtered. Every control failing the same way says
// the network or the proxy is down. A control that cannot be resolved
// proves neither (a resolver that only knows some names is no evidence).

// DefaultControls are well-known domestic (mainland China) and foreign
// hosts; check's --control replaces them.
var DefaultControls = []string{"https://www.baidu.com", "https://www.qq.com", "https://www.microsoft.com", "https://www.cloudflare.com"}

// controlApplies: blocked, unreachable and timeout verdicts, before the
// answer was read (an HTTP answer proves the path), unless another look-
// alike already explains it.
func controlApplies(c *chain, ev *Evidence, cause Cause) bool {
	if len(c.o.Controls) == 0 || ev.Lookalike != LookNone || ev.Err == nil {
		return false
	}
	switch ev.Layer {
	case LayerConfig, LayerDNS, LayerProxyDNS:
		return false
	case LayerHTTP:
		// The request reached the target over a connection that worked: a
		// timeout there is the server's, and controls would prove nothing
		// about the path (behind a proxy whose egress is limited to the
		// target, they would even read as "the proxy is down").
		return false
	}
	cat := cause.Category()
	return cat == CatBlocked || cat == CatUnreachable || kindOf(ev.Err) == KindTimeout
}

type controlResult struct {
	target string
	ok     bool
	took   time.Duration
	err    error
	noName bool // the control could not be resolved (inconclusive)
}

func controlDifferential(ctx context.Context, c *chain, ev *Evidence) diffOutcome {
	rs := make([]controlResult, len(c.o.Controls))
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for i, raw := range c.o.Controls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs[i] = c.probeControl(cctx, raw)
			if rs[i].ok {
				cancel() // one control that answers is the proof
			}
		}()
	}
	wg.Wait()
	var failed, unresolved []string
	for _, r := range rs {
		switch {
		case r.ok:
			return diffOutcome{look: LookEndpointFiltered, evidence: fmt.Sprintf("the control %s answered through the same path in %s", r.target, msText(r.took))}
		case r.noName:
			unresolved = append(unresolved, r.target)
		default:
			failed = append(failed, r.target+": "+shortErr(r.err))
		}
	}
	if len(failed) == 0 {
		return diffOutcome{evidence: "no control could be resolved (" + strings.Join(unresolved, ", ") + "): inconclusive"}
	}
	both := fmt.Sprintf("%d of %d controls failed through the same path too (%s)", len(failed), len(rs), strings.Join(failed, "; "))
	if ev != nil && ev.Layer == LayerTLS {
		// TCP to the target itself connected: the network and the proxy
		// carried it, so failing controls cannot mean they are down.
		return diffOutcome{evidence: both + ", yet the connection to the target itself was made: inconclusive"}
	}
	return diffOutcome{look: LookPathDown, evidence: both}
}

// probeControl connects to one control along the chain's path, and
// handshakes TLS for an https control: a TLS answer of any kind (even a
// rejected certificate) proves the bytes went both ways.
func (c *chain) probeControl(ctx context.Context, raw string) controlResult {
	t0 := time.Now()
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return controlResult{target: raw, err: fmt.Errorf("not a URL: %q", raw)}
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	r := controlResult{target: net.JoinHostPort(host, port)}
	var addr netip.Addr
	if c.proxy == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			addr = a
		} else {
			dctx, cancel := context.WithTimeout(ctx, c.t.DNS)
			d := probe.DNS(dctx, host, c.o.DNS)
			cancel()
			if d.Err != nil || len(d.Addrs()) == 0 {
				r.noName = true
				return r
			}
			addr = d.Addrs()[0]
		}
	}
	conn, err := c.dialPath(ctx, false, addr, host, port, true)
	if err != nil {
		var ce *probe.ConnectError
		if errors.As(err, &ce) {
			if l, _ := proxySaid(ce); l == LookProxyTargetDNS {
				r.noName = true // the proxy could not resolve it
				return r
			}
		}
		r.err, r.took = err, time.Since(t0)
		return r
	}
	defer conn.Close()
	if u.Scheme == "https" {
		tctx, cancel := context.WithTimeout(ctx, c.t.TLS)
		tr := probe.TLS(tctx, conn, &tls.Config{ServerName: host, NextProtos: []string{"http/1.1"}})
		cancel()
		if tr.Conn != nil {
			tr.Conn.Close()
		}
		if !answeredTLS(tr) {
			r.err, r.took = tr.Err, time.Since(t0)
			return r
		}
	}
	r.ok, r.took = true, time.Since(t0)
	return r
}
