package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// JUnit XML as CI systems import it (the Ant/Jenkins schema GitLab, GitHub
// test reporters and Jenkins all read): one test case per endpoint.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Skipped   *junitProblem `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// policyOf is the policy renderers judge endpoints by, so a JUnit failure or a
// GitHub ::error agrees with the exit code. (Until report.Options carries the
// run's policy, the default one: every non-ok endpoint fails, flaky warns.)
func policyOf(o Options) diag.Policy {
	if o.Policy != nil {
		return *o.Policy
	}
	return diag.Policy{}
}

// redactorOf returns the options' redactor or one that still hides secrets.
// Renderers that escape text (XML entities, %0A) redact each field before
// escaping: an escape glued to a value (%0A10.0.0.5) would hide it from the
// final whole-buffer pass.
func redactorOf(o Options) *redact.Redactor {
	if o.Redactor != nil {
		return o.Redactor
	}
	return redact.New(redact.LevelNone, nil)
}

func seconds(msec float64) string { return fmt.Sprintf("%.3f", msec/1000) }

func renderJUnit(w io.Writer, rep *diag.Report, o Options) error {
	rd := redactorOf(o)
	pol := policyOf(o)
	s := junitSuite{Name: "newapi-doctor check", Time: seconds(rep.DurationMS)}
	if !rep.StartedAt.IsZero() {
		s.Timestamp = rep.StartedAt.UTC().Format(time.RFC3339)
	}
	s.Properties = []junitProperty{{Name: "tool", Value: rep.Tool}, {Name: "version", Value: rep.Version}}
	if rep.Interrupted {
		s.Properties = append(s.Properties, junitProperty{Name: "interrupted", Value: "true"})
	}
	s.Properties = append(s.Properties, junitProperty{Name: "severity", Value: gradeCounts(rep, i18n.EN)})
	for _, e := range rep.Endpoints {
		c := junitCase{
			Name:      rd.String(e.Name),
			Classname: "newapi-doctor/" + classSegment(e.Provider),
			Time:      seconds(e.DurationMS),
			SystemOut: rd.String(endpointDetail(e)),
		}
		problem := &junitProblem{
			Type:    string(e.Category),
			Message: rd.String(oneLineVerdict(e)),
			Text:    rd.String(failureText(e)),
		}
		switch {
		case e.Cause == diag.CauseInterrupted:
			// Not checked at all: neither a pass nor a failure of the endpoint.
			problem.Message = "not checked: the run was interrupted"
			c.Skipped = problem
			s.Skipped++
		case pol.Judge(e) == diag.SevFail:
			c.Failure = problem
			s.Failures++
		}
		s.Cases = append(s.Cases, c)
	}
	s.Tests = len(s.Cases)
	doc := junitSuites{
		Name: "newapi-doctor", Tests: s.Tests, Failures: s.Failures, Skipped: s.Skipped,
		Time: s.Time, Suites: []junitSuite{s},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// classSegment is the provider part of the classname CI tools group by. No
// dots: "newapi-doctor.openai" would read as a host name to the redactor.
func classSegment(provider string) string {
	if provider == "" {
		return "endpoint"
	}
	return strings.Map(func(r rune) rune {
		if r == '.' || r == ' ' || r == '/' {
			return '_'
		}
		return r
	}, provider)
}

// oneLineVerdict is "category: cause", plus the message when there is one.
func oneLineVerdict(e diag.EndpointResult) string {
	s := string(e.Category) + ": " + string(e.Cause)
	if e.Message != "" {
		s += " — " + e.Message
	}
	return s
}

// failureText is the body of a failure: category, cause and hint first (what
// CI shows), then where it broke.
func failureText(e diag.EndpointResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "category: %s\ncause: %s\nseverity: %s\n", e.Category, e.Cause, e.Grade())
	if e.Message != "" {
		fmt.Fprintf(&b, "message: %s\n", e.Message)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "hint: %s\n", e.Hint)
	}
	if e.FailingLayer != "" {
		fmt.Fprintf(&b, "failing layer: %s", e.FailingLayer)
		for _, l := range e.Layers {
			if l.Layer == e.FailingLayer {
				fmt.Fprintf(&b, " after %.0f ms", l.DurationMS)
				if l.Error != "" {
					fmt.Fprintf(&b, ": %s", l.Error)
				}
				break
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// endpointDetail lists what a reader of a passing case may still want: where
// the endpoint came from, the proxy, each layer, the notes and attempts.
func endpointDetail(e diag.EndpointResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "url: %s\n", e.URL)
	if e.Source != "" {
		fmt.Fprintf(&b, "source: %s\n", e.Source)
	}
	if e.Proxy.Source != "" {
		fmt.Fprintf(&b, "proxy: %s", e.Proxy.Source)
		if e.Proxy.URL != "" {
			fmt.Fprintf(&b, " %s", e.Proxy.URL)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "verdict: %s/%s\nseverity: %s\n", e.Category, e.Cause, e.Grade())
	for _, l := range e.Layers {
		mark := "ok"
		if !l.OK {
			mark = "FAILED"
		}
		fmt.Fprintf(&b, "  %-13s %-6s %8.1f ms", l.Layer, mark, l.DurationMS)
		if l.Error != "" {
			fmt.Fprintf(&b, "  %s", l.Error)
		}
		b.WriteString("\n")
	}
	for i, a := range e.Attempts {
		fmt.Fprintf(&b, "attempt %d: %s/%s", i+1, a.Category, a.Cause)
		if a.Layer != "" {
			fmt.Fprintf(&b, " at %s", a.Layer)
		}
		b.WriteString("\n")
	}
	for _, n := range e.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}
