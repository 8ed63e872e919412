package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/probe"
	"github.com/newapi-doctor/newapi-doctor/report"
)

// Single-layer commands: dns, tcp, tls, http, proxy. Each probes one layer
// (http and proxy run the chain up to theirs) and classifies like check.

// layerOptions are the flags every single-layer command shares.
type layerOptions struct {
	timeouts diag.Timeouts
	resolver string
	verbose  bool
}

func (lo *layerOptions) addFlags(cmd *cobra.Command) {
	addProbeFlags(cmd.Flags(), &lo.timeouts, &lo.resolver)
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		if cmd.Flags().Changed("resolver") {
			return checkResolver("--resolver", &lo.resolver)
		}
		return nil
	}
}

// checkPortArg: a port number from 1 to 65535 or a service name ("https").
// Port 0 or 99999 were dialled and reported as unreachable hosts.
func checkPortArg(port string) error {
	if n, err := strconv.Atoi(port); err == nil {
		if n < 1 || n > 65535 {
			return fmt.Errorf("port %d is not from 1 to 65535", n)
		}
		return nil
	}
	for _, c := range port {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') || port[0] == '-' {
			return fmt.Errorf("port %q is neither a number nor a service name", port)
		}
	}
	return nil
}

// checkResolver validates --resolver: HOST or HOST:PORT (an IP literal or a
// name; IPv6 with a port in brackets). Unchecked, "127.0.0.1:99999" or "[::1"
// ran a whole check against a resolver that could never be asked. flag
// names the flag in the error; the value is left as HOST or HOST:PORT.
func checkResolver(flag string, value *string) error {
	s := strings.TrimSpace(*value)
	// Clash's and v2rayN's nameserver lists write "udp://", "tls://" and
	// "https://…/dns-query": the first is what a resolver is here, the
	// others are other protocols and deserve more than "bad port".
	if scheme, _, ok := strings.Cut(s, "://"); ok {
		switch strings.ToLower(scheme) {
		case "udp":
			s = s[len("udp://"):]
		case "https", "h3":
			return usageError("%s: %q is DNS over HTTPS: give it as --doh URL; %s takes HOST[:PORT] of a plain DNS server", flag, s, flag)
		default:
			return usageError("%s: %q: %s:// is not plain DNS; %s takes HOST[:PORT] of a plain DNS server (udp:// may be written)", flag, s, scheme, flag)
		}
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		host, port = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), "53"
		brackets := strings.HasPrefix(s, "[") != strings.HasSuffix(s, "]")
		if brackets || strings.Contains(host, ":") && net.ParseIP(host) == nil || strings.ContainsAny(host, "[]") {
			return usageError("%s: %q is not HOST or HOST:PORT", flag, s)
		}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return usageError("%s: %q: the port must be a number from 1 to 65535", flag, s)
	}
	if _, err := diag.ASCIIHost(host); err != nil {
		return usageError("%s: %q: %v", flag, s, err)
	}
	*value = s
	return nil
}

// dnsConfig: the resolver --resolver names (none: the system's), reached
// through f.DNSDial.
func (f *Factory) dnsConfig(resolver string) probe.DNSConfig {
	if resolver == "" {
		return probe.DNSConfig{}
	}
	return probe.DNSConfig{Servers: []string{resolver}, Dial: f.DNSDial}
}

// addProbeFlags: the per-layer timeouts and the resolver, the same on every command.
func addProbeFlags(fl *pflag.FlagSet, t *diag.Timeouts, resolver *string) {
	fl.DurationVar(&t.DNS, "dns-timeout", 0, "DNS timeout (default 3s)")
	fl.DurationVar(&t.Connect, "connect-timeout", 0, "TCP connect timeout (default 5s)")
	fl.DurationVar(&t.TLS, "tls-timeout", 0, "TLS handshake timeout (default 5s)")
	fl.DurationVar(&t.HTTP, "http-timeout", 0, "HTTP answer timeout (default 10s)")
	fl.StringVar(resolver, "resolver", "", "ask this DNS server (host:port) instead of the system resolver")
}

func (lo *layerOptions) runOptions(f *Factory) diag.RunOptions {
	o := diag.RunOptions{Timeouts: lo.timeouts, Getenv: f.Getenv, Version: f.Version, SystemProxies: f.systemProxies()}
	o.DNS = f.dnsConfig(lo.resolver)
	return o
}

// finishProbe renders a ProbeReport and maps it to an exit code.
func finishProbe(f *Factory, pr diag.ProbeReport) error {
	if err := report.RenderProbe(f.IO.Out, pr, f.Format, f.RenderOptions(false)); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if !pr.OK {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

func newDNSCmd(f *Factory) *cobra.Command {
	lo := &layerOptions{}
	cmd := &cobra.Command{
		Use:   "dns NAME",
		Short: "Resolve a name (A and AAAA) and classify a failure",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := textOrJSON(f, "dns, tcp and tls"); err != nil {
				return err
			}
			name := strings.TrimSuffix(args[0], ".")
			name, err := diag.ASCIIHost(name)
			if err != nil || strings.HasPrefix(name, "[") {
				return usageError("dns: %q is not a host name (%v)", args[0], errOr(err, "brackets belong in URLs"))
			}
			f.Redactor().AddHost(name)
			return finishProbe(f, diag.ProbeDNS(cmd.Context(), name, lo.runOptions(f)))
		},
	}
	lo.addFlags(cmd)
	return cmd
}

func newTCPCmd(f *Factory) *cobra.Command {
	lo := &layerOptions{}
	cmd := &cobra.Command{
		Use:   "tcp HOST:PORT",
		Short: "Connect to every address of HOST on PORT and classify a failure",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := textOrJSON(f, "dns, tcp and tls"); err != nil {
				return err
			}
			host, port, err := net.SplitHostPort(args[0])
			if err != nil || host == "" || port == "" {
				return usageError("tcp: want HOST:PORT (an IPv6 address in brackets: [::1]:443), got %q", args[0])
			}
			if err := checkPortArg(port); err != nil {
				return usageError("tcp: %q: %v", args[0], err)
			}
			if host, err = diag.ASCIIHost(host); err != nil {
				return usageError("tcp: %q: %v", args[0], err)
			}
			f.Redactor().AddHost(host)
			return finishProbe(f, diag.ProbeTCP(cmd.Context(), net.JoinHostPort(host, port), lo.runOptions(f)))
		},
	}
	lo.addFlags(cmd)
	return cmd
}

func newTLSCmd(f *Factory) *cobra.Command {
	lo := &layerOptions{}
	cmd := &cobra.Command{
		Use:   "tls HOST[:PORT]",
		Short: "Handshake with HOST (port 443 by default): version, chain, issuer, expiry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := textOrJSON(f, "dns, tcp and tls"); err != nil {
				return err
			}
			target := args[0]
			host, port := target, ""
			if h, p, err := net.SplitHostPort(target); err == nil {
				host, port = h, p
			}
			if host == "" || strings.ContainsAny(host, "/ ") {
				return usageError("tls: want HOST[:PORT], got %q", target)
			}
			if port != "" {
				if err := checkPortArg(port); err != nil {
					return usageError("tls: %q: %v", target, err)
				}
			}
			ascii, err := diag.ASCIIHost(host)
			if err != nil {
				return usageError("tls: %q: %v", target, err)
			}
			if ascii != host {
				host, target = ascii, ascii
				if port != "" {
					target = net.JoinHostPort(ascii, port)
				}
			}
			f.Redactor().AddHost(host)
			return finishProbe(f, diag.ProbeTLS(cmd.Context(), target, lo.runOptions(f)))
		},
	}
	lo.addFlags(cmd)
	return cmd
}

// runOne checks one endpoint with the full chain and renders it as a report.
func runOne(ctx context.Context, f *Factory, ep diag.Endpoint, ro diag.RunOptions, verbose bool) error {
	f.RegisterEndpoints([]diag.Endpoint{ep})
	rep := diag.Run(ctx, []diag.Endpoint{ep}, ro)
	if err := report.Render(f.IO.Out, rep, f.Format, f.RenderOptions(verbose)); err != nil {
		return err
	}
	if rep.Interrupted {
		return &ExitError{Code: ExitInterrupted}
	}
	if rep.Summary.Failed > 0 {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

func newHTTPCmd(f *Factory) *cobra.Command {
	lo := &layerOptions{}
	var key, keyEnv, proxy string
	cmd := &cobra.Command{
		Use:   "http URL",
		Short: "GET exactly URL through every layer below it and classify the answer",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := url.Parse(args[0])
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return usageError("http: %q is not an http(s) URL", args[0])
			}
			if keyEnv != "" {
				// As in a config file: an unset variable is an error, not "no key".
				if key = f.Getenv(keyEnv); key == "" {
					return usageError("http: --key-env: environment variable %s is not set", keyEnv)
				}
			}
			// ProbePath carries the exact path: the chain appends it to the bare origin.
			path := u.EscapedPath()
			if path == "" {
				path = "/"
			}
			if u.RawQuery != "" {
				path += "?" + u.RawQuery
			}
			ep := diag.Endpoint{Name: u.Host, URL: u.Scheme + "://" + u.Host, ProbePath: path, Key: key, KeyEnv: keyEnv, Proxy: proxy, Source: "argument"}
			// A bad port or host is bad input (exit 2), as for check.
			if _, err := diag.ProbeURL(ep); err != nil {
				return usageError("http: %v", err)
			}
			if ep.Provider == "" {
				if p, ok := diag.ProviderForHost(u.Hostname()); ok {
					ep.Provider = p.ID
				}
			}
			return runOne(cmd.Context(), f, ep, lo.runOptions(f), lo.verbose)
		},
	}
	lo.addFlags(cmd)
	cmd.Flags().StringVar(&keyEnv, "key-env", "", "send the API key from this environment variable")
	cmd.Flags().StringVar(&proxy, "proxy", "", "proxy URL or \"direct\" (default: from the environment)")
	cmd.Flags().BoolVarP(&lo.verbose, "verbose", "v", false, "show every layer")
	return cmd
}

func newProxyCmd(f *Factory) *cobra.Command {
	lo := &layerOptions{}
	var target string
	cmd := &cobra.Command{
		Use:   "proxy [PROXY_URL]",
		Short: "Check the effective proxy: where it comes from, whether it answers, CONNECT to a target",
		Long: `proxy checks PROXY_URL, or without it the proxy the environment gives new-api
(HTTPS_PROXY/https_proxy, HTTP_PROXY, NO_PROXY; ALL_PROXY is used but noted, since
new-api ignores it). It reports where the proxy came from, then probes the proxy's
name, TCP, the CONNECT or SOCKS5 handshake, and TLS/HTTP to --target through it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tu, err := url.Parse(target)
			if err != nil || (tu.Scheme != "http" && tu.Scheme != "https") || tu.Host == "" {
				return usageError("--target: %q is not an http(s) URL", target)
			}
			ep := diag.Endpoint{Name: "proxy → " + tu.Host, URL: target, Source: "argument"}
			if len(args) == 1 {
				ep.Proxy = args[0]
			}
			return runOne(cmd.Context(), f, ep, lo.runOptions(f), true)
		},
	}
	lo.addFlags(cmd)
	cmd.Flags().StringVar(&target, "target", "https://api.openai.com/v1", "upstream to reach through the proxy")
	return cmd
}

func errOr(err error, msg string) string {
	if err != nil {
		return err.Error()
	}
	return msg
}
