package diag

import (
	"context"
	"net/http"
	"strings"
	"testing"

	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// TestVerdictByEndpoint: what the endpoint's source knows changes what an
// answer means (issue 9.6, 9.7, 9.8, 9.5), each against the same-shaped
// endpoint without that knowledge as a control.
func TestVerdictByEndpoint(t *testing.T) {
	json404 := pt.Upstream{Status: 404, ContentType: "application/json", Body: `{"error":{"code":"404","message":"Resource not found"}}`}
	postOnly := pt.Upstream{Status: 405, ContentType: "application/json", Body: `{"error":"method not allowed"}`, Header: http.Header{"Allow": {"POST"}}}
	url := func(u pt.Upstream) string { return pt.NewHTTPUpstream(t, u).URL }
	closed := pt.ClosedPort(t)
	full := map[string]string{ExtraFullURL: "true", "type_name": "Custom"}
	cases := []struct {
		name          string
		ep            Endpoint
		cat           Category
		cause         Cause
		hint, notHint []string
		note          string
	}{
		// 9.7: a Custom channel's chat URL answers GET with 405.
		{"custom channel, POST-only URL", Endpoint{URL: url(postOnly), ProbePath: "/v1/chat/completions", Extra: full},
			CatOK, CauseOK, nil, nil, "405"},
		{"control: 405 elsewhere is unexpected", Endpoint{URL: url(postOnly), ProbePath: "/v1/chat/completions"},
			CatHTTP, CauseHTTPStatus, nil, nil, ""},
		{"custom channel 404 says the full URL is wrong", Endpoint{URL: url(json404), ProbePath: "/v1/chat/completions", Extra: full},
			CatHTTP, CauseNotFound, []string{"full request URL"}, []string{"trailing /v1"}, ""},
		// 9.8: each provider its own 404 hint.
		{"azure 404", Endpoint{URL: url(json404), Provider: "azure", ProbePath: "/openai/models?api-version=2024-02-01"},
			CatHTTP, CauseNotFound, []string{"resource endpoint", "api-version", "2024-02-01 was asked", "deployment"}, []string{"trailing /v1"}, ""},
		{"gemini 404", Endpoint{URL: url(json404) + "/v1beta", Provider: "gemini"},
			CatHTTP, CauseNotFound, []string{"/v1beta"}, []string{"trailing /v1"}, ""},
		{"control: openai-compatible 404 keeps the /v1 advice", Endpoint{URL: url(json404) + "/v1/v1"},
			CatHTTP, CauseNotFound, []string{"drop a trailing /v1"}, nil, ""},
		// 9.6: nothing answers on a guessed port.
		{"guessed gateway port, nothing listens", Endpoint{URL: "http://" + closed, Provider: "newapi", ProbePath: "/api/status",
			Extra: map[string]string{ExtraPortGuess: "PORT is not set here, so new-api's default 3000 was tried"}},
			CatRefused, CauseGatewayPortGuessed, []string{"guess", "PORT=", "--gateway"}, nil, "PORT is not set"},
		{"control: a configured port refused", Endpoint{URL: "http://" + closed, Provider: "newapi", ProbePath: "/api/status"},
			CatRefused, CauseLocalRefused, nil, nil, ""},
		// 9.5: a source's note reaches the verdict's notes.
		{"source note", Endpoint{URL: url(pt.Upstream{Status: 401, ContentType: "application/json", Body: `{}`}), Extra: map[string]string{ExtraNote: "no key was sent"}},
			CatOK, CauseOKKeyNotSent, []string{"add key/key_env"}, nil, "no key was sent"},
		{"key asked for, none to give", Endpoint{URL: url(pt.Upstream{Status: 401, ContentType: "application/json", Body: `{}`}), Extra: map[string]string{ExtraKeyUnavailable: "true", ExtraNote: "no key was sent"}},
			CatOK, CauseOKKeyNotSent, []string{"admin API does not list keys", "--from-db --with-keys"}, []string{"add key/key_env"}, "no key was sent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.ep.Name = tc.name
			r := CheckEndpoint(context.Background(), tc.ep, RunOptions{Timeouts: fastTimeouts})
			if r.Category != tc.cat || r.Cause != tc.cause {
				t.Fatalf("verdict %s/%s (%s), want %s/%s", r.Category, r.Cause, r.Message, tc.cat, tc.cause)
			}
			if tc.cat == CatOK && r.FailingLayer != "" {
				t.Errorf("ok verdict with failing layer %s", r.FailingLayer)
			}
			for _, w := range tc.hint {
				if !strings.Contains(r.Hint, w) {
					t.Errorf("hint %q lacks %q", r.Hint, w)
				}
			}
			for _, w := range tc.notHint {
				if strings.Contains(r.Hint, w) {
					t.Errorf("hint %q says %q", r.Hint, w)
				}
			}
			notes := strings.Join(r.Notes, " | ")
			if tc.note != "" && !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q lack %q", notes, tc.note)
			}
			if tc.note == "" && len(r.Notes) > 0 {
				t.Errorf("unexpected notes %q", notes)
			}
		})
	}
}

// TestGuessedPortOnlyWarns: the exit policy warns on a guessed port, unless
// the endpoint is required by name or warnings are to fail (issue 9.6).
func TestGuessedPortOnlyWarns(t *testing.T) {
	e := EndpointResult{Name: "new-api gateway", Category: CatRefused, Cause: CauseGatewayPortGuessed}
	cases := []struct {
		name string
		pol  Policy
		want Severity
	}{
		{"default policy", Policy{}, SevWarn},
		{"--fail-on refused", Policy{FailOn: []Category{CatRefused}}, SevWarn},
		{"--require names it", Policy{Require: []string{"new-api gateway"}}, SevFail},
		{"--fail-on-severity warning", Policy{FailOnSeverity: GradeWarning}, SevFail},
		{"--fail-on-severity error", Policy{FailOnSeverity: GradeError}, SevWarn},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.pol.Judge(e); got != tc.want {
				t.Errorf("Judge = %v, want %v", got, tc.want)
			}
		})
	}
	rep := &Report{Endpoints: []EndpointResult{e, {Name: "ok", Category: CatOK, Cause: CauseOK}}}
	rep.Summarize()
	if v := (Policy{}).Evaluate(rep); v.ExitCode != ExitOK || len(v.Warnings) != 1 {
		t.Errorf("exit %d, warnings %v: want 0 with one warning", v.ExitCode, v.Warnings)
	}
	if v := (Policy{StrictWarnings: true}).Evaluate(rep); v.ExitCode != ExitWarnings {
		t.Errorf("--strict-warnings: exit %d, want %d", v.ExitCode, ExitWarnings)
	}
}

// TestNotFoundHintCoversEveryProvider: every provider of the table has its
// own 404 hint or is on the OpenAI convention by name, so a new provider
// cannot inherit advice for another's URLs (issue 9.8).
func TestNotFoundHintCoversEveryProvider(t *testing.T) {
	openAIStyle := map[string]bool{"openai": true, "deepseek": true, "mistral": true, "moonshot": true, "siliconflow": true,
		"xai": true, "perplexity": true, "cohere": true, "lingyiwanwu": true, GenericProviderID: true}
	for _, p := range providers {
		t.Run(p.ID, func(t *testing.T) {
			h := HintFor(CauseNotFound, HintFacts{Provider: p.ID, Path: "/x"})
			_, own := notFoundHints[p.ID]
			switch {
			case own == openAIStyle[p.ID]:
				t.Errorf("%s: own hint %v, OpenAI-style %v: want exactly one", p.ID, own, openAIStyle[p.ID])
			case own && strings.Contains(h, "trailing /v1"):
				t.Errorf("%s: own hint gives OpenAI's advice: %q", p.ID, h)
			case !own && !strings.Contains(h, "drop a trailing /v1"):
				t.Errorf("%s: %q", p.ID, h)
			}
		})
	}
}
