package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/explain"
)

// ExplainItem is one explained text, with the confirming probe's verdict
// when `explain --probe` ran it.
type ExplainItem struct {
	Input string `json:"input"`
	explain.Result
	Probe *diag.EndpointResult `json:"probe_result,omitempty"`
}

// ExplainFormats are the formats explain renders.
var ExplainFormats = []string{"text", "json"}

// RenderExplain renders explained texts in format ("text" or "json"); the
// bytes pass the redactor like every other output.
func RenderExplain(w io.Writer, items []ExplainItem, format string, o Options) error {
	var buf bytes.Buffer
	switch format {
	case "json":
		if items == nil {
			items = []ExplainItem{}
		}
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(map[string]any{"schema_version": diag.SchemaVersion, "results": items}); err != nil {
			return err
		}
	case "text":
		p := newPalette(o.Color)
		p.l = o.Lang
		for i, it := range items {
			if i > 0 {
				buf.WriteString("\n")
			}
			writeExplainText(&buf, it, p)
		}
	default:
		return fmt.Errorf("explain renders --format %s, not %q", strings.Join(ExplainFormats, "|"), format)
	}
	return WriteRedacted(w, buf.Bytes(), o.Redactor)
}

func explainCat(p palette, c diag.Category, s string) string {
	switch {
	case c == diag.CatOK:
		return p.ok(s)
	case warnish(c):
		return p.warn(s)
	}
	return p.bad(s)
}

func writeExplainText(b *bytes.Buffer, it ExplainItem, p palette) {
	r := it.Result
	if !r.Recognized() {
		fmt.Fprintf(b, "%s %s\n", p.warn("?"), p.bold(p.l.T("not recognised")))
		fmt.Fprint(b, p.l.Sprintf("  text:  %s\n", explainLine(it.Input, 300)))
		fmt.Fprint(b, p.l.Sprintf("  hint:  %s\n", r.Hint))
		return
	}
	fmt.Fprintf(b, "%s %s (%s)", p.bold("→"), explainCat(p, r.Category, categoryLabel(r.Category, p.l)), r.Cause)
	if r.Layer != "" {
		fmt.Fprintf(b, "  %s", p.dim(p.l.Sprintf("at %s", r.Layer)))
	}
	if r.Source != "" {
		fmt.Fprintf(b, "  %s", p.dim("["+r.Source+"]"))
	}
	b.WriteString("\n")
	if r.ChannelID > 0 {
		fmt.Fprint(b, p.l.Sprintf("  channel:  #%d %s\n", r.ChannelID, r.ChannelName))
	}
	if r.Host != "" {
		who := p.l.T("target:")
		if r.Cause.IsProxy() {
			who = p.l.T("proxy:")
		}
		fmt.Fprintf(b, "  %s  %s\n", padRight(who, 8), explainHostPort(r.Host, r.Port))
	}
	if r.URL != "" {
		fmt.Fprint(b, p.l.Sprintf("  url:      %s\n", r.URL))
	}
	if r.Status != 0 {
		fmt.Fprint(b, p.l.Sprintf("  status:   %d\n", r.Status))
	}
	if r.Guessed {
		fmt.Fprint(b, p.warn(p.l.Sprintf("  guess:    only the word %q points here; no rule read this text\n", r.Evidence)))
		fmt.Fprint(b, p.l.Sprintf("  text:     %s\n", explainLine(it.Input, 300)))
	} else {
		fmt.Fprint(b, p.l.Sprintf("  evidence: %s\n", explainLine(r.Evidence, 300)))
	}
	fmt.Fprint(b, p.l.Sprintf("  hint:     %s\n", r.Hint))
	if r.Probe != "" {
		fmt.Fprint(b, p.l.Sprintf("  confirm:  %s\n", p.bold(r.Probe)))
	}
	if pr := it.Probe; pr != nil {
		fmt.Fprint(b, p.l.Sprintf("  probe:    %s %s (%s)", pr.Name, explainCat(p, pr.Category, categoryLabel(pr.Category, p.l)), pr.Cause))
		if pr.FailingLayer != "" {
			fmt.Fprint(b, p.l.Sprintf(" at %s", pr.FailingLayer))
		}
		b.WriteString("\n")
		if pr.Message != "" {
			fmt.Fprintf(b, "            %s\n", pr.Message)
		}
		switch {
		case pr.Category == r.Category && pr.Cause == r.Cause:
			fmt.Fprintf(b, "            %s\n", p.ok(p.l.T("the probe confirms the diagnosis")))
		case pr.Category == diag.CatOK:
			fmt.Fprintf(b, "            %s\n", p.warn(p.l.T("the path works from here now: the fault was transient, or lies where the text came from (another host, container or network)")))
		default:
			fmt.Fprintf(b, "            %s\n", p.warn(p.l.T("the probe sees a different fault from here: trust the probe for this machine")))
		}
	}
}

func explainHostPort(h, port string) string {
	if port == "" {
		return h
	}
	if strings.Contains(h, ":") {
		return "[" + h + "]:" + port
	}
	return h + ":" + port
}

func explainLine(s string, n int) string {
	s = printable(strings.Join(strings.Fields(s), " "))
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// printable escapes what a terminal would act on or hide: C0/C1 controls
// (ESC sequences retitle or clear a terminal), bidi overrides and other
// format characters, and invalid UTF-8. Explained text is untrusted input.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r != ' ' && !unicode.IsGraphic(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r != ' ' && !unicode.IsGraphic(r):
			if r < 0x80 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// RenderLogReport renders an analysed log in format ("text" or "json"),
// through the redactor.
func RenderLogReport(w io.Writer, rep *explain.LogReport, format string, o Options) error {
	var buf bytes.Buffer
	switch format {
	case "json":
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(map[string]any{"schema_version": diag.SchemaVersion, "log": rep}); err != nil {
			return err
		}
	case "text":
		p := newPalette(o.Color)
		p.l = o.Lang
		writeLogText(&buf, rep, p, o.Verbose)
	default:
		return fmt.Errorf("explain renders --format %s, not %q", strings.Join(ExplainFormats, "|"), format)
	}
	return WriteRedacted(w, buf.Bytes(), o.Redactor)
}

func writeLogText(b *bytes.Buffer, rep *explain.LogReport, p palette, verbose bool) {
	fmt.Fprint(b, p.l.Sprintf("%s %d lines (%s), %d errors classified, %d not recognised",
		p.bold(p.l.T("log:")), rep.Lines, explainBytes(rep.Bytes), rep.Errors, rep.Unrecognized))
	if rep.Garbage > 0 {
		fmt.Fprint(b, p.l.Sprintf(", %d not text", rep.Garbage))
	}
	if rep.Truncated > 0 {
		fmt.Fprint(b, p.l.Sprintf(", %d over-long (read in part)", rep.Truncated))
	}
	b.WriteString("\n")
	if rep.Joined > 0 {
		fmt.Fprint(b, p.l.Sprintf("%s %d of new-api's own follow-up lines (channel error, relay error) counted with their request's real cause\n",
			p.bold(p.l.T("joined:")), rep.Joined))
	}
	if rep.ClientCanceled > 0 {
		fmt.Fprint(b, p.l.Sprintf("%s %d requests ended by new-api's own client leaving (context canceled): no channel is blamed\n",
			p.bold(p.l.T("client left:")), rep.ClientCanceled))
	}
	if rep.Encoding != "" || rep.GB18030Lines > 0 {
		enc := rep.Encoding
		if rep.GB18030Lines > 0 {
			enc = strings.TrimPrefix(enc+p.l.Sprintf(", %d lines GB18030/GBK", rep.GB18030Lines), ", ")
		}
		fmt.Fprintf(b, "%s %s\n", p.bold(p.l.T("encoding:")), enc)
	}
	if rep.First != "" {
		fmt.Fprintf(b, "%s %s → %s\n", p.bold(p.l.T("span:")), rep.First, rep.Last)
	}
	if rep.Errors == 0 {
		fmt.Fprintf(b, "%s\n", p.ok(p.l.T("no upstream errors recognised")))
		return
	}
	b.WriteString("\n" + p.bold(p.l.T("by category")) + "\n")
	for _, c := range diag.Categories {
		if n := rep.ByCategory[c]; n > 0 {
			fmt.Fprintf(b, "  %s %8d  %5.1f%%\n", explainCat(p, c, padRight(categoryLabel(c, p.l), 12)), n, 100*float64(n)/float64(rep.Errors))
		}
	}
	b.WriteString("\n" + p.bold(p.l.T("by cause")) + "\n")
	for i, c := range rep.Causes {
		if i >= 12 && !verbose {
			fmt.Fprint(b, p.l.Sprintf("  … %d more causes (--verbose)\n", len(rep.Causes)-i))
			break
		}
		fmt.Fprintf(b, "  %8d  %s (%s)\n", c.Count, explainCat(p, c.Category, string(c.Cause)), c.Category)
		fmt.Fprint(b, p.l.Sprintf("            e.g. %s\n", p.dim(explainLine(c.Example, 160))))
		fmt.Fprintf(b, "            %s\n", c.Hint)
		if c.Probe != "" {
			fmt.Fprint(b, p.l.Sprintf("            confirm: %s\n", c.Probe))
		}
	}
	if len(rep.Channels) > 0 {
		b.WriteString("\n" + p.bold(p.l.T("worst channels")) + "\n")
		for i, c := range rep.Channels {
			if i >= 10 && !verbose {
				fmt.Fprint(b, p.l.Sprintf("  … %d more (--verbose)\n", len(rep.Channels)-i))
				break
			}
			fmt.Fprint(b, p.l.Sprintf("  %s %8d errors, mostly %s (%s)", padRight(printable(c.Key), 28), c.Errors, explainCat(p, c.Category, string(c.TopCause)), c.Category))
			if c.Disabled > 0 {
				fmt.Fprint(b, p.l.Sprintf(", %d auto-disable lines", c.Disabled))
			}
			b.WriteString("\n")
			fmt.Fprintf(b, "  %-28s %s\n", "", c.Hint)
		}
		if rep.OverflowChannels > 0 {
			fmt.Fprint(b, p.l.Sprintf("  (%d errors over the channel cap counted under (other))\n", rep.OverflowChannels))
		}
	}
	if len(rep.UnrecognizedExamples) > 0 {
		b.WriteString("\n" + p.bold(p.l.T("not recognised, e.g.")) + "\n")
		for _, e := range rep.UnrecognizedExamples {
			fmt.Fprintf(b, "  %s\n", p.dim(explainLine(e, 160)))
		}
	}
	if len(rep.Hours) > 0 {
		b.WriteString("\n" + p.bold(p.l.T("by hour")) + "\n")
		peak := int64(1)
		for _, h := range rep.Hours {
			peak = max(peak, h.Errors)
		}
		hours := rep.Hours
		if len(hours) > 48 && !verbose {
			fmt.Fprint(b, p.l.Sprintf("  (last 48 of %d hours; --verbose for all)\n", len(hours)))
			hours = hours[len(hours)-48:]
		}
		for _, h := range hours {
			bar := strings.Repeat("█", int(1+h.Errors*30/peak))
			fmt.Fprintf(b, "  %s %8d %s\n", h.Hour, h.Errors, p.dim(bar))
		}
	}
}

func explainBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
