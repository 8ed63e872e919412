package main

import (
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/newapi-doctor/newapi-doctor/probe"
	"github.com/newapi-doctor/newapi-doctor/report"
)

// pathFamily holds -4/-6, shared by ping and trace.
type pathFamily struct{ v4, v6 bool }

func (p *pathFamily) addFlags(cmd *cobra.Command) {
	cmd.Flags().BoolVarP(&p.v4, "ipv4", "4", false, "use IPv4 only")
	cmd.Flags().BoolVarP(&p.v6, "ipv6", "6", false, "use IPv6 only")
}

func (p *pathFamily) network() (string, error) {
	switch {
	case p.v4 && p.v6:
		return "", usageError("-4 and -6 exclude each other")
	case p.v4:
		return "ip4", nil
	case p.v6:
		return "ip6", nil
	}
	return "ip", nil
}

// pathHost accepts a host name, an address or a URL (its host is used), so
// an endpoint's URL can be pasted as is.
func pathHost(args []string) (string, error) {
	if len(args) != 1 {
		return "", usageError("want exactly one HOST (a name, an address or a URL), got %d arguments", len(args))
	}
	h := strings.TrimSpace(args[0])
	if strings.Contains(h, "://") {
		u, err := url.Parse(h)
		if err != nil || u.Hostname() == "" {
			return "", usageError("HOST %q: not a usable URL", h)
		}
		h = u.Hostname()
	}
	h = strings.Trim(h, "[]")
	if a, err := netip.ParseAddr(h); err == nil {
		// netip takes any zone ("::1%/"); an interface name is what a zone is.
		if z := a.Zone(); strings.Trim(z, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != "" {
			return "", usageError("HOST %q: %q is not an interface name", args[0], z)
		}
		return h, nil
	}
	if h == "" || len(h) > 253 || strings.HasPrefix(h, "-") || strings.Trim(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != "" {
		return "", usageError("HOST %q: not a host name, address or URL", args[0])
	}
	return h, nil
}

// pathArgs checks what ping and trace share, in the same order for both:
// the one HOST, -4/-6, and a format they can write.
func pathArgs(f *Factory, args []string, fam *pathFamily) (host, network string, err error) {
	if host, err = pathHost(args); err != nil {
		return "", "", err
	}
	if network, err = fam.network(); err != nil {
		return "", "", err
	}
	return host, network, pathFormat(f)
}

// pathFormat: ping and trace speak text and json only.
func pathFormat(f *Factory) error { return textOrJSON(f, "ping and trace") }

// textOrJSON refuses the other formats before anything is probed.
func textOrJSON(f *Factory, what string) error {
	if f.Format != "text" && f.Format != "json" {
		return usageError("--format %q: %s can only write text or json", f.Format, what)
	}
	return nil
}

func newPingCmd(f *Factory) *cobra.Command {
	var (
		fam     pathFamily
		count   int
		every   time.Duration
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "ping HOST",
		Short: "ICMP echo to a host: replies with RTT and TTL, loss, min/avg/max/stddev",
		Long: `ping sends ICMP echo requests to HOST (a name, an address or an endpoint URL).

It needs raw ICMP (root or CAP_NET_RAW) or, on Linux, unprivileged ICMP echo
sockets (the process's group inside net.ipv4.ping_group_range); on Windows it
needs Administrator. Without either, ping is skipped and says the exact fix.

Exit codes: 0 at least one reply, 0 skipped (no privilege; the output says
"skipped" and the fix), 1 no reply or the host could not be resolved,
2 bad input.`,
		Example: `  newapi-doctor ping api.openai.com
  newapi-doctor ping 203.0.113.10 --count 10 --interval 200ms --format json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			host, network, err := pathArgs(f, args, &fam)
			if err != nil {
				return err
			}
			if count < 1 || count > 10000 {
				return usageError("--count %d: want 1 to 10000", count)
			}
			if every < time.Millisecond || timeout < 0 {
				return usageError("--interval must be at least 1ms and --timeout not negative")
			}
			f.Redactor().AddHost(host)
			r := probe.Ping(cmd.Context(), host, probe.PingOptions{Count: count, Interval: every, Timeout: timeout, Network: network})
			if err := report.RenderPing(f.IO.Out, &r, f.Format, f.RenderOptions(false)); err != nil {
				return err
			}
			if !r.Skipped && !r.Reached() {
				return &ExitError{Code: ExitFailure}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.IntVarP(&count, "count", "c", 4, "echo requests to send")
	fl.DurationVarP(&every, "interval", "i", time.Second, "time between requests")
	fl.DurationVar(&timeout, "timeout", 0, "bound for the whole run (default count×interval + 2s)")
	fam.addFlags(cmd)
	return cmd
}
