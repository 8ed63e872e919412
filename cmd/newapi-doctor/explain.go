package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/explain"
	"github.com/newapi-doctor/newapi-doctor/report"
)

// maxExplainInput bounds TEXT read from stdin (a log belongs in --log).
const maxExplainInput = 4 << 20

func newExplainCmd(f *Factory) *cobra.Command {
	var (
		logFile  string
		doProbe  bool
		verbose  bool
		timeouts diag.Timeouts
		resolver string
	)
	cmd := &cobra.Command{
		Use:   `explain "TEXT" | explain - | explain --log FILE`,
		Short: "Explain an error line from new-api, Go, curl or Windows (English/Chinese), or sum up a log",
		Long: `explain classifies error text into the categories and causes check uses, says
which layer broke and why, and names the probe that would confirm it:

  newapi-doctor explain 'dial tcp 127.0.0.1:7890: connectex: No connection could be made …'
  newapi-doctor explain - < crash.txt          (each line of stdin)
  newapi-doctor explain --probe 'Post "https://api.openai.com/v1/chat/completions": EOF'
  newapi-doctor explain --log logs/oneapi-20250301.log

--log reads new-api's log (streaming, any size) and counts errors per category,
per channel and per hour, worst channels first, each with its hint. A failure's
lines are joined by request id: the real cause in "do request failed: …" is the
channel's, not new-api's own "status code: 500" that follows it; a channel
test's error is the tested channel's. Lines prefixed by docker compose logs or
docker logs -t are read as well. Logs and stdin may be UTF-8 (with or without a
BOM), UTF-16 (PowerShell 5.1's >) or GBK/GB18030 (Notepad's ANSI, cmd pipes).
Exit codes: 0 explained, 1 nothing recognised (or a probe could not run), 2 bad input.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := textOrJSON(f, "explain"); err != nil {
				return err
			}
			ro := f.RenderOptions(verbose)
			if logFile != "" {
				if len(args) > 0 {
					return usageError("explain: give TEXT or --log FILE, not both")
				}
				if doProbe {
					return usageError("explain: --probe explains one text; with --log, run the printed probe commands")
				}
				return explainLog(f, cmd, logFile, ro)
			}
			if len(args) == 0 {
				return usageError(`explain: give the error TEXT ("-" reads stdin) or --log FILE`)
			}
			text := strings.Join(args, " ")
			if len(args) == 1 && args[0] == "-" {
				b, err := readInterruptible(cmd.Context(), io.LimitReader(f.IO.In, maxExplainInput+1))
				if errors.Is(err, context.Canceled) {
					return &ExitError{Code: ExitInterrupted}
				}
				if err != nil {
					return usageError("explain: reading stdin: %v", err)
				}
				if len(b) > maxExplainInput {
					return usageError("explain: stdin is over %d MiB: use --log FILE for logs", maxExplainInput>>20)
				}
				// PowerShell 5.1 pipes UTF-16, cmd and Notepad write GBK.
				text = explain.DecodeText(b)
			}
			items, err := explainText(text)
			if err != nil {
				return err
			}
			for _, it := range items {
				registerResult(f, it.Result)
			}
			probeFailed := false
			if doProbe {
				o := diag.RunOptions{Timeouts: timeouts, Getenv: f.Getenv, Version: f.Version}
				o.DNS = f.dnsConfig(resolver)
				for i := range items {
					ep, ok := probeEndpoint(items[i].Result)
					if !ok {
						continue
					}
					f.RegisterEndpoints([]diag.Endpoint{ep})
					res := diag.CheckEndpoint(cmd.Context(), ep, o)
					items[i].Probe = &res
				}
			}
			if err := report.RenderExplain(f.IO.Out, items, f.Format, ro); err != nil {
				return err
			}
			if doProbe && !anyProbed(items) {
				fmt.Fprintln(f.IO.ErrOut, "newapi-doctor: "+f.Lang().T("--probe: the text names no host or URL to probe"))
				probeFailed = true
			}
			if !items[0].Recognized() || probeFailed {
				return &ExitError{Code: ExitFailure}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&logFile, "log", "", `new-api log file to sum up ("-" = stdin)`)
	fl.BoolVar(&doProbe, "probe", false, "run the confirming probe against the host or URL the text names")
	fl.BoolVarP(&verbose, "verbose", "v", false, "with --log: every cause, channel and hour")
	addProbeFlags(fl, &timeouts, &resolver)
	return cmd
}

// explainText classifies a pasted text line by line (explain.ClassifyText).
// Empty or only-binary input is bad input: random bytes once "explained" as
// an empty-reply and were echoed raw.
func explainText(text string) ([]report.ExplainItem, error) {
	lines := explain.ClassifyText(text)
	if len(lines) == 0 || mostlyBinary(garbageLines(text)) {
		if strings.TrimSpace(text) == "" {
			return nil, usageError("explain: the text is empty")
		}
		return nil, usageError("explain: the input is not text (binary or invalid UTF-8); for a log file use --log FILE")
	}
	items := make([]report.ExplainItem, len(lines))
	for i, l := range lines {
		items[i] = report.ExplainItem{Input: l.Input, Result: l.Result}
	}
	return items, nil
}

// mostlyBinary: more than half of the lines are not text. Random bytes
// hold a line now and then that decodes as GBK; that line is noise, not
// an error to explain.
func mostlyBinary(garbage, lines int64) bool { return garbage > 0 && garbage*2 > lines }

// garbageLines counts the non-empty lines of text and those not text.
func garbageLines(text string) (garbage, lines int64) {
	for _, ln := range strings.Split(text, "\n") {
		b := explain.StripANSI([]byte(strings.TrimSpace(ln)))
		if len(b) == 0 {
			continue
		}
		lines++
		if !explain.IsText(b) {
			garbage++
		}
	}
	return garbage, lines
}

func anyProbed(items []report.ExplainItem) bool {
	for _, it := range items {
		if it.Probe != nil {
			return true
		}
	}
	return false
}

// registerResult tells the redactor about the hosts the text names, so
// private names are pseudonymised like check's.
func registerResult(f *Factory, r explain.Result) {
	rd := f.Redactor()
	rd.AddURL(r.URL)
	rd.AddURL(r.Proxy)
	if r.Host != "" && net.ParseIP(r.Host) == nil {
		rd.AddHost(r.Host)
	}
}

// probeEndpoint builds the endpoint that reproduces the failure from here:
// the URL's origin (so the provider's free probe path is used), or the
// host:port the text names, through the proxy it names.
func probeEndpoint(r explain.Result) (diag.Endpoint, bool) {
	ep := diag.Endpoint{Name: "explained", Source: "explain", Proxy: r.Proxy}
	switch {
	case r.URL != "":
		u, err := url.Parse(r.URL)
		if err != nil || u.Host == "" {
			return ep, false
		}
		scheme := strings.ToLower(u.Scheme)
		switch scheme {
		case "ws":
			scheme = "http"
		case "wss":
			scheme = "https"
		}
		ep.URL = scheme + "://" + u.Host
	case r.Host != "" && !isProxyResult(r):
		port := r.Port
		scheme := "https"
		if port != "" && port != "443" {
			scheme = "http"
		}
		h := r.Host
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		ep.URL = scheme + "://" + h
		if port != "" {
			ep.URL += ":" + port
		}
	case isProxyResult(r) && r.Proxy != "":
		// The text names only the proxy: test it against a usual upstream.
		ep.URL = "https://api.openai.com"
	default:
		return ep, false
	}
	ep.Name = ep.URL
	return ep, true // Proxy "" = the environment's, as new-api would use
}

func isProxyResult(r explain.Result) bool { return r.Category == diag.CatProxy }

func explainLog(f *Factory, cmd *cobra.Command, path string, ro report.Options) error {
	var in io.Reader = f.IO.In
	if path != "-" {
		fh, err := os.Open(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return usageError("explain --log: %s: no such file", path)
			}
			return usageError("explain --log: %v", err)
		}
		defer fh.Close()
		if fi, err := fh.Stat(); err == nil && fi.IsDir() {
			return usageError("explain --log: %s is a directory (new-api writes logs/oneapi-*.log inside it)", path)
		}
		in = fh
	}
	rep, rerr := explain.AnalyzeLog(&ctxReader{r: in, cmd: cmd}, explain.LogOptions{})
	if rerr == nil && rep.Errors == 0 && mostlyBinary(rep.Garbage, rep.Lines) {
		// A zip, a gzipped log or a database file is the wrong file, not a
		// healthy log: "0 errors" and exit 0 said the channels were fine.
		return usageError("explain --log: %s is not a text log (%d of %d lines are binary; decompress a .gz log first)", path, rep.Garbage, rep.Lines)
	}
	if err := report.RenderLogReport(f.IO.Out, rep, f.Format, ro); err != nil {
		return err
	}
	if rerr != nil {
		if cmd.Context().Err() != nil {
			return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("explain --log: interrupted after %d lines", rep.Lines)}
		}
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("explain --log: reading %s: %v (the report covers the %d lines read)", path, rerr, rep.Lines)}
	}
	return nil
}

// ctxReader stops a long read on Ctrl-C; what was read is still reported.
type ctxReader struct {
	r   io.Reader
	cmd *cobra.Command
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.cmd.Context().Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// readInterruptible reads r to the end unless ctx ends first: a terminal or
// an idle pipe on stdin kept "explain -" waiting through Ctrl-C.
func readInterruptible(ctx context.Context, r io.Reader) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(r)
		done <- result{b, err}
	}()
	select {
	case res := <-done:
		return res.b, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
