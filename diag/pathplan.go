package diag

import (
	"context"
	"net/netip"
	"strconv"
	"sync"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// localise localises the path of a verdict that wants it (blocked,
// unreachable, silent; every verdict with --deep). A path already proven
// open by a connection is reported without probing unless --deep, and each
// distinct (address, port) is probed once per run (pathFlight).
func (c *chain) localise(ctx context.Context, ev Evidence, cat Category, cause Cause) *PathInfo {
	if c.o.PathProbe == nil || !c.wantPath(cat, cause) || attemptOf(ctx) != 1 { // retries keep the first path
		return nil
	}
	t, proven := c.pathTarget(ctx, ev)
	if proven != "" && !c.o.Deep {
		return provenOpen(t, proven)
	}
	if !t.Addr.IsValid() {
		return nil
	}
	pi := c.o.paths.do(ctx, t, c.o.PathProbe)
	if pi != nil && c.proxy != nil && t.Role == PathRoleTarget {
		pi.addSummary(ph(" (probed from this machine directly, not through the proxy)"))
	}
	return pi
}

func (c *chain) wantPath(cat Category, cause Cause) bool {
	return c.o.Deep || cat == CatBlocked || cat == CatUnreachable || cause == CauseNoResponse ||
		cause == CauseProxyTimeout || cause == CauseProxyUnreachable
}

// pathTarget picks what to localise: the one that broke. With a proxy in
// the path that is the proxy when its own layers failed, else the target
// behind it (probed directly when this machine can resolve it; the proxy
// otherwise). proven names the layer whose connection already proved that
// path open ("" = not proven).
func (c *chain) pathTarget(ctx context.Context, ev Evidence) (t PathTarget, proven Layer) {
	target := PathTarget{Host: c.host, Addr: c.targetAddr, Port: atoiPort(c.port), Role: PathRoleTarget}
	if c.proxy == nil {
		if ev.Layer == LayerTLS || ev.Layer == LayerHTTP {
			proven = LayerTCP
		}
		return target, proven
	}
	px := PathTarget{Host: c.proxyHost, Addr: c.proxyAddr, Port: atoiPort(c.proxyPort), Role: PathRoleProxy}
	switch ev.Layer {
	case LayerProxyDNS, LayerProxyTCP:
		return px, ""
	case LayerProxyTLS:
		return px, LayerProxyTCP
	}
	// Past the proxy's own layers: the proxy is reachable, the target
	// behind it is the one that broke.
	if (ev.Layer == LayerTLS || ev.Layer == LayerHTTP) && ev.Proxy != nil && ev.Proxy.Err == nil {
		proven = LayerProxyConnect // the proxy connected to the target's port
		if !c.o.Deep {
			return target, proven
		}
	}
	if !target.Addr.IsValid() {
		target.Addr = c.resolveDirect(ctx, c.host)
	}
	if !target.Addr.IsValid() {
		// No address here for the target (the proxy resolves it): the
		// proxy is the nearest thing this machine can probe.
		return px, proven
	}
	return target, proven
}

// resolveDirect resolves host from this machine, for probing a target that
// sits behind a proxy (zero when it has no address here).
func (c *chain) resolveDirect(ctx context.Context, host string) netip.Addr {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap()
	}
	dctx, cancel := context.WithTimeout(ctx, c.t.DNS)
	defer cancel()
	r := probe.DNS(dctx, host, c.o.DNS)
	if as := r.Addrs(); len(as) > 0 {
		return as[0].Unmap()
	}
	return netip.Addr{}
}

func atoiPort(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// provenOpen is the localisation a connection already gave: the path to
// the port is open, so ping and trace would only say so again.
func provenOpen(t PathTarget, by Layer) *PathInfo {
	pi := &PathInfo{Target: t.label(), Probed: t.role(), Port: t.Port, Verdict: PathTCPOpen, ProvenBy: by}
	port := strconv.Itoa(t.Port) // the catalogue groups the digits of %d ≥ 1000
	var s phrase
	switch by {
	case LayerProxyConnect:
		s = ph("the proxy connected to the target's TCP %s (the %s layer): the network path is open; %s", port, string(by), aboveTCP)
	case LayerProxyTCP:
		s = ph("the proxy accepted TCP %s (the %s layer connected): the path to the proxy is open; anything wrong is above TCP (the proxy's TLS)", port, string(by))
	default:
		s = ph("%s accepted TCP %s (the %s layer connected): the network path is open; %s", t.who(), port, string(by), aboveTCP)
	}
	pi.setSummary(seq(s, ph("; --deep pings and traces it anyway")))
	return pi
}

// pathFlight localises each distinct (address, port, role) once per run and
// gives every endpoint that shares it the same result: in an outage many
// channels share a host, and N localisations of one path cost N times the
// probes for one answer.
type pathFlight struct {
	mu    sync.Mutex
	calls map[pathKey]*pathCall
}

type pathKey struct {
	addr netip.Addr
	port int
	role string
}

type pathCall struct {
	done chan struct{}
	pi   *PathInfo
}

func newPathFlight() *pathFlight { return &pathFlight{calls: map[pathKey]*pathCall{}} }

// do returns run(t)'s result for t's key, running it only for the first
// caller; the others wait for it (or their ctx). Each caller gets its own
// copy, named after its own host.
func (f *pathFlight) do(ctx context.Context, t PathTarget, run func(context.Context, PathTarget) *PathInfo) *PathInfo {
	if f == nil {
		return run(ctx, t)
	}
	k := pathKey{t.Addr, t.Port, t.role()}
	f.mu.Lock()
	call, ok := f.calls[k]
	if !ok {
		call = &pathCall{done: make(chan struct{})}
		f.calls[k] = call
	}
	f.mu.Unlock()
	if !ok {
		call.pi = run(ctx, t)
		close(call.done)
	} else {
		select {
		case <-call.done:
		case <-ctx.Done():
			return nil
		}
	}
	if call.pi == nil {
		return nil
	}
	pi := *call.pi
	pi.Target = t.label()
	return &pi
}
