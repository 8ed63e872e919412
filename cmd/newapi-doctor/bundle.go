package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/sysenv"
	"github.com/newapi-doctor/newapi-doctor/report"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

type bundleOptions struct {
	src       sourceOptions
	out       string
	from      string
	newapiURL string
	parallel  int
	deadline  time.Duration
	retries   int
	deep      bool
	now       func() time.Time // tests
}

func newBundleCmd(f *Factory) *cobra.Command {
	o := &bundleOptions{now: time.Now}
	cmd := &cobra.Command{
		Use:   "bundle [URL...]",
		Short: "Run a check and pack a redacted support bundle (zip) to send to support",
		Long: `bundle runs the same check as 'check' (same endpoint sources and flags), or packages an
earlier run's JSON report with --from, and writes a zip holding the report as JSON, text and
Markdown, the environment (OS, kernel, proxies, resolvers, default route, IPv6, clock skew),
ping/trace results, the local new-api's version and the run log, with manifest.json
(sha256 of every file and what redaction replaced).

Everything is redacted: secrets always, private hosts and IP addresses as pseudonyms
(--redact strict also hides public provider hosts). The bundle is scanned before it is
written and refused if anything sensitive survived. --redaction-map FILE keeps the
pseudonym table outside the bundle. Check a bundle with 'newapi-doctor bundle verify FILE'.`,
		Example: `  newapi-doctor bundle
  newapi-doctor bundle --config prod.yaml -o support.zip --redaction-map support-map.json
  newapi-doctor check --format json > run.json && newapi-doctor bundle --from run.json
  newapi-doctor bundle verify support.zip`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBundle(cmd.Context(), f, o, args)
		},
	}
	o.src.addFlags(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&o.out, "output", "o", "", "bundle file (default newapi-doctor-bundle-<UTC time>.zip)")
	fl.StringVar(&o.from, "from", "", "package this earlier JSON report instead of running a check")
	fl.StringVar(&o.newapiURL, "newapi-url", "", "local new-api to ask for its version (default http://127.0.0.1:$PORT, PORT=3000; \"-\" to skip)")
	fl.IntVar(&o.parallel, "parallel", 0, "endpoints probed at once (default: from the open-file limit)")
	fl.DurationVar(&o.deadline, "deadline", 0, "deadline for the whole run (default: one endpoint's worst case)")
	fl.IntVar(&o.retries, "retries", 0, "retry a failing endpoint up to N times")
	fl.BoolVar(&o.deep, "deep", false, "ping and trace every endpoint, not only blocked/unreachable ones")
	cmd.AddCommand(newBundleVerifyCmd(f))
	return cmd
}

// syncBuffer collects the run log: slog handlers serialise their own writes,
// but the buffer is read after the run from another goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}

func runBundle(ctx context.Context, f *Factory, o *bundleOptions, args []string) error {
	if f.NoRedact {
		return usageError("bundle: --no-redact is for local output only; a bundle is meant to leave this machine and is always redacted")
	}
	if o.from != "" && (len(args) > 0 || o.src.Config != "" || o.src.FromDB != "" || o.src.FromAPI != "") {
		return usageError("bundle: --from packages an earlier report; it cannot be combined with endpoint sources")
	}
	if o.parallel < 0 || o.retries < 0 || o.deadline < 0 {
		return usageError("--parallel, --retries and --deadline must not be negative")
	}
	if err := o.src.checkExclusive(args); err != nil {
		return err
	}
	if err := checkOutPath(o.out); err != nil {
		return err
	}
	rd := f.Redactor()
	// Proxy settings end up in environment.json: their hosts and credentials
	// are registered like an endpoint's.
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"} {
		rd.AddURL(f.Getenv(k))
	}
	progress := func(format string, a ...any) {
		if f.IO.ErrTTY {
			fmt.Fprintln(f.IO.ErrOut, rd.String("newapi-doctor: "+fmt.Sprintf(format, a...)))
		}
	}

	var (
		rep    *diag.Report
		runLog syncBuffer
	)
	if o.from != "" {
		var err error
		if rep, err = readReport(o.from); err != nil {
			return err
		}
		fmt.Fprintf(&runLog, "bundle packaged an earlier report (%d endpoints, started %s); no probes ran\n",
			len(rep.Endpoints), rep.StartedAt.UTC().Format(time.RFC3339))
	} else {
		eps, timeouts, err := o.src.load(ctx, f, args)
		if err != nil {
			return err
		}
		ro := diag.RunOptions{
			Timeouts: timeouts, Parallel: o.parallel, Deadline: o.deadline, Getenv: f.Getenv,
			Retries: o.retries, Deep: o.deep, Version: f.Version, PathProbe: diag.LocalisePath,
			SystemProxies: f.systemProxies(),
			Logger:        slog.New(slog.NewTextHandler(&runLog, &slog.HandlerOptions{Level: slog.LevelDebug})),
		}
		ro.DNS = f.dnsConfig(o.src.Resolver)
		progress("checking %d endpoint(s)…", len(eps))
		stop := attachProgress(f, &ro)
		rep = diag.Run(ctx, eps, ro)
		stop()
		rep.Desktop = f.desktop(ctx)
	}

	progress("collecting the environment…")
	env := sysenv.Collect(ctx, sysenv.Inputs{Getenv: f.Getenv, DoctorVersion: f.Version,
		Clock: sysenv.ClockFromReport(rep), NewAPIURL: o.newapiURL, SystemProxies: f.systemProxies()})
	in := report.BundleInput{Report: rep, Environment: env, RunLog: runLog.Bytes(), Redactor: rd,
		Version: f.Version, Now: o.now()}
	if env.NewAPI != nil { // a nil pointer in an interface would write "null"
		rd.AddURL(env.NewAPI.URL)
		in.NewAPI = env.NewAPI
	}
	zb, m, err := report.BuildBundle(in)
	if err != nil {
		var le *report.LeakError
		if errors.As(err, &le) {
			return &ExitError{Code: ExitFailure, Err: err}
		}
		return err
	}
	path := o.out
	if path == "" {
		path = "newapi-doctor-bundle-" + m.CreatedAt.UTC().Format("20060102T150405Z") + ".zip"
	}
	if err := writePrivate(path, zb); err != nil {
		return err
	}
	fmt.Fprintln(f.IO.Out, rd.String(f.Lang().Sprintf("wrote %s: %d files, bundle id %s; hidden: %d secret(s), %d host(s), %d address(es), %d user name(s)",
		path, len(m.Files)+1, m.BundleID, m.Redaction.Secrets, m.Redaction.Hosts, m.Redaction.Addresses, m.Redaction.Users)))
	if rep.Interrupted || errors.Is(ctx.Err(), context.Canceled) {
		return &ExitError{Code: ExitInterrupted}
	}
	return nil
}

// readReport loads an earlier `check --format json` report.
func readReport(path string) (*diag.Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError("--from: %v", err)
	}
	var rep diag.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, usageError("--from %s: not a newapi-doctor JSON report: %v", path, err)
	}
	if rep.SchemaVersion != diag.SchemaVersion {
		return nil, usageError("--from %s: schema_version %d, this doctor reads %d (make it with check --format json)", path, rep.SchemaVersion, diag.SchemaVersion)
	}
	// A report from before severity grades (schema 1 only adds fields) gets
	// them; the summary recomputed from the endpoints is the one check wrote.
	rep.Summarize()
	return &rep, nil
}

// checkOutPath refuses an -o that cannot be written before anything is
// probed: a directory (the write failed after the whole run, renaming a
// temporary file from the parent directory) or a missing parent directory.
func checkOutPath(path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usageError("-o %s is a directory: give the bundle's file name", path)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageError("-o %s: the directory %s does not exist", path, dir)
	}
	return nil
}

// writePrivate writes data with mode 0600 through a temporary file in the
// same directory, so a failed write never leaves half a bundle under path.
func writePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".newapi-doctor-bundle-*") // mode 0600
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("bundle %s: %w", path, werr)
	}
	return nil
}

func newBundleVerifyCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "verify FILE",
		Short: "Check a bundle's hashes and scan every file for secrets, private hosts and IP addresses",
		Long: `verify opens a bundle (or any text file), checks every file against manifest.json's sha256,
and scans every file for anything that looks like a secret, a host that is not a public
provider's, or an IP literal (loopback and pseudonyms are fine). It prints the file, line
and rule of each finding — never the value — and exits 1 if there is any.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBundleVerify(f, args[0])
		},
	}
}

func runBundleVerify(f *Factory, path string) error {
	// --format was ignored here; json is what a CI step wants to parse.
	if err := textOrJSON(f, "bundle verify"); err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return usageError("bundle verify: %v", err)
	}
	// This machine's names are flagged too (a bundle made here by an older doctor).
	found, err := report.VerifyBundle(path, data, f.registerLocalNames(redact.New(redact.LevelDefault, diag.RedactionAllowlist())))
	if err != nil {
		return usageError("bundle verify: %v", err)
	}
	isZip := report.IsZip(data)
	var b bytes.Buffer
	if f.Format == "json" {
		if found == nil {
			found = []redact.Finding{}
		}
		out := struct {
			SchemaVersion int              `json:"schema_version"`
			File          string           `json:"file"`
			Zip           bool             `json:"zip"`
			OK            bool             `json:"ok"`
			Findings      []redact.Finding `json:"findings"`
		}{diag.SchemaVersion, path, isZip, len(found) == 0, found}
		if err := report.EncodeJSON(&b, out); err != nil {
			return err
		}
	} else {
		for _, fd := range found {
			fmt.Fprintln(&b, fd.String())
		}
		switch {
		case len(found) > 0:
			fmt.Fprintln(&b, f.Lang().Sprintf("%s: %d finding(s)", path, len(found)))
		case isZip:
			fmt.Fprintln(&b, f.Lang().Sprintf("%s: ok (hashes match, nothing sensitive found)", path))
		default: // no manifest, so no hashes: say only what was done
			fmt.Fprintln(&b, f.Lang().Sprintf("%s: ok (not a zip: scanned as one text file, nothing sensitive found)", path))
		}
	}
	if err := report.WriteRedacted(f.IO.Out, b.Bytes(), f.Redactor()); err != nil {
		return err
	}
	if len(found) > 0 {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}
