package diag

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// TestLookalikePhrases: every look-alike has a phrase, check's message form
// of it reads back to the same look-alike (explain's side), and no phrase
// hides inside another.
func TestLookalikePhrases(t *testing.T) {
	for l := LookNone + 1; l < lookCount; l++ {
		p := l.Phrase()
		if p == "" {
			t.Fatalf("look-alike %d has no phrase", l)
		}
		if p != strings.ToLower(p) {
			t.Errorf("phrase %q is not lower case (explain reads lower-cased text)", p)
		}
		msg := "tls failed: read tcp: connection reset by peer (" + p + ": evidence)"
		if got := LookalikeIn(strings.ToLower(msg)); got != l {
			t.Errorf("message %q reads back as %d, want %d", msg, got, l)
		}
	}
	if got := LookalikeIn("tls failed: eof"); got != LookNone {
		t.Errorf("plain message read as look-alike %d", got)
	}
}

// withDifferential registers d for one test.
func withDifferential(t *testing.T, d differential) {
	saved := differentials
	differentials = append(append([]differential{}, saved...), d)
	t.Cleanup(func() { differentials = saved })
}

// TestDifferentialOnlyForItsLookalike: a differential runs for its look-alike
// verdict, and its proof goes through the table again (cause, hint with the
// evidence, message with the phrase); a verdict that is not its look-alike
// costs nothing and records no differential.
func TestDifferentialOnlyForItsLookalike(t *testing.T) {
	var runs atomic.Int32
	withDifferential(t, differential{
		name: "test-sni",
		// A cut handshake, reset or EOF: under wine a SO_LINGER 0 close now
		// and then arrives as EOF (testenv.GapLingerReset).
		applies: func(_ *chain, _ *Evidence, cause Cause) bool { return cause == CauseTLSReset || cause == CauseTLSEOF },
		run: func(context.Context, *chain, *Evidence) diffOutcome {
			runs.Add(1)
			return diffOutcome{look: LookSNIFiltered, evidence: "a handshake without SNI completed"}
		},
	})
	ok := pt.NewHTTPUpstream(t, pt.Upstream{ContentType: "application/json", Body: `{"data":[]}`})
	o := RunOptions{Timeouts: fastTimeouts}

	r := CheckEndpoint(context.Background(), Endpoint{Name: "ok", URL: ok.URL}, o)
	if r.Cause != CauseOK || len(r.Differentials) != 0 || runs.Load() != 0 {
		t.Fatalf("ok endpoint: cause %s, differentials %+v, runs %d: want ok and none", r.Cause, r.Differentials, runs.Load())
	}
	r = CheckEndpoint(context.Background(), Endpoint{Name: "reset", URL: "https://" + pt.ResetListener(t)}, o)
	if r.Cause != CauseSNIFiltered || r.Category != CatBlocked || runs.Load() != 1 {
		t.Fatalf("reset endpoint: %s/%s after %d runs, want blocked/sni-filtered after 1", r.Category, r.Cause, runs.Load())
	}
	var proved bool
	for _, d := range r.Differentials {
		proved = proved || (d.Name == "test-sni" && d.Proved != "")
	}
	if !proved {
		t.Errorf("differentials %+v: want test-sni, proved", r.Differentials)
	}
	if !strings.Contains(r.Hint, "a handshake without SNI completed") {
		t.Errorf("hint %q does not state the evidence", r.Hint)
	}
	if LookalikeIn(strings.ToLower(r.Message)) != LookSNIFiltered {
		t.Errorf("message %q does not carry the look-alike's phrase", r.Message)
	}
}
