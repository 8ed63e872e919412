package diag

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSeverityEveryCause fails when a cause of the hint catalogue has no
// grade, or the table grades a cause the catalogue does not know: the table
// and the catalogue move together.
func TestSeverityEveryCause(t *testing.T) {
	for cause := range catalogue {
		t.Run(string(cause), func(t *testing.T) {
			g, ok := severities[cause]
			if !ok {
				t.Fatalf("cause %q has no grade in severities (diag/severity.go)", cause)
			}
			if g != GradeError && g != GradeWarning && g != GradeInfo {
				t.Fatalf("cause %q has grade %q", cause, g)
			}
			// A passing category is never an error, a failing one never info.
			if cat := CategoryOf(cause); cat == CatOK && g == GradeError || cat != CatOK && g == GradeInfo {
				t.Errorf("cause %q (category %s) graded %s", cause, cat, g)
			}
		})
	}
	for cause := range severities {
		if _, ok := catalogue[cause]; !ok {
			t.Errorf("severities grades %q, which the catalogue does not know", cause)
		}
	}
}

// TestSeverityIssueExamples pins the grades issue 13 names.
func TestSeverityIssueExamples(t *testing.T) {
	tests := []struct {
		cause Cause
		want  Grade
	}{
		{CauseRateLimited, GradeWarning},
		{CauseOverloaded529, GradeWarning},
		{CauseUnavailable, GradeWarning},
		{CauseFlaky, GradeWarning},
		{CauseOKKeyNotSent, GradeInfo},
		{CauseIPv6Broken, GradeInfo},
		{CauseOK, GradeInfo},
		{CauseConnRefused, GradeError},
		{CauseLocalRefused, GradeError},
		{CauseSYNTimeout, GradeError},
		{CauseTLSReset, GradeError},
		{CauseNXDOMAIN, GradeError},
		{CauseDNSTimeout, GradeError},
		{CauseProxyRefused, GradeError},
		{CauseProxyAuthRequired, GradeError},
		{CauseTLSUntrusted, GradeError},
		{CauseTLSExpired, GradeError},
		{CauseQuota, GradeError},
		{"no-such-cause", GradeError},
	}
	for _, tt := range tests {
		t.Run(string(tt.cause), func(t *testing.T) {
			if got := SeverityOf(tt.cause); got != tt.want {
				t.Errorf("SeverityOf(%q) = %s, want %s", tt.cause, got, tt.want)
			}
		})
	}
}

// Every category's causes take the grade the issue gives the category
// (dns, refused, blocked, proxy, tls → error), save the listed exceptions.
func TestSeverityByCategory(t *testing.T) {
	want := map[Category]Grade{CatDNS: GradeError, CatRefused: GradeError, CatBlocked: GradeError,
		CatUnreachable: GradeError, CatProxy: GradeError, CatTLS: GradeError, CatAuth: GradeError}
	// Nothing answering on a port the doctor guessed is a warning (issue 9.6).
	except := map[Cause]Grade{CauseGatewayPortGuessed: GradeWarning}
	for cause, ci := range catalogue {
		if g, ok := except[cause]; ok {
			if SeverityOf(cause) != g {
				t.Errorf("%s (%s) = %s, want %s", cause, ci.cat, SeverityOf(cause), g)
			}
			continue
		}
		if g, ok := want[ci.cat]; ok && SeverityOf(cause) != g {
			t.Errorf("%s (%s) = %s, want %s", cause, ci.cat, SeverityOf(cause), g)
		}
	}
}

func TestSummarizeGradesEveryEndpoint(t *testing.T) {
	rep := &Report{Endpoints: []EndpointResult{
		{Name: "a", Category: CatOK, Cause: CauseOK},
		{Name: "b", Category: CatRefused, Cause: CauseConnRefused, Severity: GradeInfo}, // stale: recomputed
		{Name: "c", Category: CatOverloaded, Cause: CauseRateLimited},
		{Name: "d", Category: CatOK, Cause: CauseIPv6Broken},
	}}
	rep.Summarize()
	got := []Grade{}
	for _, e := range rep.Endpoints {
		got = append(got, e.Severity)
	}
	if want := []Grade{GradeInfo, GradeError, GradeWarning, GradeInfo}; strings.Join(gs(got), ",") != strings.Join(gs(want), ",") {
		t.Errorf("severities = %v, want %v", got, want)
	}
	if s := rep.Summary.BySeverity; s[GradeError] != 1 || s[GradeWarning] != 1 || s[GradeInfo] != 2 {
		t.Errorf("by_severity = %v", s)
	}
	b, _ := json.Marshal(rep)
	for _, w := range []string{`"severity":"error"`, `"by_severity":{"error":1,"info":2,"warning":1}`, `"cause":"connection-refused"`, `"category":"refused"`} {
		if !strings.Contains(string(b), w) {
			t.Errorf("JSON lacks %s: %s", w, b)
		}
	}
}

func gs(g []Grade) []string {
	out := make([]string, len(g))
	for i, x := range g {
		out[i] = string(x)
	}
	return out
}

func TestFailOnSeverity(t *testing.T) {
	ok := polEP("a", CatOK, CauseOK)
	v6 := polEP("v6", CatOK, CauseIPv6Broken)
	refused := polEP("b", CatRefused, CauseConnRefused)
	over := polEP("c", CatOverloaded, CauseRateLimited)
	flaky := polEP("e", CatOK, CauseFlaky)
	quota := polEP("q", CatOverloaded, CauseQuota)
	tests := []struct {
		name               string
		grade              string
		warnOn             string
		eps                []EndpointResult
		wantCode, fail, wn int
	}{
		{"error: warnings only warn", "error", "", []EndpointResult{ok, over, flaky}, 0, 0, 2},
		{"error: an error fails", "error", "", []EndpointResult{over, refused}, 1, 1, 1},
		{"error: quota is an error", "error", "", []EndpointResult{quota}, 1, 1, 0},
		{"warning: overloaded fails", "warning", "", []EndpointResult{ok, over}, 1, 1, 0},
		{"warning: flaky fails", "warning", "", []EndpointResult{flaky}, 1, 1, 0},
		{"info never fails", "warning", "", []EndpointResult{ok, v6}, 0, 0, 0},
		{"warn-on still wins", "warning", "overloaded", []EndpointResult{over}, 0, 0, 1},
		{"off: default policy", "", "", []EndpointResult{over, v6}, 1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicy("", tt.warnOn, "", false)
			if err != nil {
				t.Fatal(err)
			}
			if p.FailOnSeverity, err = ParseFailOnSeverity(tt.grade); err != nil {
				t.Fatal(err)
			}
			v := p.Evaluate(&Report{Endpoints: tt.eps})
			if v.ExitCode != tt.wantCode || len(v.Failures) != tt.fail || len(v.Warnings) != tt.wn {
				t.Errorf("exit %d, %d failures, %d warnings; want %d, %d, %d (%v %v)", v.ExitCode, len(v.Failures), len(v.Warnings), tt.wantCode, tt.fail, tt.wn, v.Failures, v.Warnings)
			}
		})
	}
	for _, bad := range []string{"info", "ERROR", "fatal"} {
		if _, err := ParseFailOnSeverity(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseFailOnSeverity(%q) = %v, want an error naming it", bad, err)
		}
	}
}
