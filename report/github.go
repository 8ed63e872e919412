package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// GitHub Actions workflow commands: one ::error or ::warning annotation per
// endpoint the policy fails or warns on, then a plain summary line. The
// annotations carry no file: they attach to the job, not to source lines.
func renderGitHub(w io.Writer, rep *diag.Report, o Options) error {
	rd := redactorOf(o)
	pol := policyOf(o)
	var failed, warned int
	var b strings.Builder
	for _, e := range rep.Endpoints {
		var cmd string
		switch pol.Judge(e) {
		case diag.SevFail:
			cmd = "error"
			failed++
		case diag.SevWarn:
			cmd = "warning"
			warned++
		default:
			continue
		}
		title := fmt.Sprintf("newapi-doctor: %s %s (%s)", e.Name, e.Category, e.Grade())
		fmt.Fprintf(&b, "::%s title=%s::%s\n", cmd, ghProperty(rd.String(title)), ghData(rd.String(ghMessage(e))))
	}
	total := len(rep.Endpoints)
	fmt.Fprintf(&b, "newapi-doctor: %d endpoint(s), %d ok, %d failed, %d warning(s); severity: %s\n",
		total, total-failed-warned, failed, warned, gradeCounts(rep, i18n.EN))
	_, err := io.WriteString(w, b.String())
	return err
}

// ghMessage is the annotation body: cause, what happened, the hint.
func ghMessage(e diag.EndpointResult) string {
	var b strings.Builder
	b.WriteString(string(e.Cause))
	if e.FailingLayer != "" {
		fmt.Fprintf(&b, " at %s", e.FailingLayer)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.URL != "" {
		fmt.Fprintf(&b, "\nURL: %s", e.URL)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "\nHint: %s", e.Hint)
	}
	return b.String()
}

// ghData escapes a workflow command's message as the Actions runner expects
// (toolkit's escapeData): a raw newline would end the command.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a property value (escapeProperty): also ':' and ','
// which delimit properties.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
