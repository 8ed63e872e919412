// Package redact is the single choke point every byte of newapi-doctor's
// output passes through. It is split by idea: the Redactor and its
// pseudonyms (redactor.go), the secret finders (secrets.go), the host and
// address tokenizer (hosts.go), and the leak scan that bundle verify runs
// (scan.go).
package redact

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"maps"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
)

// Level selects how much is hidden. Secrets are hidden at every level.
type Level int

const (
	LevelNone    Level = iota // --no-redact: local use only; secrets are still hidden
	LevelDefault              // secrets, non-provider hosts, IP literals
	LevelStrict               // also the public provider hosts
)

func (l Level) String() string {
	switch l {
	case LevelNone:
		return "none"
	case LevelStrict:
		return "strict"
	}
	return "default"
}

// Redacted replaces every secret.
const Redacted = "[REDACTED]"

// Rule names: the keys of Stats() and of scan findings.
const (
	RuleAPIKey      = "provider-key"      // provider key shapes (sk-…, AIza…, …)
	RuleBearer      = "bearer"            // Bearer <token>
	RuleAuthHeader  = "auth-header"       // Authorization / x-api-key / api-key … values
	RuleParam       = "query-param"       // key= / token= / *_KEY= …
	RuleUserinfo    = "userinfo"          // scheme://user:pass@
	RulePEM         = "pem"               // -----BEGIN …-----
	RuleJWT         = "jwt"               // eyJ….eyJ….sig
	RuleRegistered  = "registered-secret" // an exact value given to AddSecret
	RuleHostReg     = "registered-host"   // a host given to AddHost
	RuleHostname    = "hostname"          // a hostname found by its shape
	RuleProvider    = "provider-host"     // an allowlisted host, hidden at LevelStrict
	RuleIP          = "ip"                // a public IP literal
	RulePrivateIP   = "private-ip"        // a private/link-local/CGNAT/ULA literal
	RuleUserPath    = "user-path"         // the user folder of a home path (C:\Users\<name>, /home/<name>)
	RuleUserName    = "user-name"         // the OS account name given to AddUser
	minSecretLength = 4
)

// SecretRules lists the rules that hide secrets (the rest hide hosts and addresses).
var SecretRules = []string{RuleAPIKey, RuleBearer, RuleAuthHeader, RuleParam, RuleUserinfo, RulePEM, RuleJWT, RuleRegistered}

// Redactor is the single choke point every byte of output passes through.
//
// Bytes makes two passes. The first finds secrets in the input and hides them
// as Redacted: PEM blocks, URL userinfo, values after credential names
// (headers, query parameters, *_KEY= assignments), Bearer tokens, and the
// values registered with AddSecret (one rolling pass over the input however
// many there are). The second walks the result's tokens once and replaces
// hostnames and IP literals with pseudonyms, and hides provider key shapes
// (sk-…, AIza…) and JWTs; at LevelNone that walk is skipped and the key
// shapes are found in the first pass instead. No pass is per secret or per
// host: the cost grows with the input, not with what is registered.
//
// Pseudonyms are a keyed hash (key random per Redactor, never written), so the
// same value maps to the same token within a run and runs are unlinkable.
// It is safe for concurrent use.
type Redactor struct {
	level     Level
	key       []byte
	allow     map[string]bool
	allowSufx []string
	mu        sync.RWMutex // guards the registered values below
	secrets   secretIndex
	names     secretIndex // AddName: never redacted by the registered-value rules
	hosts     map[string]bool
	hostsBare bool                 // a registered host has no dot: every token is looked up
	pmu       sync.RWMutex         // guards the pseudonym tables and stats
	fwd       [4]map[string]string // per kind: raw text as seen → pseudonym
	back      map[string]string
	stats     map[string]int
}

// New builds a redactor; allow lists public provider hosts that stay
// visible at LevelDefault ("*.example.com" or ".example.com" allow a suffix).
func New(level Level, allow []string) *Redactor {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	r := &Redactor{level: level, key: k, allow: map[string]bool{}, hosts: map[string]bool{},
		back: map[string]string{}, stats: map[string]int{}}
	for i := range r.fwd {
		r.fwd[i] = map[string]string{}
	}
	for _, h := range allow {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case strings.HasPrefix(h, "*."):
			r.allowSufx = append(r.allowSufx, h[1:])
		case strings.HasPrefix(h, "."):
			r.allowSufx = append(r.allowSufx, h)
		case h != "":
			r.allow[h] = true
		}
	}
	return r
}

// Level reports the redactor's level.
func (r *Redactor) Level() Level { return r.level }

// AddSecret registers an exact value (an API key, a password) to hide always,
// also in its URL-encoded and JSON-escaped forms. Where it is hidden depends
// on how distinctive it is (see matchMode): a short value or a plain word is
// hidden only as a whole token, never inside names or other words.
func (r *Redactor) AddSecret(s string) {
	if len(s) < minSecretLength || s == Redacted {
		return
	}
	forms := outputForms(s)
	mode := modeOf(s)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range forms {
		r.secrets.add(f, mode)
	}
}

// AddName registers an endpoint or channel name: names are never redacted
// (the README promises it; --require, JUnit test names and metrics labels
// match them), so a registered secret or host found strictly inside one
// stays. Shape rules (keys, userinfo, hostnames) still apply.
func (r *Redactor) AddName(n string) {
	if len(n) <= minSecretLength {
		return // cannot hold a registered value and more
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range outputForms(n) {
		r.names.add(f, matchAnywhere)
	}
}

// outputForms are the ways a renderer may write s: raw, URL-encoded,
// JSON-escaped, XML/HTML-escaped (junit), Markdown-escaped and as in
// workflow commands (github).
func outputForms(s string) []string {
	forms := []string{s, url.QueryEscape(s), url.PathEscape(s), strings.ReplaceAll(url.QueryEscape(s), "+", "%20")}
	if j, err := json.Marshal(s); err == nil {
		forms = append(forms, string(j[1:len(j)-1]))
	}
	var jb bytes.Buffer
	enc := json.NewEncoder(&jb)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) == nil {
		forms = append(forms, strings.TrimSuffix(strings.TrimSpace(jb.String()), `"`)[1:])
	}
	// Renderers escape before the final pass: XML/HTML (junit) and workflow
	// commands (github) must not turn a value into a form nobody looks for.
	var xb strings.Builder
	_ = xml.EscapeText(&xb, []byte(s))
	return append(forms, xb.String(), html.EscapeString(s), MarkdownEscaper.Replace(s),
		strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s),
		strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s))
}

// MarkdownEscaper escapes text and table cells for the Markdown renderer;
// it lives here so that secrets and names are also known in that form.
var MarkdownEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;",
	"|", `\|`, "\r", "", "\n", " ")

// nameSpans lists where registered names stand in b. Callers hold r.mu.
func (r *Redactor) nameSpans(b []byte) []span {
	var out []span
	r.names.find(b, func(s, e int, _ identityKind) { out = append(out, span{s, e, ""}) })
	return out
}

// insideName: [s, e) lies strictly inside one of names.
func insideName(names []span, s, e int) bool {
	for _, n := range names {
		if n.start <= s && e <= n.end && e-s < n.end-n.start {
			return true
		}
	}
	return false
}

// AddHost registers a hostname to pseudonymise wherever it appears as a whole
// token (unless allowlisted). IP literals are always caught by shape.
func (r *Redactor) AddHost(h string) {
	h = strings.ToLower(strings.TrimSuffix(strings.Trim(strings.TrimSpace(h), "[]"), "."))
	if h == "" || alwaysVisible[h] || r.allowed(h) {
		return
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return
	}
	for i := 0; i < len(h); i++ {
		if !isHostByte(h[i]) {
			// Not one token (IDN, odd characters): hide it as an exact value,
			// unless hosts are shown (--no-redact showed it as [REDACTED]).
			if r.level != LevelNone {
				r.AddSecret(h)
			}
			return
		}
	}
	r.mu.Lock()
	r.hosts[h] = true
	if !strings.Contains(h, ".") {
		r.hostsBare = true
	}
	r.mu.Unlock()
}

func (r *Redactor) allowed(h string) bool {
	if r.level == LevelStrict {
		return false
	}
	return r.isAllowlisted(h)
}

func (r *Redactor) isAllowlistedBytes(h []byte) bool {
	if r.allow[string(h)] {
		return true
	}
	for _, s := range r.allowSufx {
		if bytes.HasSuffix(h, []byte(s)) {
			return true
		}
	}
	return false
}

func (r *Redactor) isAllowlisted(h string) bool {
	if r.allow[h] {
		return true
	}
	for _, s := range r.allowSufx {
		if strings.HasSuffix(h, s) {
			return true
		}
	}
	return false
}

// String redacts one string.
func (r *Redactor) String(s string) string {
	out := r.Bytes([]byte(s))
	return string(out)
}

// Bytes redacts a rendered document. It may return b itself when nothing
// needed hiding; callers must not rely on getting a copy.
func (r *Redactor) Bytes(b []byte) []byte {
	if r == nil {
		return b
	}
	var counts map[string]int // allocated on the first find: most strings have none
	out := b
	r.mu.RLock()
	spans := r.findSecrets(b, r.level == LevelNone, r.level != LevelNone)
	r.mu.RUnlock()
	var scratch *[]byte // stage one's output, recycled when stage two copies it again
	if len(spans) > 0 {
		counts = map[string]int{}
		if r.level != LevelNone {
			scratch = bufPool.Get().(*[]byte)
		}
		out = applySpans(b, spans, counts, scratch, func(s span) string {
			return r.pseudonym(s.rule, []byte(normUser(b[s.start:s.end])))
		})
	}
	if r.level != LevelNone {
		var buf []byte
		last := 0
		r.visitHosts(out, r.level == LevelStrict, func(start, end int, rule string, value []byte) {
			if buf == nil {
				buf = make([]byte, 0, len(out)+len(out)/16)
				if counts == nil {
					counts = map[string]int{}
				}
			}
			buf = append(buf, out[last:start]...)
			if value == nil {
				buf = append(buf, Redacted...) // a key shape
			} else {
				buf = append(buf, r.pseudonym(rule, value)...)
			}
			last = end
			counts[rule]++
		})
		if buf != nil {
			out = append(buf, out[last:]...)
			if scratch != nil {
				bufPool.Put(scratch)
			}
		}
	}
	if len(counts) > 0 {
		r.pmu.Lock()
		for k, v := range counts {
			r.stats[k] += v
		}
		r.pmu.Unlock()
	}
	return out
}

// pseudonym returns a stable token for a host or address: kind prefix +
// keyed hash of its canonical form. raw is the text as seen (lower case for
// hosts); lookups of known values do not allocate.
func (r *Redactor) pseudonym(rule string, raw []byte) string {
	ki, kind := 0, "host"
	switch rule {
	case RuleIP:
		ki, kind = 1, "ip"
	case RulePrivateIP:
		ki, kind = 2, "private"
	case RuleUserPath, RuleUserName:
		ki, kind = 3, "user"
	}
	r.pmu.RLock()
	tok, ok := r.fwd[ki][string(raw)]
	r.pmu.RUnlock()
	if ok {
		return tok
	}
	value := string(raw)
	if ki == 1 || ki == 2 {
		if a, err := netip.ParseAddr(value); err == nil {
			value = a.Unmap().String()
		}
	}
	r.pmu.Lock()
	defer r.pmu.Unlock()
	if tok, ok := r.fwd[ki][string(raw)]; ok {
		return tok
	}
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(kind + "\x00" + value))
	sum := hex.EncodeToString(m.Sum(nil))
	// Lengthen on collision so the map back stays one-to-one.
	for n := 6; n <= len(sum); n += 2 {
		tok = kind + "-" + sum[:n]
		if v, used := r.back[tok]; !used || v == value {
			break
		}
	}
	r.fwd[ki][string(raw)] = tok
	r.back[tok] = value
	return tok
}

// Stats counts replacements per rule.
func (r *Redactor) Stats() map[string]int {
	r.pmu.RLock()
	defer r.pmu.RUnlock()
	return maps.Clone(r.stats)
}

// Map returns pseudonym → original, for --redaction-map (never inside a bundle).
func (r *Redactor) Map() map[string]string {
	r.pmu.RLock()
	defer r.pmu.RUnlock()
	return maps.Clone(r.back)
}

// WriteMap writes Map() as JSON to path with mode 0600 (--redaction-map).
func (r *Redactor) WriteMap(path string) error {
	b, err := json.MarshalIndent(r.Map(), "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("redaction map: %w", err)
	}
	// An existing file keeps its mode on open; tighten it before writing.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("redaction map %s: %w", path, err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("redaction map %s: %w", path, err)
	}
	return f.Close()
}
