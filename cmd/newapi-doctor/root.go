package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/diag/sysenv"
	"github.com/newapi-doctor/newapi-doctor/diag/sysproxy"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"github.com/newapi-doctor/newapi-doctor/report"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// Factory carries what every command needs; tests build their own.
type Factory struct {
	IO      *IOStreams
	Getenv  func(string) string
	Version string
	// SystemProxy reads the OS's proxy settings (main: sysproxy.Read; nil in
	// in-process tests, which must not depend on the machine's settings).
	SystemProxy func() []sysproxy.Setting
	// Desktop gathers the desktop app section (main: desktop.Collect; nil in
	// in-process tests).
	Desktop func(ctx context.Context, getenv func(string) string) *diag.DesktopInfo
	// LocalNames are this account's and machine's names, hidden in every
	// output (main: sysenv.LocalNames; nil: what Getenv spells).
	LocalNames func(getenv func(string) string) (users, machines []string)
	// DNSDial reaches --resolver (probe.DNSConfig.Dial): nil in main, UDP
	// first; an in-process test under wine, which opens no UDP socket,
	// hands its DNS fake a TCP connection.
	DNSDial func(ctx context.Context, network, address string) (net.Conn, error)

	// Global output flags, filled by the root command.
	Format       string
	ColorMode    string
	NoRedact     bool
	RedactLevel  string
	RedactionMap string
	LangFlag     string // --lang as given ("" = from the locale)

	lang i18n.Lang // decided by validateGlobal

	redactor *redact.Redactor

	sysProxy     []sysproxy.Setting
	sysProxyRead bool
}

// commands is every subcommand: one explicit list (each lives in its own
// file), so the tree does not depend on which files' init() ran.
var commands = []func(*Factory) *cobra.Command{
	newCheckCmd, newDNSCmd, newTCPCmd, newTLSCmd, newHTTPCmd, newProxyCmd,
	newPingCmd, newTraceCmd, newExplainCmd, newBundleCmd, newServeCmd,
}

// Execute runs the CLI and returns the process exit code.
func Execute(ctx context.Context, f *Factory, args []string) int {
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	err := root.ExecuteContext(ctx)
	code := exitCode(ctx, err, f.IO.ErrOut, f.RedactString)
	if werr := f.writeRedactionMap(); werr != nil {
		// Said whatever the verdict: a failing run is when the map is wanted.
		fmt.Fprintln(f.IO.ErrOut, "newapi-doctor: "+werr.Error())
		if code == ExitOK {
			code = ExitFailure
		}
	}
	return code
}

// NewRootCmd builds the command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "newapi-doctor",
		Short: "Diagnose why a new-api gateway cannot reach its upstream model endpoints",
		Long: `newapi-doctor probes model endpoints layer by layer (DNS, TCP, TLS, HTTP, proxy),
sorts each failure into a category (ok dns refused blocked unreachable proxy tls
overloaded auth http), says which layer broke and why, and prints a hint.
Secrets are never printed; private hosts and addresses are pseudonymised unless --no-redact.`,
		Version:       f.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return f.validateGlobal()
		},
	}
	root.SetVersionTemplate("newapi-doctor {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&f.Format, "format", "text", "output format: "+strings.Join(report.Formats(), "|"))
	pf.StringVar(&f.ColorMode, "color", "auto", "colour: auto|always|never (NO_COLOR is honoured)")
	pf.BoolVar(&f.NoRedact, "no-redact", false, "show hosts and addresses (secrets stay hidden); for local use only")
	pf.StringVar(&f.RedactLevel, "redact", "default", "redaction level: default|strict (strict also hides public provider hosts)")
	pf.StringVar(&f.RedactionMap, "redaction-map", "", "write the pseudonym → value table to this file (mode 0600; keep it private)")
	pf.StringVar(&f.LangFlag, "lang", "", "output language: zh-CN|en (default: LC_ALL, LC_MESSAGES, LANG; on Windows the display language)")

	for _, mk := range commands {
		root.AddCommand(mk(f))
	}
	return root
}

func (f *Factory) validateGlobal() error {
	if err := f.decideLang(); err != nil {
		return err
	}
	switch f.ColorMode {
	case "auto", "always", "never":
	default:
		return usageError("--color: %q is not one of auto, always, never", f.ColorMode)
	}
	switch f.RedactLevel {
	case "default", "strict":
	default:
		return usageError("--redact: %q is not one of default, strict", f.RedactLevel)
	}
	if f.NoRedact && f.RedactLevel == "strict" {
		// Either would win silently; the user asked for opposite things.
		return usageError("--no-redact and --redact strict exclude each other")
	}
	if !report.HasFormat(f.Format) {
		return usageError("--format: %q is not one of %s", f.Format, strings.Join(report.Formats(), ", "))
	}
	return nil
}

// decideLang: --lang, else the locale. The process's default language is set
// too, so that every hint (check, explain, serve, bundle) follows it.
func (f *Factory) decideLang() error {
	f.lang = i18n.FromEnv(f.Getenv)
	if f.LangFlag != "" {
		l, err := i18n.Parse(f.LangFlag)
		if err != nil {
			return usageError("--lang: %v", err)
		}
		f.lang = l
	}
	i18n.SetDefault(f.lang)
	return nil
}

// Lang is the output language (English before the flags are read).
func (f *Factory) Lang() i18n.Lang { return f.lang.Or() }

// Redactor is the run's single redactor (one pseudonym key per run).
func (f *Factory) Redactor() *redact.Redactor {
	if f.redactor == nil {
		lvl := redact.LevelDefault
		switch {
		case f.NoRedact:
			lvl = redact.LevelNone
		case f.RedactLevel == "strict":
			lvl = redact.LevelStrict
		}
		f.redactor = f.registerLocalNames(redact.New(lvl, diag.RedactionAllowlist()))
	}
	return f.redactor
}

// registerLocalNames teaches rd the account and machine names, so that they
// are hidden wherever they stand as names, not only in home paths.
func (f *Factory) registerLocalNames(rd *redact.Redactor) *redact.Redactor {
	names := f.LocalNames
	if names == nil {
		names = sysenv.NamesFromEnv
	}
	users, machines := names(f.Getenv)
	for _, u := range users {
		rd.AddUser(u)
	}
	for _, m := range machines {
		rd.AddMachine(m)
	}
	return rd
}

// RedactString passes a message through the run's redactor.
func (f *Factory) RedactString(s string) string { return f.Redactor().String(s) }

// ColorEnabled decides colour once: --color, then NO_COLOR, then the TTY.
func (f *Factory) ColorEnabled() bool {
	switch f.ColorMode {
	case "always":
		return true
	case "never":
		return false
	}
	if f.Getenv("NO_COLOR") != "" || f.Getenv("TERM") == "dumb" {
		return false
	}
	return f.IO.IsTTY
}

// RenderOptions are the options for report.Render.
func (f *Factory) RenderOptions(verbose bool) report.Options {
	color.NoColor = !f.ColorEnabled()
	return report.Options{Color: f.ColorEnabled(), Verbose: verbose, Redactor: f.Redactor(), Lang: f.Lang()}
}

// RegisterEndpoints registers an endpoint's secrets and hosts with the redactor
// before anything about it can be printed.
func (f *Factory) RegisterEndpoints(eps []diag.Endpoint) {
	rd := f.Redactor()
	// The environment's proxies may carry credentials too, and show up in
	// errors and in the proxy field of every endpoint.
	for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"} {
		rd.AddURL(f.Getenv(v))
	}
	for _, ep := range eps {
		rd.AddName(ep.Name) // never redacted, whatever secret it spells in part
		rd.AddURL(ep.URL)
		rd.AddURL(ep.Proxy)
		if ep.Key != "" {
			rd.AddSecret(ep.Key)
		}
	}
}

func (f *Factory) writeRedactionMap() error {
	if f.RedactionMap == "" || f.redactor == nil {
		return nil
	}
	// WriteMap also tightens the mode of a file that already exists.
	if err := f.redactor.WriteMap(f.RedactionMap); err != nil {
		return errors.New("writing --redaction-map: " + err.Error())
	}
	return nil
}

// systemProxies reads the OS proxy settings once per command.
func (f *Factory) systemProxies() []sysproxy.Setting {
	if f.SystemProxy == nil {
		return nil
	}
	if !f.sysProxyRead {
		f.sysProxy, f.sysProxyRead = f.SystemProxy(), true
	}
	return f.sysProxy
}

func (f *Factory) desktop(ctx context.Context) *diag.DesktopInfo {
	if f.Desktop == nil {
		return nil
	}
	return f.Desktop(ctx, f.Getenv)
}
