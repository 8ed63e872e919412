package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// renderMarkdown writes a report to paste into an issue tracker or a support
// ticket: a summary table first, then one section per failing endpoint with
// its layers folded in <details>. Verbose adds sections for passing ones.
//
// Values are redacted before they are escaped: escaping first would split a
// secret ("sk-a_b" → "sk-a\_b") so that the final pass no longer sees it.
func renderMarkdown(w io.Writer, rep *diag.Report, o Options) error {
	rd := o.Redactor
	if rd == nil {
		rd = redact.New(redact.LevelNone, nil)
	}
	mdText := func(s string) string { return mdEscaper.Replace(rd.String(s)) }
	mdCell := mdText
	mdCode := func(s string) string { return mdCodeSpan(rd.String(s)) }
	l := o.Lang
	fmt.Fprintf(w, "# %s\n\n", l.T("newapi-doctor report"))
	var facts []string
	if rep.Version != "" {
		facts = append(facts, l.Sprintf("version %s", mdText(rep.Version)))
	}
	if !rep.StartedAt.IsZero() {
		facts = append(facts, l.Sprintf("started %s", rep.StartedAt.UTC().Format(time.RFC3339)))
	}
	facts = append(facts, fmt.Sprintf("%.1f s", rep.DurationMS/1000))
	if rep.Interrupted {
		facts = append(facts, "**"+l.T("interrupted")+"**")
	}
	fmt.Fprintf(w, "%s\n\n", strings.Join(facts, " · "))
	fmt.Fprintf(w, "**%s**\n\n", mdText(l.Sprintf("%s of %d; severity: %s", countLine(rep, o), rep.Summary.Total, gradeCounts(rep, l))))

	if len(rep.Endpoints) == 0 {
		fmt.Fprintln(w, "_"+l.T("No endpoints were checked.")+"_")
		return nil
	}
	fmt.Fprintln(w, l.T("| | Endpoint | URL | Category | Cause | Severity | Failing layer | Time |"))
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---:|")
	pol := policyOf(o)
	for _, e := range rep.Endpoints {
		cause := e.Cause
		if cause == diag.CauseOK {
			cause = ""
		}
		name := mdCell(e.Name)
		if s := e.ChannelStatus(); s != "" {
			name += " _(" + mdCell(s) + ")_"
		}
		cat := string(e.Category)
		if l.IsZH() && cat != "" {
			cat = CategoryName(e.Category, l) + " " + cat
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %.0f ms |\n", mdMark(e), name, mdCode(e.URL),
			cat, mdCell(string(cause)), mdSeverity(e, pol, l), e.FailingLayer, e.DurationMS)
	}
	for _, e := range rep.Endpoints {
		if cleanPass(e) && !o.Verbose {
			continue
		}
		mdEndpoint(w, e, mdMark(e), mdText, mdCode, l)
	}
	if rep.Desktop != nil {
		fmt.Fprintf(w, "\n## %s\n\n", l.T("Desktop app"))
		for _, line := range DesktopLines(rep.Desktop, l)[1:] {
			fmt.Fprintf(w, "- %s\n", mdText(strings.TrimSpace(line)))
		}
	}
	return nil
}

func mdEndpoint(w io.Writer, e diag.EndpointResult, mark string, mdText, mdCode func(string) string, lang i18n.Lang) {
	mdCell := mdText
	cat := string(e.Category)
	if lang.IsZH() {
		cat = CategoryName(e.Category, lang) + " " + cat
	}
	fmt.Fprintf(w, "\n## %s %s — %s", mark, mdText(e.Name), cat)
	if e.Cause != "" && e.Cause != diag.CauseOK {
		fmt.Fprintf(w, " (%s)", mdText(string(e.Cause)))
	}
	fmt.Fprint(w, "\n\n")
	item := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "- **%s** %s\n", lang.Sprintf("%s:", lang.T(k)), v)
		}
	}
	item("URL", mdCode(e.URL))
	item("Provider", mdText(e.Provider))
	item("Defined in", mdText(e.Source))
	item("Channel status", mdText(e.ChannelStatusLine()))
	item("What happened", mdText(e.Message))
	if e.FailingLayer != "" {
		item("Failing layer", string(e.FailingLayer))
	}
	item("Hint", mdText(e.Hint))
	if e.Proxy.Source != "" && e.Proxy.Source != "none" {
		p := lang.T("none")
		if e.Proxy.URL != "" {
			p = mdCode(e.Proxy.URL)
		}
		item("Proxy", p+" ("+mdText(e.Proxy.Source)+")")
	}
	item("Proxy note", mdText(e.Proxy.Note))
	for _, sp := range e.Proxy.System {
		item("System proxy", mdText(sp.Line()))
	}
	for _, n := range e.Notes {
		item("Note", mdText(n))
	}
	if len(e.Attempts) > 0 {
		var a []string
		for _, at := range e.Attempts {
			a = append(a, string(at.Category)+"/"+string(at.Cause))
		}
		item("Attempts", mdText(strings.Join(a, ", ")))
	}
	if e.Path != nil {
		item("Path", mdText(e.Path.SummaryIn(lang)))
	}
	if len(e.Extra) > 0 {
		keys := sortedKeys(e.Extra)
		var kv []string
		for _, k := range keys {
			if k == diag.ExtraNote { // already a Note above
				continue
			}
			kv = append(kv, k+"="+e.Extra[k])
		}
		item("Extra", mdText(strings.Join(kv, ", ")))
	}
	if len(e.Layers) == 0 {
		return
	}
	fmt.Fprintf(w, "\n<details><summary>%s</summary>\n\n", lang.T("Layers"))
	fmt.Fprintln(w, lang.T("| Layer | Result | Time | Error | Detail |"))
	fmt.Fprintln(w, "|---|---|---:|---|---|")
	for _, l := range e.Layers {
		res := "ok"
		if !l.OK {
			res = "**FAIL**"
		}
		var det []string
		for _, k := range sortedKeys(l.Detail) {
			det = append(det, k+": "+l.Detail[k])
		}
		fmt.Fprintf(w, "| %s | %s | %.1f ms | %s | %s |\n", l.Layer, res, l.DurationMS, mdCell(l.Error), mdCell(strings.Join(det, "; ")))
	}
	fmt.Fprint(w, "\n</details>\n")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mdMark is the grade's mark, as in text (✓ ✗ ! i).
func mdMark(e diag.EndpointResult) string {
	switch gradeMark(e) {
	case "✓":
		return "✅"
	case "!":
		return "⚠️"
	case "i":
		return "ℹ️"
	}
	return "❌"
}

// mdSeverity is the grade, with the policy's word where it departs from it.
func mdSeverity(e diag.EndpointResult, pol diag.Policy, l i18n.Lang) string {
	s := string(e.Grade())
	if l.IsZH() {
		s = GradeName(e.Grade(), l) + " " + s
	}
	if tag := policyTag(e, pol, l); tag != "" {
		s += l.Sprintf(" (%s)", tag)
	}
	return s
}

// mdEscaper puts free text (error strings carry *, _, <, | …) onto one line.
// "[REDACTED]" stays readable: brackets are left alone.
var mdEscaper = redact.MarkdownEscaper

// mdCodeSpan puts a value in a code span, widening the fence past any backticks
// it holds; pipes still need escaping inside tables.
func mdCodeSpan(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("\n", " ", "\r", "", "|", `\|`).Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
