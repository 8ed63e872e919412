package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report"
)

// serveOptions is everything `serve` needs; the cobra command only fills it.
type serveOptions struct {
	src      sourceOptions
	listen   string
	interval time.Duration
	parallel int
	retries  int
	// ready is told the bound address (tests listen on port 0).
	ready func(addr string)
}

// shutdownGrace bounds how long in-flight scrapes may finish on SIGINT/SIGTERM.
const shutdownGrace = 5 * time.Second

func newServeCmd(f *Factory) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve [URL...]",
		Short: "Expose endpoint checks as Prometheus metrics (/metrics, /healthz) and a status page (/)",
		Long: `serve checks the endpoints (from the same sources as check) and exposes the verdicts
for Prometheus, in the way of blackbox_exporter:

  newapi_doctor_up{endpoint,host}                        1 ok (or flaky), 0 not
  newapi_doctor_verdict{endpoint,host,category,cause}    the last verdict (value 1)
  newapi_doctor_layer_duration_seconds{endpoint,host,layer}  histogram per layer
  newapi_doctor_last_success_timestamp_seconds{endpoint,host}
  newapi_doctor_checks_total{endpoint,host,category}

With --interval the endpoints are checked in the background and a scrape returns the
last round; with --interval 0 every scrape runs a check (bounded by Prometheus' scrape
timeout). Labels carry endpoint names and redacted hosts only. / is a status page: the
last round as --format html draws it (severity, hint, phase waterfall, path), each
endpoint's recent rounds as a sparkline, reloaded every interval. SIGINT/SIGTERM shut the
server down gracefully. Example scrape config and alert rules: docs/prometheus/.`,
		Example: `  newapi-doctor serve --config /etc/newapi-doctor.yaml --listen :9595 --interval 60s
  newapi-doctor serve --from-db /data/one-api.db --listen 127.0.0.1:9595`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), f, o, args)
		},
	}
	o.src.addFlags(cmd)
	fl := cmd.Flags()
	fl.StringVar(&o.listen, "listen", "127.0.0.1:9595", "address to serve /metrics, /healthz and the status page on")
	fl.DurationVar(&o.interval, "interval", time.Minute, "check every D in the background (0 = check on every scrape)")
	fl.IntVar(&o.parallel, "parallel", 0, "endpoints probed at once (default: from the open-file limit)")
	fl.IntVar(&o.retries, "retries", 0, "retry a failing endpoint up to N times to tell flaky from broken")
	return cmd
}

func runServe(ctx context.Context, f *Factory, o *serveOptions, args []string) error {
	if err := o.src.checkExclusive(args); err != nil {
		return err
	}
	if o.interval < 0 || o.parallel < 0 || o.retries < 0 {
		return usageError("--interval, --parallel and --retries must not be negative")
	}
	// net.Listen takes "" as every interface on a random port: the metrics
	// would be exposed where nobody looks.
	if _, port, err := net.SplitHostPort(o.listen); err != nil || port == "" {
		return usageError("--listen %q: want HOST:PORT, e.g. 127.0.0.1:9595 (or :9595 for every interface)", o.listen)
	}
	if o.interval > 0 && o.interval < time.Second {
		return usageError("--interval %s is too short (at least 1s, or 0 to check on scrape)", o.interval)
	}
	eps, timeouts, err := o.src.load(ctx, f, args)
	if err != nil {
		return err
	}
	ro := diag.RunOptions{Timeouts: timeouts, Parallel: o.parallel, Getenv: f.Getenv, Retries: o.retries, Version: f.Version}
	ro.DNS = f.dnsConfig(o.src.Resolver)
	if o.interval > 0 {
		// A round must end before the next one is due.
		ro.Deadline = min(o.interval, timeouts.EndpointBudget()*time.Duration(1+o.retries))
	}
	exp := report.NewExporter(eps, report.ExporterOptions{
		Check:    func(ctx context.Context, eps []diag.Endpoint) *diag.Report { return diag.Run(ctx, eps, ro) },
		Interval: o.interval,
		Redactor: f.Redactor(),
		Version:  f.Version,
	})
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return usageError("--listen %s: %v", o.listen, err)
	}
	srv := &http.Server{Handler: exp.Handler(), ReadHeaderTimeout: 10 * time.Second}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go exp.Run(runCtx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	addr := ln.Addr().String()
	l := f.Lang()
	mode := l.Sprintf("checking %d endpoint(s) every %s", len(eps), o.interval)
	if o.interval == 0 {
		mode = l.Sprintf("checking %d endpoint(s) on every scrape", len(eps))
	}
	_ = report.WriteRedacted(f.IO.ErrOut, []byte("newapi-doctor: "+l.Sprintf("serving http://%s/metrics and the status page http://%s/, %s", addr, addr, mode)+"\n"), f.Redactor())
	if o.ready != nil {
		o.ready(addr)
	}
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stop()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	_ = report.WriteRedacted(f.IO.ErrOut, []byte("newapi-doctor: stopped\n"), f.Redactor())
	// A requested stop is success, not an interruption of a report.
	return nil
}
