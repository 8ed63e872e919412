package diag_test

import (
	"sort"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// TestHintsSurviveRedaction: every hint is printed through the redactor; a
// hint whose own words look like a secret or a host would reach the user
// mangled. With public facts (a provider host, loopback) nothing may change.
func TestHintsSurviveRedaction(t *testing.T) {
	causes := diag.Causes()
	sort.Slice(causes, func(i, j int) bool { return causes[i] < causes[j] })
	facts := diag.HintFacts{Host: "api.openai.com", Port: "443", Proxy: "127.0.0.1:7890", ProxyFrom: "env:HTTPS_PROXY",
		Status: 500, RetryAfter: "30", Path: "/v1/models", Provider: "openai", Resolver: "127.0.0.53:53"}
	for _, c := range causes {
		t.Run(string(c), func(t *testing.T) {
			rd := redact.New(redact.LevelDefault, diag.PublicProviderHosts())
			h := diag.HintFor(c, facts)
			if got := rd.String(h); got != h {
				t.Fatalf("hint changed by redaction:\n was %s\n now %s", h, got)
			}
		})
	}
}
