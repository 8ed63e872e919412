package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/fatih/color"
	"golang.org/x/text/width"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// palette is resolved per rendering so colour follows Options, not globals.
type palette struct {
	ok, bad, warn, dim, bold func(a ...any) string
	l                        i18n.Lang // the words' language (renderers set it from Options)
}

func newPalette(on bool) palette {
	mk := func(attrs ...color.Attribute) func(a ...any) string {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c.Sprint
	}
	return palette{ok: mk(color.FgGreen), bad: mk(color.FgRed, color.Bold), warn: mk(color.FgYellow), dim: mk(color.Faint), bold: mk(color.Bold)}
}

// displayWidth counts terminal columns: CJK and emoji take two. Channel
// names are often Chinese; counting runes misaligned every column after them.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			if !unicode.Is(unicode.Mn, r) { // combining marks take no column
				n++
			}
		}
	}
	return n
}

// padRight pads s with spaces to w columns (never cuts it).
func padRight(s string, w int) string {
	if d := w - displayWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// warnish categories are the upstream's state, not a broken path.
func warnish(c diag.Category) bool { return c == diag.CatOverloaded }

// judged counts the endpoints by the policy the exit code uses: a mark or a
// summary that disagreed with it ("1 failed", exit 0 with --warn-on) misled.
func judged(rep *diag.Report, o Options) (pass, warn, fail int) {
	pol := policyOf(o)
	for _, e := range rep.Endpoints {
		switch pol.Judge(e) {
		case diag.SevFail:
			fail++
		case diag.SevWarn:
			warn++
		default:
			pass++
		}
	}
	return pass, warn, fail
}

// cleanPass is a pass with nothing to tell: it keeps the ✓ mark; every
// other result shows its grade.
func cleanPass(e diag.EndpointResult) bool {
	return e.Category == diag.CatOK && (e.Cause == "" || e.Cause == diag.CauseOK || e.Cause == diag.CauseNewAPIOK)
}

// gradeMark is the text mark: ✓ a clean pass, else ✗ error, ! warning, i info.
func gradeMark(e diag.EndpointResult) string {
	if cleanPass(e) {
		return "✓"
	}
	switch e.Grade() {
	case diag.GradeWarning:
		return "!"
	case diag.GradeInfo:
		return "i"
	}
	return "✗"
}

// policyTag says where the exit code's policy departs from the mark: a
// warning that fails the run (default policy on overloaded) or an error that
// does not (--warn-on). Marks alone once disagreed with the exit code.
func policyTag(e diag.EndpointResult, pol diag.Policy, l i18n.Lang) string {
	fails := pol.Judge(e) == diag.SevFail
	switch {
	case fails && e.Grade() != diag.GradeError:
		return l.T("fails the run")
	case !fails && e.Grade() == diag.GradeError:
		return l.T("does not fail the run")
	}
	return ""
}

// gradeCounts: "1 error, 2 warning, 3 info" (every grade, zeros included).
func gradeCounts(rep *diag.Report, l i18n.Lang) string {
	n := map[diag.Grade]int{}
	for _, e := range rep.Endpoints {
		n[e.Grade()]++
	}
	parts := make([]string, 0, len(diag.Grades))
	for _, g := range diag.Grades {
		parts = append(parts, l.Sprintf("%d %s", n[g], GradeName(g, l)))
	}
	return strings.Join(parts, l.T(", "))
}

// countLine: "3 ok, 2 failed, 1 warning (dns 1, refused 1, overloaded 1)".
func countLine(rep *diag.Report, o Options) string {
	l := o.Lang
	pass, warn, fail := judged(rep, o)
	line := l.Sprintf("%d ok, %d failed", pass, fail)
	switch {
	case warn == 1:
		line += l.T(", 1 warning")
	case warn > 1:
		line += l.Sprintf(", %d warnings", warn)
	}
	var parts []string
	for _, c := range diag.Categories {
		if c != diag.CatOK && rep.Summary.ByCategory[c] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", CategoryName(c, l), rep.Summary.ByCategory[c]))
		}
	}
	if len(parts) > 0 {
		line += l.Sprintf(" (%s)", strings.Join(parts, l.T(", ")))
	}
	return line
}

func renderText(w io.Writer, rep *diag.Report, o Options) error {
	p := newPalette(o.Color)
	l := o.Lang
	// Columns are laid out on the redacted values (what the reader sees):
	// a pseudonym is shorter than the host it hides.
	rd := redactorOf(o)
	names, urls := make([]string, len(rep.Endpoints)), make([]string, len(rep.Endpoints))
	nameW, urlW := 4, 3
	for i, e := range rep.Endpoints {
		names[i], urls[i] = rd.String(e.Name), rd.String(e.URL)
		nameW = max(nameW, displayWidth(names[i]))
		urlW = max(urlW, displayWidth(urls[i]))
	}
	nameW, urlW = min(nameW, 28), min(urlW, 48)
	verdictW := 0
	for _, e := range rep.Endpoints {
		verdictW = max(verdictW, displayWidth(verdictText(e, l)))
	}
	pol := policyOf(o)
	for i, e := range rep.Endpoints {
		paint := p.ok
		switch gradeMark(e) {
		case "!":
			paint = p.warn
		case "✗":
			paint = p.bad
		}
		mark := paint(gradeMark(e))
		// Pad outside the colour codes so the columns line up with colour on.
		v := verdictText(e, l)
		fmt.Fprintf(w, "%s %s  %s  %s%s", mark, padRight(names[i], nameW), padRight(urls[i], urlW), paint(v), strings.Repeat(" ", verdictW-displayWidth(v)))
		if e.FailingLayer != "" {
			fmt.Fprintf(w, "  %s", p.dim(l.Sprintf("at %s after %s", e.FailingLayer, layerTime(e, e.FailingLayer))))
		} else {
			fmt.Fprintf(w, "  %s", p.dim(fmt.Sprintf("%.0f ms", e.DurationMS)))
		}
		if tag := policyTag(e, pol, l); tag != "" {
			fmt.Fprintf(w, "  %s", p.bold("· "+tag))
		}
		if s := e.ChannelStatus(); s != "" {
			fmt.Fprintf(w, "  %s", p.warn("["+s+"]"))
		}
		fmt.Fprintln(w)
		if s := e.ChannelStatusLine(); s != "" {
			fmt.Fprintf(w, "    %s\n", l.Sprintf("channel: %s", s))
		}
		if e.Message != "" && (e.Category != diag.CatOK || o.Verbose) {
			fmt.Fprintf(w, "    %s\n", e.Message)
		}
		if e.Hint != "" {
			fmt.Fprintf(w, "    %s %s\n", p.bold(l.T("hint:")), e.Hint)
		}
		if e.Proxy.Source != "" && e.Proxy.Source != "none" {
			pu := e.Proxy.URL
			if pu == "" {
				pu = "-"
			}
			fmt.Fprintf(w, "    %s\n", l.Sprintf("proxy: %s (%s)", pu, e.Proxy.Source))
		}
		if e.Proxy.Note != "" {
			fmt.Fprintf(w, "    %s\n", l.Sprintf("proxy note: %s", e.Proxy.Note))
		}
		for _, sp := range e.Proxy.System {
			fmt.Fprintf(w, "    %s\n", l.Sprintf("system proxy: %s", sp.Line()))
		}
		for _, n := range e.Notes {
			fmt.Fprintf(w, "    %s\n", l.Sprintf("note: %s", n))
		}
		if e.Path != nil && e.Path.Summary != "" {
			fmt.Fprintf(w, "    %s\n", l.Sprintf("path: %s", e.Path.SummaryIn(l)))
		}
		if o.Verbose {
			for _, l := range e.Layers {
				st := p.ok("ok")
				if !l.OK {
					st = p.bad("FAIL")
				}
				fmt.Fprintf(w, "      %-13s %-4s %8.1f ms", l.Layer, st, l.DurationMS)
				if l.Error != "" {
					fmt.Fprintf(w, "  %s", l.Error)
				}
				fmt.Fprintln(w)
				keys := make([]string, 0, len(l.Detail))
				for k := range l.Detail {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					fmt.Fprintf(w, "        %s: %s\n", k, l.Detail[k])
				}
			}
		}
	}
	if rep.Desktop != nil {
		fmt.Fprintln(w)
		for _, line := range DesktopLines(rep.Desktop, l) {
			fmt.Fprintln(w, line)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, summaryLine(rep, p, o))
	return nil
}

// DesktopLines is the desktop app section for people (text; markdown quotes it).
// Numbers that may pass 999 (ports, PIDs, lines) go as strings: x/text
// would group their digits.
func DesktopLines(d *diag.DesktopInfo, l i18n.Lang) []string {
	out := []string{l.T("desktop app:")}
	add := func(format string, a ...any) { out = append(out, "    "+l.Sprintf(format, a...)) }
	port := strconv.Itoa(d.Port)
	if d.AppDir != "" {
		add("app folder: %s", d.AppDir)
	}
	if d.DB != "" {
		add("database: %s", d.DB)
	} else if d.DataDir != "" {
		add("data folder: %s", d.DataDir)
	}
	switch {
	case d.PortOwner != nil && d.PortOwner.PID == 0:
		add("port %s: taken (the owner's PID is not known)", port)
	case d.PortOwner != nil:
		add("port %s: held by PID %s %s", port, strconv.Itoa(d.PortOwner.PID), d.PortOwner.Process)
	default:
		add("port %s: free", port)
	}
	if d.Excluded != nil {
		add("port %s is inside the excluded range %s-%s", port, strconv.Itoa(d.Excluded.Start), strconv.Itoa(d.Excluded.End))
	}
	for _, lg := range d.Logs {
		s := l.Sprintf("log %s (%s): %d error line(s)", lg.Path, lg.Modified.Format("2006-01-02 15:04"), lg.Errors)
		for i, c := range lg.Causes {
			if i == 3 {
				break
			}
			s += fmt.Sprintf("; %s ×%d", c.Cause, c.Count)
		}
		add("%s", s)
	}
	for _, h := range d.Hosts {
		add("hosts: %s:%s %s %s", h.File, strconv.Itoa(h.Line), h.Addr, h.Name)
	}
	for _, n := range d.Notes {
		add("note: %s", n)
	}
	for _, h := range d.Hints {
		add("hint: %s", h)
	}
	return out
}

func layerTime(e diag.EndpointResult, l diag.Layer) string {
	for _, lr := range e.Layers {
		if lr.Layer == l {
			return fmt.Sprintf("%.0f ms", lr.DurationMS)
		}
	}
	return fmt.Sprintf("%.0f ms", e.DurationMS)
}

// summaryLine: "Summary: 3 ok, 2 failed (dns 1, refused 1) of 5 in 5.1 s;
// severity: 2 error, 0 warning, 3 info". The counts follow the exit code's
// policy, the severity the causes.
func summaryLine(rep *diag.Report, p palette, o Options) string {
	l := o.Lang
	line := l.Sprintf("%s: %s of %d in %.1f s; severity: %s", p.bold(l.T("Summary")), countLine(rep, o), rep.Summary.Total, rep.DurationMS/1000, gradeCounts(rep, l))
	if rep.Interrupted {
		line += l.T(" — interrupted")
	}
	return line
}

// categoryLabel is the category's identifier, with its name first in Chinese.
func categoryLabel(c diag.Category, l i18n.Lang) string {
	if l.IsZH() && c != "" {
		return CategoryName(c, l) + " " + string(c)
	}
	return string(c)
}

// verdictText is "category (cause)", or the category alone for a plain ok;
// in Chinese the category's name comes first and the identifiers stay.
func verdictText(e diag.EndpointResult, l i18n.Lang) string {
	v := string(e.Category)
	if e.Cause != "" && e.Cause != diag.CauseOK {
		v += " (" + string(e.Cause) + ")"
	}
	if l.IsZH() && e.Category != "" {
		return CategoryName(e.Category, l) + " " + v
	}
	return v
}
