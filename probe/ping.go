package probe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"time"

	"github.com/newapi-doctor/newapi-doctor/i18n"
	probing "github.com/prometheus-community/pro-bing"
)

// PingOptions shape one ping run. Zero fields take the defaults.
type PingOptions struct {
	Count    int           // echo requests (default 4)
	Interval time.Duration // between requests (default 1s)
	// Timeout bounds the whole run (default Count*Interval + 2s). The caller's
	// ctx deadline, when earlier, wins.
	Timeout time.Duration
	Network string // "ip" (default), "ip4" or "ip6"
	// Privileges overrides detection (tests); nil = DetectPrivileges().
	Privileges *Privileges
}

func (o PingOptions) withDefaults() PingOptions {
	if o.Count <= 0 {
		o.Count = 4
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Duration(o.Count)*o.Interval + 2*time.Second
	}
	if o.Network == "" {
		o.Network = "ip"
	}
	return o
}

// PingReply is one echo reply.
type PingReply struct {
	Seq   int     `json:"seq"`
	RTTMS float64 `json:"rtt_ms"`
	TTL   int     `json:"ttl"`
}

// PingResult is one ping run: replies, loss and RTT statistics. A run that
// could not start for lack of privileges is Skipped with the exact Fix.
type PingResult struct {
	Target string     `json:"target"`
	Addr   netip.Addr `json:"addr,omitzero"`
	// Mode: "privileged" (raw ICMP) or "unprivileged" (ICMP echo socket).
	Mode       string      `json:"mode,omitempty"`
	Sent       int         `json:"sent"`
	Received   int         `json:"received"`
	Duplicates int         `json:"duplicates,omitempty"`
	LossPct    float64     `json:"loss_pct"`
	MinMS      float64     `json:"min_ms"`
	AvgMS      float64     `json:"avg_ms"`
	MaxMS      float64     `json:"max_ms"`
	StdDevMS   float64     `json:"stddev_ms"`
	Replies    []PingReply `json:"replies,omitempty"`
	Skipped    bool        `json:"skipped,omitempty"`
	SkipReason string      `json:"skip_reason,omitempty"`
	Fix        string      `json:"fix,omitempty"`
	Error      string      `json:"error,omitempty"`
	DurationMS float64     `json:"duration_ms"`
	Err        error       `json:"-"`
	// skip and fix are SkipReason and Fix as messages.
	skip, fix i18n.Msg
}

// Reached reports whether any reply came back.
func (r PingResult) Reached() bool { return r.Received > 0 }

// SkipReasonMsg and FixMsg are those fields as messages, to render in a
// language (the field as it is when set by hand or read back).
func (r PingResult) SkipReasonMsg() i18n.Msg { return msgOr(r.skip, r.SkipReason) }
func (r PingResult) FixMsg() i18n.Msg        { return msgOr(r.fix, r.Fix) }

// ErrNoPrivilege is wrapped by skipped results' Err.
var ErrNoPrivilege = errors.New("no privilege for ICMP")

// Ping sends ICMP echo requests to host (a name or an address) and gathers
// the replies. Privileged, it uses the process's shared raw ICMP socket
// (icmpmux.go); unprivileged (and on Windows) pro-bing. It never blocks past
// ctx or o.Timeout: pro-bing's own timeout defaults to forever, so the run
// is always bounded by a context deadline.
func Ping(ctx context.Context, host string, o PingOptions) (res PingResult) {
	o = o.withDefaults()
	start := time.Now()
	res = PingResult{Target: host}
	defer func() { res.DurationMS = msf(time.Since(start)) }()

	addr, err := resolveOne(ctx, host, o.Network)
	if err != nil {
		res.Err, res.Error = err, err.Error()
		return res
	}
	res.Addr = addr

	if systemICMP {
		// Windows: iphlpapi, as ping.exe does (no Administrator, TTL known).
		return pingSystem(ctx, res, o)
	}
	priv := privilegesOr(o.Privileges)
	privileged := false
	switch {
	case priv.Raw:
		privileged = true
	case priv.PingSocket:
	default:
		return skippedPing(res, priv)
	}

	res.Mode = map[bool]string{true: "privileged", false: "unprivileged"}[privileged]
	if privileged && sharedICMP {
		rctx, cancel := context.WithTimeout(ctx, o.Timeout)
		defer cancel()
		if err := pingMux(rctx, addr, o, &res); err != nil {
			if isPermission(err) {
				return skippedPing(res, priv)
			}
			res.Err, res.Error = err, err.Error()
		} else if err := ctxErrUnlessDeadline(ctx); err != nil {
			res.Err, res.Error = err, err.Error()
		}
		return res
	}

	p := probing.New(addr.String())
	p.SetLogger(probing.NoopLogger{}) // probes never print
	p.SetIPAddr(&net.IPAddr{IP: addr.AsSlice(), Zone: addr.Zone()})
	p.SetPrivileged(privileged)
	p.Count = o.Count
	p.Interval = o.Interval
	p.Timeout = o.Timeout
	p.OnRecv = func(pk *probing.Packet) {
		res.Replies = append(res.Replies, PingReply{Seq: pk.Seq, RTTMS: msf(pk.Rtt), TTL: pk.TTL})
	}
	rctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	err = p.RunWithContext(rctx)
	st := p.Statistics()
	res.Sent, res.Received, res.Duplicates = st.PacketsSent, st.PacketsRecv, st.PacketsRecvDuplicates
	if res.Sent > 0 {
		res.LossPct = math.Round(st.PacketLoss*10) / 10
	}
	if res.Received > 0 {
		res.MinMS, res.AvgMS, res.MaxMS, res.StdDevMS = msf(st.MinRtt), msf(st.AvgRtt), msf(st.MaxRtt), msf(st.StdDevRtt)
	}
	// The deadline ending the run is how a lossy ping stops; only a
	// cancelled caller or a socket error is an error.
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		if ctx.Err() == nil && isPermission(err) {
			return skippedPing(res, priv)
		}
		res.Err, res.Error = err, err.Error()
	}
	return res
}

func skippedPing(res PingResult, priv Privileges) PingResult {
	res.Skipped = true
	res.skip = i18n.M("ping needs raw ICMP or an ICMP echo socket: %s", priv.DetailMsg())
	res.fix = pingFix(selfPath())
	res.SkipReason, res.Fix = res.skip.In(i18n.EN), res.fix.In(i18n.EN)
	res.Err = fmt.Errorf("%w: %s", ErrNoPrivilege, priv.Detail)
	return res
}

// resolveOne returns host's first address of the wanted family.
func resolveOne(ctx context.Context, host, network string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		if (network == "ip4" && !a.Unmap().Is4()) || (network == "ip6" && a.Unmap().Is4()) {
			return netip.Addr{}, fmt.Errorf("%s is not an %s address", host, map[string]string{"ip4": "IPv4", "ip6": "IPv6"}[network])
		}
		return a.Unmap(), nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, network, host)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, a := range addrs {
		return a.Unmap(), nil
	}
	return netip.Addr{}, fmt.Errorf("%s has no address", host)
}

func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
