package redact

import (
	"bytes"
	"fmt"
	"sort"
)

// Finding is something in an output that redaction should have hidden. It
// names where and which rule, never the value itself.
type Finding struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Rule string `json:"rule"`
}

func (f Finding) String() string {
	if f.Line == 0 {
		return fmt.Sprintf("%s: %s", f.File, f.Rule)
	}
	return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Rule)
}

// Scan looks for anything the redactor would still hide in b: secret shapes,
// registered secrets and hosts, non-allowlisted hostnames and IP literals
// (loopback and pseudonyms pass). It is what `bundle verify` runs, and what
// bundle runs on every file before writing. At LevelNone it scans as
// LevelDefault: a scan that skips hosts would prove nothing.
func (r *Redactor) Scan(file string, b []byte) []Finding {
	type hit struct {
		pos  int
		rule string
	}
	var hits []hit
	r.mu.RLock()
	for _, s := range r.findSecrets(b, false, true) {
		hits = append(hits, hit{s.start, s.rule})
	}
	r.mu.RUnlock()
	r.visitHosts(b, r.level == LevelStrict, func(start, _ int, rule string, _ []byte) { hits = append(hits, hit{start, rule}) })
	if len(hits) == 0 {
		return nil
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].pos < hits[j].pos })
	out := make([]Finding, 0, len(hits))
	line, at := 1, 0
	for _, h := range hits {
		line += bytes.Count(b[at:h.pos], []byte{'\n'})
		at = h.pos
		f := Finding{File: file, Line: line, Rule: h.rule}
		if n := len(out); n > 0 && out[n-1] == f {
			continue
		}
		out = append(out, f)
	}
	return out
}
