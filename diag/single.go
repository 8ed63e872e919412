package diag

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// ProbeReport is the result of one single-layer command (dns, tcp, tls):
// the probe's typed result plus the same verdict `check` would give.
type ProbeReport struct {
	SchemaVersion int      `json:"schema_version"`
	Probe         string   `json:"probe"`
	Target        string   `json:"target"`
	OK            bool     `json:"ok"`
	Category      Category `json:"category"`
	Cause         Cause    `json:"cause"`
	Hint          string   `json:"hint,omitempty"`
	Error         string   `json:"error,omitempty"`
	DurationMS    float64  `json:"duration_ms"`
	Result        any      `json:"result"`
}

// finish stamps the time, the typed result and the verdict check would give.
func (pr ProbeReport) finish(start time.Time, result any, ev Evidence, f HintFacts) ProbeReport {
	pr.SchemaVersion = SchemaVersion
	pr.DurationMS = ms(time.Since(start))
	pr.Result = result
	if ev.Err == nil {
		pr.OK, pr.Category, pr.Cause = true, CatOK, CauseOK
		return pr
	}
	pr.Error = ev.Err.Error()
	pr.Category, pr.Cause = Classify(ev)
	pr.Hint = HintFor(pr.Cause, f)
	return pr
}

// ProbeDNS resolves one name (A and AAAA) and classifies a failure.
func ProbeDNS(ctx context.Context, name string, o RunOptions) ProbeReport {
	t := o.Timeouts.WithDefaults()
	dctx, cancel := context.WithTimeout(ctx, t.DNS)
	defer cancel()
	start := time.Now()
	r := probe.DNS(dctx, name, o.DNS)
	return ProbeReport{Probe: "dns", Target: name}.finish(start, r, Evidence{Layer: LayerDNS, Err: r.Err, DNS: &r}, HintFacts{Host: name, Resolver: r.Resolver, ResolverUnnamed: resolverUnnamed(r.Err)})
}

// TCPAttempt is one address tried by ProbeTCP.
type TCPAttempt struct {
	Addr       string  `json:"addr"`
	Network    string  `json:"network"`
	OK         bool    `json:"ok"`
	DurationMS float64 `json:"duration_ms"`
	Error      string  `json:"error,omitempty"`
}

// ProbeTCP resolves host and connects to every address (both families), so
// an IPv6-only fault is visible beside a working IPv4 path.
func ProbeTCP(ctx context.Context, hostport string, o RunOptions) ProbeReport {
	start := time.Now()
	pr := ProbeReport{Probe: "tcp", Target: hostport}
	host, port, addrs, dnsRes, err := resolveHostPort(ctx, hostport, "", o)
	if err != nil {
		return pr.finish(start, dnsRes, Evidence{Layer: layerForResolveErr(err), Err: err, DNS: dnsRes}, HintFacts{Host: host})
	}
	t := o.Timeouts.WithDefaults()
	cctx, cancel := context.WithTimeout(ctx, t.Connect)
	defer cancel()
	attempts := make([]TCPAttempt, len(addrs))
	results := make([]probe.TCPResult, len(addrs))
	done := make(chan int)
	for i, a := range addrs {
		go func() {
			network := "tcp4"
			if a.Is6() && !a.Is4In6() {
				network = "tcp6"
			}
			results[i] = probe.TCP(cctx, network, net.JoinHostPort(a.Unmap().String(), port))
			done <- i
		}()
	}
	for range addrs {
		<-done
	}
	var firstErr error
	var firstAddr netip.Addr
	ok := false
	for i, r := range results {
		attempts[i] = TCPAttempt{Addr: r.Addr, Network: r.Network, OK: r.Err == nil, DurationMS: ms(r.Duration)}
		if r.Err != nil {
			attempts[i].Error = r.Err.Error()
			if firstErr == nil || kindOf(firstErr) == KindNetUnreach {
				firstErr, firstAddr = r.Err, addrs[i]
			}
		} else {
			ok = true
			r.Conn.Close()
		}
	}
	if ok {
		firstErr = nil
	}
	return pr.finish(start, attempts, Evidence{Layer: LayerTCP, Err: firstErr, Addr: firstAddr}, HintFacts{Host: host, Port: port})
}

// ProbeTLS connects and handshakes with host[:port] (default 443).
func ProbeTLS(ctx context.Context, hostport string, o RunOptions) ProbeReport {
	start := time.Now()
	pr := ProbeReport{Probe: "tls", Target: hostport}
	host, port, addrs, dnsRes, err := resolveHostPort(ctx, hostport, "443", o)
	if err != nil {
		return pr.finish(start, dnsRes, Evidence{Layer: layerForResolveErr(err), Err: err, DNS: dnsRes}, HintFacts{Host: host})
	}
	t := o.Timeouts.WithDefaults()
	c := &chain{t: t, o: o, res: &EndpointResult{}, log: discardLogger()}
	conn, addr, err := c.connect(ctx, LayerTCP, addrs, port)
	defer c.closeAll()
	if err != nil {
		return pr.finish(start, c.res.Layers, Evidence{Layer: LayerTCP, Err: err, Addr: addr}, HintFacts{Host: host, Port: port})
	}
	tctx, cancel := context.WithTimeout(ctx, t.TLS)
	defer cancel()
	r := probe.TLS(tctx, conn, &tls.Config{ServerName: host, NextProtos: []string{"h2", "http/1.1"}})
	if r.Conn != nil {
		r.Conn.Close()
	}
	f := HintFacts{Host: host, Port: port}
	if len(r.Chain) > 0 {
		f.Issuer = r.Chain[0].Issuer
	}
	return pr.finish(start, r, Evidence{Layer: LayerTLS, Err: r.Err, TLS: &r}, f)
}

type resolveErr struct{ error }

func layerForResolveErr(err error) Layer {
	var re resolveErr
	if errors.As(err, &re) {
		return LayerConfig
	}
	return LayerDNS
}

// resolveHostPort splits host[:port] and resolves the host.
func resolveHostPort(ctx context.Context, hostport, defPort string, o RunOptions) (string, string, []netip.Addr, *probe.DNSResult, error) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		if defPort == "" {
			return hostport, "", nil, nil, resolveErr{errors.New("want HOST:PORT, got " + strconv.Quote(hostport))}
		}
		host, port = hostport, defPort
	}
	if host == "" || port == "" {
		return host, port, nil, nil, resolveErr{errors.New("want HOST:PORT, got " + strconv.Quote(hostport))}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return host, port, []netip.Addr{a}, nil, nil
	}
	t := o.Timeouts.WithDefaults()
	dctx, cancel := context.WithTimeout(ctx, t.DNS)
	defer cancel()
	r := probe.DNS(dctx, host, o.DNS)
	if r.Err != nil || len(r.Addrs()) == 0 {
		err := r.Err
		if err == nil {
			err = errors.New("no addresses")
		}
		return host, port, nil, &r, err
	}
	return host, port, r.Addrs(), &r, nil
}
