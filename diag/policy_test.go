package diag

import (
	"strings"
	"testing"
)

func polEP(name string, cat Category, cause Cause) EndpointResult {
	return EndpointResult{Name: name, Category: cat, Cause: cause}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct {
		name                    string
		failOn, warnOn, require string
		wantErr                 string // substring; "" = no error
	}{
		{"empty", "", "", "", ""},
		{"valid lists", "dns, refused,blocked,proxy,tls", "overloaded", "a,b", ""},
		{"flaky pseudo-category", "", "flaky", "", ""},
		{"unknown fail-on", "dns,nope", "", "", `--fail-on: unknown category "nope"`},
		{"unknown warn-on", "", "Overloaded", "", `--warn-on: unknown category "Overloaded"`},
		{"ok is not a failure", "ok", "", "", `unknown category "ok"`},
		{"both lists", "dns", "dns", "", `"dns" is in both`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePolicy(tt.failOn, tt.warnOn, tt.require, false)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestParsePolicyLists(t *testing.T) {
	p, err := ParsePolicy(" dns ,refused,,dns", "overloaded", "x, y,x", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.FailOn) != 2 || p.FailOn[0] != CatDNS || p.FailOn[1] != CatRefused {
		t.Errorf("FailOn = %v", p.FailOn)
	}
	if len(p.Require) != 2 || p.Require[0] != "x" || p.Require[1] != "y" {
		t.Errorf("Require = %v", p.Require)
	}
	if !p.StrictWarnings {
		t.Error("StrictWarnings not set")
	}
}

func TestPolicyEvaluate(t *testing.T) {
	ok := polEP("a", CatOK, CauseOK)
	refused := polEP("b", CatRefused, CauseConnRefused)
	over := polEP("c", CatOverloaded, CauseRateLimited)
	auth := polEP("d", CatAuth, CauseUnauthorized)
	flaky := polEP("e", CatOK, CauseFlaky)
	tests := []struct {
		name                         string
		failOn, warnOn, require      string
		strict                       bool
		eps                          []EndpointResult
		wantCode, wantFail, wantWarn int
	}{
		{"all ok", "", "", "", false, []EndpointResult{ok}, 0, 0, 0},
		{"default fails any non-ok", "", "", "", false, []EndpointResult{ok, over}, 1, 1, 0},
		{"warn-on turns a failure into a warning", "", "overloaded", "", false, []EndpointResult{ok, over}, 0, 0, 1},
		{"warnings exit 3 only when strict", "", "overloaded", "", true, []EndpointResult{ok, over}, 3, 0, 1},
		{"failure beats strict warnings", "", "overloaded", "", true, []EndpointResult{refused, over}, 1, 1, 1},
		{"explicit fail-on: others warn", "refused", "", "", false, []EndpointResult{auth, over}, 0, 0, 2},
		{"explicit fail-on matches", "refused", "", "", false, []EndpointResult{refused, auth}, 1, 1, 1},
		{"require overrides warn-on", "", "overloaded", "c", false, []EndpointResult{over}, 1, 1, 0},
		{"required and ok passes", "", "", "a", false, []EndpointResult{ok}, 0, 0, 0},
		{"unknown require is a usage error", "", "", "zzz", false, []EndpointResult{ok}, 2, 1, 0},
		{"flaky warns by default", "", "", "", false, []EndpointResult{flaky}, 0, 0, 1},
		{"flaky strict exits 3", "", "", "", true, []EndpointResult{flaky}, 3, 0, 1},
		{"fail on flaky", "flaky", "", "", false, []EndpointResult{flaky}, 1, 1, 0},
		{"required flaky is ok", "", "", "e", false, []EndpointResult{flaky}, 0, 0, 1},
		{"empty report", "", "", "", true, nil, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicy(tt.failOn, tt.warnOn, tt.require, tt.strict)
			if err != nil {
				t.Fatal(err)
			}
			rep := &Report{Endpoints: tt.eps}
			v := p.Evaluate(rep)
			if v.ExitCode != tt.wantCode || len(v.Failures) != tt.wantFail || len(v.Warnings) != tt.wantWarn {
				t.Fatalf("got exit %d failures %q warnings %q; want exit %d, %d failures, %d warnings",
					v.ExitCode, v.Failures, v.Warnings, tt.wantCode, tt.wantFail, tt.wantWarn)
			}
			for _, f := range v.Failures {
				if f == "" {
					t.Error("empty failure line")
				}
			}
		})
	}
}

func TestPolicyEvaluateNilReport(t *testing.T) {
	p, _ := ParsePolicy("", "", "x", false)
	if v := p.Evaluate(nil); v.ExitCode != ExitUsage {
		t.Fatalf("nil report with --require: exit %d, want %d", v.ExitCode, ExitUsage)
	}
}

func TestPolicyLineNamesEndpoint(t *testing.T) {
	p, _ := ParsePolicy("", "", "", false)
	e := polEP("openai-main", CatRefused, CauseConnRefused)
	e.Message = "api.x:443 refused the connection"
	v := p.Evaluate(&Report{Endpoints: []EndpointResult{e}})
	if len(v.Failures) != 1 || !strings.Contains(v.Failures[0], "openai-main") || !strings.Contains(v.Failures[0], "connection-refused") {
		t.Fatalf("failure line %q lacks the endpoint or cause", v.Failures)
	}
}
