package diag

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Look-alike differentials (issue 11). Faults that break at the same layer
// look the same to the chain: a lying resolver and a dropped SYN are both a
// syn-timeout, an SNI filter and a stuck server both a tls-timeout. A
// differential is one more cheap, targeted probe that tells such a pair
// apart. It runs after classification, only when its look-alike verdict
// appears (or with --deep), within what is left of the endpoint's budget,
// and what it proves becomes a Signal field (Lookalike) that the one table
// (classify.go) reads again: a differential never names a cause itself.

// Lookalike is what a differential probe proved about a verdict.
type Lookalike uint8

const (
	LookNone Lookalike = iota
	// DNS that lies (issue 11 item 1).
	LookFakeIP      // the answer is Clash's fake-IP range and no TUN device routes it
	LookSinkhole    // 0.0.0.0, :: or 127.0.0.0/8 for a public name
	LookHostsFile   // the answer came from a hosts file line
	LookDNSInjected // an answer came from an address where no DNS server listens
	LookDNSWrong    // a second path answered another address, and that one connects
	// TLS differentials (item 2).
	LookSNIFiltered      // the same address completes a handshake with another SNI or none
	LookIncompleteChain  // the server's chain lacks its intermediate; the issuer it names verifies
	LookClientCertNeeded // the server demands a client certificate
	// Keyword filters (item 3).
	LookKeywordFiltered // a neutral request on the same path gets an answer
	// Path-MTU black holes (item 4).
	LookMTUBlackhole // the exchange passes with a small MSS
)

// lookalikePhrases are the words check's message uses for each look-alike,
// and explain reads back: one list, so the two cannot drift apart.
var lookalikePhrases = map[Lookalike]string{
	LookFakeIP:           "clash fake-ip answer, no tun device",
	LookSinkhole:         "sinkhole answer for a public name",
	LookHostsFile:        "answer from the hosts file",
	LookDNSInjected:      "dns answer from an address where no dns server listens",
	LookDNSWrong:         "another resolver's answer connects",
	LookSNIFiltered:      "sni filtered: the same address answers another sni",
	LookIncompleteChain:  "incomplete chain: the server omits its intermediate",
	LookClientCertNeeded: "the server demands a client certificate",
	LookKeywordFiltered:  "content filtered: a neutral request on the same path is answered",
	LookMTUBlackhole:     "path-mtu black hole: a small mss passes",
}

// Phrase is the look-alike's words in check's message ("" for LookNone).
func (l Lookalike) Phrase() string { return lookalikePhrases[l] }

// LookalikeIn reads a look-alike's phrase in lower-cased text (explain).
func LookalikeIn(low string) Lookalike {
	for l, p := range lookalikePhrases {
		if strings.Contains(low, "("+p) {
			return l
		}
	}
	return LookNone
}

// DifferentialResult is one differential probe that ran (JSON "differentials").
type DifferentialResult struct {
	Name       string  `json:"name"`
	DurationMS float64 `json:"duration_ms"`
	// Proved is the look-alike's phrase when the probe proved it, "" when it
	// ruled the look-alike out (the verdict stands).
	Proved   string `json:"proved,omitempty"`
	Evidence string `json:"evidence,omitempty"`
	// Skipped says why the probe could not run here (e.g. no TCP_MAXSEG).
	Skipped string `json:"skipped,omitempty"`
}

// diffOutcome is what one differential saw.
type diffOutcome struct {
	look     Lookalike // LookNone: ruled out
	evidence string    // what the probe saw, quoted by the hint and the message
	skipped  string
}

// differential is one look-alike test.
type differential struct {
	name string
	// applies: the verdict is this probe's look-alike. With --deep every
	// differential whose preconditions hold runs (deepOK).
	applies func(c *chain, ev *Evidence, cause Cause) bool
	deepOK  func(c *chain, ev *Evidence) bool
	run     func(ctx context.Context, c *chain, ev *Evidence) diffOutcome
}

// differentials in order of precedence: when several prove something, the
// first one's look-alike is the verdict's (a lying resolver explains a
// handshake that stalls on the wrong address; an SNI filter explains it
// before the MTU does).
var differentials []differential

func registerDifferential(d differential) { differentials = append(differentials, d) }

// differentiate runs the differentials that apply, concurrently (their cost
// is the slowest one's, not the sum), within the endpoint's remaining
// budget. It returns the evidence with the proved look-alike set, and
// whether anything ran.
func (c *chain) differentiate(ctx context.Context, ev Evidence, cause Cause, start time.Time) (Evidence, bool) {
	var todo []differential
	for _, d := range differentials {
		if d.applies(c, &ev, cause) || (c.o.Deep && d.deepOK != nil && d.deepOK(c, &ev)) {
			todo = append(todo, d)
		}
	}
	if len(todo) == 0 {
		return ev, false
	}
	dctx, cancel := context.WithDeadline(ctx, start.Add(c.t.EndpointBudget()))
	defer cancel()
	outs := make([]diffOutcome, len(todo))
	took := make([]time.Duration, len(todo))
	var wg sync.WaitGroup
	for i, d := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			outs[i] = d.run(dctx, c, &ev)
			took[i] = time.Since(t0)
		}()
	}
	wg.Wait()
	for i, d := range todo {
		o := outs[i]
		c.res.Differentials = append(c.res.Differentials, DifferentialResult{Name: d.name, DurationMS: ms(took[i]), Proved: o.look.Phrase(), Evidence: o.evidence, Skipped: o.skipped})
		c.log.Info("differential", "endpoint", c.ep.Name, "name", d.name, "ms", ms(took[i]), "proved", o.look.Phrase(), "evidence", o.evidence, "skipped", o.skipped)
		if o.look != LookNone && ev.Lookalike == LookNone {
			ev.Lookalike, ev.LookEvidence = o.look, o.evidence
		}
	}
	return ev, true
}
