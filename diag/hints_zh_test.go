package diag

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// hintFactVariants reach every branch of every hint: no facts, then facts
// of every kind (each provider's 404, each proxy status, with and without
// credentials, evidence, a system proxy).
func hintFactVariants() []HintFacts {
	full := HintFacts{Host: "api.example.com", Port: "7890", Proxy: "127.0.0.1:7890", ProxyFrom: "env:HTTPS_PROXY",
		Status: 429, RetryAfter: "30", Issuer: "Fiddler Root", Path: "/v1/models", APIVersion: "2024-02-01",
		Provider: "openai", InDocker: true, Resolver: "192.0.2.53:53", SystemProxy: "http://127.0.0.1:7897",
		SystemProxyFrom: "system:wininet", NewAPIPath: "connects directly", Evidence: "the same address answered with SNI example.net",
		ProxyClient: "Clash"}
	out := []HintFacts{{}, full}
	v := full
	v.Proxy, v.ProxyCreds, v.ProxyFrom, v.Status, v.FullURL, v.KeyUnavailable = "192.0.2.10:3128", true, "config", 401, true, true
	v.NewAPIPath, v.ProxyClient, v.Port = "uses HTTPS_PROXY (http://192.0.2.10:3128)", "a SOCKS proxy", "1080"
	out = append(out, v)
	for _, st := range []int{502, 503, 524, 404} {
		v := full
		v.Status, v.SystemProxyFrom = st, ""
		out = append(out, v)
	}
	for p := range notFoundHints {
		v := full
		v.Provider, v.Status = p, 404
		out = append(out, v)
	}
	return out
}

var (
	han       = regexp.MustCompile(`\p{Han}`)
	factToken = regexp.MustCompile("`[^`]+`|--[a-z][a-z-]+|\\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\\b|https?://[^\\s)（），。;；]+|\\b\\d{3,5}\\b|\\b[a-z0-9.-]+\\.(conf|pem|local|internal)\\b")
)

// factsOf are what an English hint states that its Chinese form must state
// too: the facts' values it quotes, and every command, flag, environment
// variable, URL, status or port number and file name in it.
func factsOf(en string, f HintFacts) []string {
	var out []string
	for _, v := range []string{f.Host, f.Port, f.Proxy, f.RetryAfter, f.Issuer, f.Path, f.APIVersion, f.Resolver, f.SystemProxy, f.SystemProxyFrom, f.Evidence} {
		if v != "" && strings.Contains(en, v) {
			out = append(out, v)
		}
	}
	if f.Status != 0 && strings.Contains(en, fmt.Sprint(f.Status)) {
		out = append(out, fmt.Sprint(f.Status))
	}
	for _, t := range factToken.FindAllString(en, -1) {
		out = append(out, strings.TrimRight(t, ".,:"))
	}
	return out
}

// Every cause has a Chinese hint in every branch (both OSes' wording, every
// fact present or absent), and it keeps the English hint's facts.
func TestEveryCauseHasChineseHint(t *testing.T) {
	defer func(os string) { hintOS = os }(hintOS)
	i18n.ResetMissing()
	causes := Causes()
	slices.Sort(causes)
	for _, os := range []string{"linux", "windows", "darwin"} {
		hintOS = os
		for _, c := range causes {
			for i, f := range hintFactVariants() {
				t.Run(fmt.Sprintf("%s/%s/%d", os, c, i), func(t *testing.T) {
					en, zh := f, f
					en.Lang, zh.Lang = i18n.EN, i18n.ZH
					he, hz := HintFor(c, en), HintFor(c, zh)
					if he == "" {
						if hz != "" {
							t.Errorf("no English hint but a Chinese one: %q", hz)
						}
						return
					}
					if !han.MatchString(hz) || hz == he {
						t.Fatalf("no Chinese hint:\n  en %s\n  zh %s", he, hz)
					}
					if strings.Contains(hz, "%!") {
						t.Errorf("broken format in %q", hz)
					}
					for _, fact := range factsOf(he, f) {
						if !strings.Contains(hz, fact) {
							t.Errorf("the Chinese hint drops %q:\n  en %s\n  zh %s", fact, he, hz)
						}
					}
					if strings.ContainsFunc(hz, func(r rune) bool { return r == unicode.ReplacementChar }) {
						t.Errorf("mangled text %q", hz)
					}
				})
			}
		}
	}
	if m := i18n.MissingKeys(); len(m) > 0 {
		t.Errorf("%d hint sentences have no Chinese form (add them to diag/zh_hints.go):\n%s", len(m), strings.Join(m, "\n"))
	}
}

// The process's language is the default of a hint with no Lang.
func TestHintDefaultLang(t *testing.T) {
	defer i18n.SetDefault(i18n.Default())
	i18n.SetDefault(i18n.ZH)
	if h := HintFor(CauseConnRefused, HintFacts{Host: "192.0.2.1", Port: "443"}); !han.MatchString(h) || !strings.Contains(h, "192.0.2.1:443") {
		t.Errorf("default zh hint = %q", h)
	}
	i18n.SetDefault(i18n.EN)
	if h := HintFor(CauseConnRefused, HintFacts{Host: "192.0.2.1", Port: "443"}); han.MatchString(h) {
		t.Errorf("default en hint = %q", h)
	}
}
