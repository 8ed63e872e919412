package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/newapi-doctor/newapi-doctor/probe"
	"github.com/newapi-doctor/newapi-doctor/report"
)

func newTraceCmd(f *Factory) *cobra.Command {
	var (
		fam     pathFamily
		maxHops int
		probes  int
		port    int
		method  string
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "trace HOST",
		Short: "Traceroute to a host: per hop the address, RTTs and loss, and where it ended",
		Long: `trace finds the hops towards HOST (a name, an address or an endpoint URL) and
where the path ends: reached, destination unreachable (with its ICMP code, from
which hop), or silence after the last hop that answered.

Every TTL is sent at once, so a trace to a silent address takes about one
--timeout, not one per hop.

Methods (--method): icmp is raw ICMP echo with a TTL (root, CAP_NET_RAW or
Administrator); udp is UDP probes read back through IP_RECVERR like tracepath
(Linux, no privilege needed); tcp sends TCP SYNs to --port (Linux, no privilege),
which is what firewalls let through. auto (the default) is tcp when --port is
given, else icmp when privileged, else udp. When no method is possible, the
trace is skipped and says the exact fix.

Exit codes: 0 the target was reached, 0 skipped (the output says "skipped"
and the fix), 1 not reached (unreachable or silence) or the host could not be
resolved, 2 bad input.`,
		Example: `  newapi-doctor trace api.openai.com
  newapi-doctor trace https://api.anthropic.com --port 443
  newapi-doctor trace 203.0.113.10 --max-hops 15 --probes 1 --format json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			host, network, err := pathArgs(f, args, &fam)
			if err != nil {
				return err
			}
			switch {
			case maxHops < 1 || maxHops > 64:
				return usageError("--max-hops %d: want 1 to 64", maxHops)
			case probes < 1 || probes > 10:
				return usageError("--probes %d: want 1 to 10", probes)
			case port < 0 || port > 65535:
				return usageError("--port %d: want 1 to 65535", port)
			case timeout < 10*time.Millisecond:
				return usageError("--timeout %s: want at least 10ms", timeout)
			}
			switch method {
			case "auto":
				method = ""
				if port > 0 {
					method = probe.TraceTCP
				}
			case probe.TraceICMP, probe.TraceUDP, probe.TraceTCP:
			default:
				return usageError("--method %q: want auto, icmp, udp or tcp", method)
			}
			f.Redactor().AddHost(host)
			r := probe.Trace(cmd.Context(), host, probe.TraceOptions{
				Method: method, Port: port, MaxHops: maxHops, Probes: probes, ProbeTimeout: timeout, Network: network,
			})
			if err := report.RenderTrace(f.IO.Out, &r, f.Format, f.RenderOptions(false)); err != nil {
				return err
			}
			if !r.Skipped && !r.Reached() {
				return &ExitError{Code: ExitFailure}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&maxHops, "max-hops", 30, "highest TTL probed (1-64)")
	fl.IntVar(&probes, "probes", 3, "probes per hop (1-10)")
	fl.IntVar(&port, "port", 0, "destination port: TCP SYNs go there (auto method); with --method udp a fixed UDP port")
	fl.StringVar(&method, "method", "auto", "auto, icmp, udp or tcp")
	fl.DurationVar(&timeout, "timeout", 2*time.Second, "how long answers are awaited after the last probe")
	fam.addFlags(cmd)
	return cmd
}
