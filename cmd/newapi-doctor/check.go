package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report"
)

// checkOptions is everything `check` needs; the cobra command only fills it.
type checkOptions struct {
	src      sourceOptions
	parallel int
	deadline time.Duration
	retries  int
	deep     bool
	verbose  bool
	// compareDNS: second resolvers for the DNS differential (issue 11.1).
	compareDNS []string
	doh        []string
	// controls: control targets for blocked/unreachable/timeout verdicts (issue 11.8).
	controls []string

	failOn, warnOn, require string
	failOnSeverity          string
	strictWarnings          bool
}

func newCheckCmd(f *Factory) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [URL...]",
		Short: "Probe every configured endpoint layer by layer and say what is wrong",
		Long: `check probes each endpoint: (proxy DNS, TCP, TLS, CONNECT/SOCKS) DNS, TCP, TLS, HTTP.
The first failing layer is classified into a category and cause with a hint.

Endpoints come from URL arguments, --config (default ./newapi-doctor.yaml), new-api's
database (--from-db) or admin API (--from-api), else the embedded default list of
common providers plus a local new-api at http://127.0.0.1:3000.

Exit codes: 0 all ok, 1 a failure by policy, 2 usage or config error,
3 only warnings with --strict-warnings, 130 interrupted.`,
		Example: `  newapi-doctor check
  newapi-doctor check https://api.openai.com/v1 --format json
  newapi-doctor check --config prod.yaml --fail-on dns,refused,blocked,proxy,tls --warn-on overloaded
  newapi-doctor check --from-db /data/one-api.db`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd.Context(), f, o, args)
		},
	}
	o.src.addFlags(cmd)
	fl := cmd.Flags()
	fl.IntVar(&o.parallel, "parallel", 0, "endpoints probed at once (default: from the open-file limit)")
	fl.DurationVar(&o.deadline, "deadline", 0, "deadline for the whole run (default: one endpoint's worst case)")
	fl.IntVar(&o.retries, "retries", 0, "retry a failing endpoint up to N times, N ≤ 10 (backoff with jitter), to tell flaky from broken")
	fl.BoolVar(&o.deep, "deep", false, "ping and trace every endpoint, not only blocked/unreachable ones")
	fl.StringSliceVar(&o.compareDNS, "compare-resolver", nil, "a second resolver (HOST[:PORT], repeatable) asked when an answer looks like a lie; --resolver replaces the system resolver, and the system's then is the second opinion")
	fl.StringSliceVar(&o.doh, "doh", nil, "a DNS-over-HTTPS server (https URL, repeatable) asked, through the environment's proxy for it, when an answer looks like a lie")
	fl.StringSliceVar(&o.controls, "control", diag.DefaultControls, "a control target (URL, repeatable) probed through the same path when an endpoint is blocked, unreachable or times out: only the endpoint failing means it is filtered, everything failing means the network or proxy is down; \"none\" probes no control")
	fl.BoolVarP(&o.verbose, "verbose", "v", false, "show every layer with its timing and details")
	fl.StringVar(&o.failOn, "fail-on", "", "categories that fail the run (comma list; default: every non-ok)")
	fl.StringVar(&o.warnOn, "warn-on", "", "categories that only warn (comma list, e.g. overloaded)")
	fl.StringVar(&o.require, "require", "", "endpoint names that must be ok (comma list)")
	fl.StringVar(&o.failOnSeverity, "fail-on-severity", "", "fail endpoints graded at least error or warning (others warn)")
	fl.BoolVar(&o.strictWarnings, "strict-warnings", false, "exit 3 when there are warnings but no failures")
	return cmd
}

func runCheck(ctx context.Context, f *Factory, o *checkOptions, args []string) error {
	// "--from-db one-api.db": pflag reads an optional value only after "=",
	// so a lone argument after a bare --from-db is the database.
	if o.src.FromDB == fromDBAuto && len(args) == 1 {
		o.src.FromDB, args = args[0], nil
	}
	if err := o.src.checkExclusive(args); err != nil {
		return err
	}
	// More than maxRetries attempts tells nothing more about flakiness and
	// only holds a CI job until the deadline.
	if o.retries > maxRetries {
		return usageError("--retries %d: at most %d", o.retries, maxRetries)
	}
	if o.parallel < 0 || o.retries < 0 || o.deadline < 0 {
		return usageError("--parallel, --retries and --deadline must not be negative")
	}
	pol, err := diag.ParsePolicy(o.failOn, o.warnOn, o.require, o.strictWarnings)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if pol.FailOnSeverity, err = diag.ParseFailOnSeverity(o.failOnSeverity); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	eps, timeouts, err := o.src.load(ctx, f, args)
	if err != nil {
		return err
	}
	if unknown := pol.UnknownRequired(endpointNames(eps)); len(unknown) > 0 {
		return usageError("--require: no endpoint named %s", quoteList(unknown))
	}
	// Blocked and unreachable verdicts (all with --deep) are localised with
	// ping and trace.
	ro := diag.RunOptions{
		Timeouts: timeouts, Parallel: o.parallel, Deadline: o.deadline, Getenv: f.Getenv,
		Retries: o.retries, Deep: o.deep, Version: f.Version, PathProbe: diag.LocalisePath,
		SystemProxies: f.systemProxies(),
	}
	controls, err := controlTargets(o.controls)
	if err != nil {
		return err
	}
	ro.Controls = controls
	ro.DNS = f.dnsConfig(o.src.Resolver)
	for i := range o.compareDNS {
		if err := checkResolver("--compare-resolver", &o.compareDNS[i]); err != nil {
			return err
		}
	}
	for _, d := range o.doh {
		if u, err := url.Parse(d); err != nil || u.Scheme != "https" || u.Host == "" {
			return usageError("--doh %q: want an https URL such as %s", d, diag.DoHExample)
		}
	}
	ro.CompareDNS, ro.DoH = o.compareDNS, o.doh
	stopProgress := attachProgress(f, &ro)
	rep := diag.Run(ctx, eps, ro)
	stopProgress()
	rep.Desktop = f.desktop(ctx)
	rop := f.RenderOptions(o.verbose)
	rop.Policy = &pol
	if err := report.Render(f.IO.Out, rep, f.Format, rop); err != nil {
		return err
	}
	if rep.Interrupted || errors.Is(ctx.Err(), context.Canceled) {
		return &ExitError{Code: ExitInterrupted}
	}
	v := pol.Evaluate(rep)
	if f.Format == "text" && v.ExitCode == ExitWarnings {
		fmt.Fprintln(f.IO.ErrOut, "newapi-doctor: "+f.Lang().T("warnings only (exit 3 because of --strict-warnings)"))
	}
	if v.ExitCode != ExitOK {
		return &ExitError{Code: v.ExitCode}
	}
	return nil
}

func endpointNames(eps []diag.Endpoint) []string {
	out := make([]string, len(eps))
	for i, e := range eps {
		out[i] = e.Name
	}
	return out
}

// maxRetries bounds --retries.
const maxRetries = 10

// controlTargets checks --control's URLs ("none" alone: no control).
func controlTargets(raw []string) ([]string, error) {
	if len(raw) == 1 && raw[0] == "none" {
		return nil, nil
	}
	for _, r := range raw {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			return nil, usageError("--control: %q is not an http(s) URL with a host", r)
		}
	}
	return raw, nil
}
