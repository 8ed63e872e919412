package diag

import (
	"fmt"
	"strings"
)

// Exit codes of a check run. They are documented in the README and scripts
// depend on them: never renumber.
const (
	ExitOK       = 0 // every endpoint passed the policy
	ExitFailure  = 1 // at least one endpoint failed the policy
	ExitUsage    = 2 // usage or configuration error (bad flag value, unknown --require name)
	ExitWarnings = 3 // only warnings, and --strict-warnings asked for them to count
)

// CatFlaky is a policy-only name for an endpoint that failed some attempts and
// then answered (category ok, cause "flaky"). It is accepted by --fail-on and
// --warn-on but is not a Category of any verdict.
const CatFlaky Category = "flaky"

// Policy decides which verdicts fail a run and which only warn.
type Policy struct {
	// FailOn lists the categories that fail the run. Empty = every non-ok
	// category that is not in WarnOn.
	FailOn []Category
	// WarnOn lists the categories that only warn. With an explicit FailOn,
	// non-ok categories in neither list also warn: a fault is never silent.
	WarnOn []Category
	// Require names endpoints that must be ok whatever their category.
	Require []string
	// StrictWarnings makes a run with warnings and no failures exit 3.
	StrictWarnings bool
	// FailOnSeverity (--fail-on-severity) fails endpoints graded at least
	// this (error or warning) instead of every non-ok category; like an
	// explicit FailOn, what it does not fail still warns. "" = off.
	FailOnSeverity Grade
}

// Severity is what a policy makes of one endpoint's verdict.
type Severity int

const (
	SevPass Severity = iota
	SevWarn
	SevFail
)

// Verdict is a policy applied to a report.
type Verdict struct {
	ExitCode int
	Failures []string // one line per failing endpoint (or unknown --require name)
	Warnings []string // one line per warning
}

// ParsePolicy reads the flag values (comma-separated lists). Unknown category
// names are errors that name the value and list the valid ones.
func ParsePolicy(failOn, warnOn, require string, strict bool) (Policy, error) {
	var p Policy
	var err error
	if p.FailOn, err = parseCategoryList("--fail-on", failOn); err != nil {
		return Policy{}, err
	}
	if p.WarnOn, err = parseCategoryList("--warn-on", warnOn); err != nil {
		return Policy{}, err
	}
	for _, c := range p.FailOn {
		if containsCat(p.WarnOn, c) {
			return Policy{}, fmt.Errorf("category %q is in both --fail-on and --warn-on", c)
		}
	}
	seen := map[string]bool{}
	for _, n := range splitList(require) {
		if !seen[n] {
			seen[n] = true
			p.Require = append(p.Require, n)
		}
	}
	p.StrictWarnings = strict
	return p, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func parseCategoryList(flag, s string) ([]Category, error) {
	var out []Category
	for _, f := range splitList(s) {
		c, ok := ParseCategory(f)
		if f == string(CatFlaky) {
			c, ok = CatFlaky, true
		}
		if !ok || c == CatOK {
			return nil, fmt.Errorf("%s: unknown category %q (want a comma-separated list of %s)", flag, f, policyNames())
		}
		if !containsCat(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

func policyNames() string {
	var names []string
	for _, c := range Categories {
		if c != CatOK {
			names = append(names, string(c))
		}
	}
	return strings.Join(append(names, string(CatFlaky)), ",")
}

func containsCat(list []Category, c Category) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// IsFlaky reports whether an endpoint passed only after failed attempts.
func IsFlaky(e EndpointResult) bool { return e.Category == CatOK && e.Cause == CauseFlaky }

// Judge applies the policy to one endpoint. Renderers use it too, so JUnit
// failures and GitHub ::error lines agree with the exit code.
func (p Policy) Judge(e EndpointResult) Severity {
	cat := e.Category
	if IsFlaky(e) {
		cat = CatFlaky
	}
	required := false
	for _, n := range p.Require {
		if n == e.Name {
			required = true
		}
	}
	switch {
	// A port the doctor guessed is its own uncertainty, not a fault: it
	// warns unless the endpoint is required by name or warnings fail.
	case e.Cause == CauseGatewayPortGuessed && !required:
		if p.FailOnSeverity != "" && e.Grade().AtLeast(p.FailOnSeverity) {
			return SevFail
		}
		return SevWarn
	case containsCat(p.FailOn, cat):
		return SevFail
	case e.Category != CatOK && required:
		return SevFail
	case containsCat(p.WarnOn, cat):
		return SevWarn
	case p.FailOnSeverity != "" && e.Grade().AtLeast(p.FailOnSeverity):
		return SevFail
	case cat == CatOK:
		return SevPass
	case cat == CatFlaky:
		// Flaky passes by default (one dropped packet must not fail CI) but is
		// never silent.
		return SevWarn
	case len(p.FailOn) == 0 && p.FailOnSeverity == "":
		return SevFail
	default:
		return SevWarn
	}
}

// UnknownRequired returns the --require names that match no endpoint.
func (p Policy) UnknownRequired(names []string) []string {
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	var out []string
	for _, n := range p.Require {
		if !have[n] {
			out = append(out, n)
		}
	}
	return out
}

// Evaluate applies the policy to a whole report.
func (p Policy) Evaluate(rep *Report) Verdict {
	var v Verdict
	var names []string
	if rep != nil {
		for _, e := range rep.Endpoints {
			names = append(names, e.Name)
			switch p.Judge(e) {
			case SevFail:
				v.Failures = append(v.Failures, verdictLine(e))
			case SevWarn:
				v.Warnings = append(v.Warnings, verdictLine(e))
			}
		}
	}
	unknown := p.UnknownRequired(names)
	for _, n := range unknown {
		v.Failures = append(v.Failures, fmt.Sprintf("--require %q: no endpoint has that name", n))
	}
	switch {
	case len(unknown) > 0:
		v.ExitCode = ExitUsage
	case len(v.Failures) > 0:
		v.ExitCode = ExitFailure
	case len(v.Warnings) > 0 && p.StrictWarnings:
		v.ExitCode = ExitWarnings
	default:
		v.ExitCode = ExitOK
	}
	return v
}

func verdictLine(e EndpointResult) string {
	s := fmt.Sprintf("%s: %s (%s)", e.Name, e.Category, e.Cause)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}
