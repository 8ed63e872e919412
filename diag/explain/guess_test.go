package explain

import (
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// TestGuess: a text no rule reads is guessed from its strongest word, said
// to be a guess; a text a rule reads is not guessed; --log (Classify) never
// guesses.
func TestGuess(t *testing.T) {
	cases := []struct {
		name, text string
		want       diag.Category
	}{
		{"the proxy named", "Upstream via corporate proxy gave up", diag.CatProxy},
		{"a certificate named", "Zertifikat ungültig: certificate chain incomplete", diag.CatTLS},
		{"a handshake cut", "handshake did not complete", diag.CatBlocked},
		{"dns named", "DNS fallback exhausted for api.example", diag.CatDNS},
		{"a loose status", "upstream said 502 and gave up", diag.CatOverloaded},
		{"a port is no status", "talking to api.example:443 went nowhere, network gone", diag.CatBlocked},
		{"quota in words", "your balance cannot cover this call", diag.CatOverloaded},
		{"a key in words", "api key was rejected by the vendor", diag.CatAuth},
		{"a refused key is sent", "Auth failure from upstream", diag.CatAuth},
		{"a connection only", "lost the network while calling the model", diag.CatBlocked},
		{"an upstream only", "Error from provider (Console Go): Upstream request failed", diag.CatOverloaded},
		{"an error and no layer", `{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}`, diag.CatHTTP},
		{"a not-found in one word", "the vendor said NotFound", diag.CatHTTP},
		{"a lookup named", "lookup of api.example gave SERVFAIL-ish nonsense", diag.CatDNS},
		{"a cert as a word", "the vendor said CERT_WEIRD_NEW_THING", diag.CatTLS},
		{"certain is no cert", "I am certain the vendor said invalid", diag.CatHTTP},
		{"a complaint in Chinese", "验证失败，请检查参数是否正确", diag.CatHTTP},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if r := Classify(c.text); r.Recognized() {
				t.Fatalf("a rule reads %q (%s): pick a text no rule reads", c.text, r.Cause)
			}
			r := Guess(c.text)
			if !r.Guessed || r.Category != c.want || r.Evidence == "" {
				t.Errorf("Guess(%q) = %s/%s guessed=%v evidence %q, want a guess of %s", c.text, r.Category, r.Cause, r.Guessed, r.Evidence, c.want)
			}
			lines := ClassifyText(c.text)
			if len(lines) != 1 || !lines[0].Result.Guessed {
				t.Errorf("ClassifyText(%q) did not fall back to the guess: %+v", c.text, lines)
			}
		})
	}
	if r := Guess("nothing here speaks of any fault at all"); r.Recognized() || r.Guessed {
		t.Errorf("a text with no word of a fault was guessed: %s", r.Cause)
	}
	// Called on its own, the guess reads a time-out that names no connect
	// as the rules do: no answer in time.
	if r := Guess("Request timed out."); !r.Guessed || r.Cause != diag.CauseNoResponse {
		t.Errorf("Guess of a bare time-out = %s guessed=%v, want a guess of %s", r.Cause, r.Guessed, diag.CauseNoResponse)
	}
	// A text a rule reads is never guessed.
	if l := ClassifyText(`Post "https://api.openai.com/v1/chat/completions": dial tcp 104.18.7.192:443: connect: connection refused`); len(l) != 1 || l[0].Result.Guessed || l[0].Result.Cause != diag.CauseConnRefused {
		t.Errorf("a recognised text was guessed or misread: %+v", l)
	}
}
