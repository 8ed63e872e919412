package report

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Level selects how much is hidden. Secrets are hidden at every level but None.
type Level int

const (
	LevelNone    Level = iota // --no-redact: local use only; secrets are still hidden
	LevelDefault              // secrets, non-provider hosts, IP literals
	LevelStrict               // also the public provider hosts
)

// Redactor is the single choke point every byte of output passes through.
// Pseudonyms are a keyed hash (key random per Redactor, never written), so the
// same value maps to the same token within a run and runs are unlinkable.
type Redactor struct {
	level   Level
	key     []byte
	allow   map[string]bool
	mu      sync.Mutex
	secrets []string
	hosts   []string
	back    map[string]string
	stats   map[string]int
}

// NewRedactor builds a redactor; allow lists public provider hosts that stay
// visible at LevelDefault.
func NewRedactor(level Level, allow []string) *Redactor {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	r := &Redactor{level: level, key: k, allow: map[string]bool{}, back: map[string]string{}, stats: map[string]int{}}
	for _, h := range allow {
		r.allow[strings.ToLower(h)] = true
	}
	return r
}

// AddSecret registers an exact value (an API key, a password) to hide always.
func (r *Redactor) AddSecret(s string) {
	if len(s) < 4 {
		return
	}
	r.mu.Lock()
	r.secrets = append(r.secrets, s)
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	r.mu.Unlock()
}

// AddHost registers a hostname to pseudonymise (unless allowlisted).
func (r *Redactor) AddHost(h string) {
	h = strings.ToLower(strings.Trim(h, "[]"))
	if h == "" || h == "localhost" || r.allowed(h) {
		return
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return // IP literals are caught by pattern
	}
	r.mu.Lock()
	r.hosts = append(r.hosts, h)
	sort.Slice(r.hosts, func(i, j int) bool { return len(r.hosts[i]) > len(r.hosts[j]) })
	r.mu.Unlock()
}

func (r *Redactor) allowed(h string) bool { return r.level != LevelStrict && r.allow[h] }

var (
	reUserinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@:"']+(:[^/\s@"']*)?@`)
	reAPIKey   = regexp.MustCompile(`\b(sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}|AIza[0-9A-Za-z_\-]{20,})`)
	reBearer   = regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9._~+/=\-]{8,}`)
	reIPv4     = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
)

func (r *Redactor) pseudo(kind, v string) string {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(v))
	tok := kind + "-" + hex.EncodeToString(m.Sum(nil))[:6]
	r.back[tok] = v
	r.stats[kind]++
	return tok
}

// String redacts one string.
func (r *Redactor) String(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
			r.stats["secret"]++
		}
	}
	s = reUserinfo.ReplaceAllString(s, "${1}[REDACTED]@")
	s = reAPIKey.ReplaceAllString(s, "[REDACTED]")
	s = reBearer.ReplaceAllString(s, "${1}[REDACTED]")
	if r.level == LevelNone {
		return s
	}
	for _, h := range r.hosts {
		if strings.Contains(strings.ToLower(s), h) {
			s = replaceFold(s, h, r.pseudo("host", h))
		}
	}
	s = reIPv4.ReplaceAllStringFunc(s, func(ip string) string {
		a, err := netip.ParseAddr(ip)
		if err != nil || a.IsLoopback() || a.IsUnspecified() {
			return ip
		}
		if a.IsPrivate() {
			return r.pseudo("private", ip)
		}
		return r.pseudo("ip", ip)
	})
	return s
}

func replaceFold(s, old, repl string) string {
	ls := strings.ToLower(s)
	var b strings.Builder
	for {
		i := strings.Index(ls, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, ls = s[i+len(old):], ls[i+len(old):]
	}
}

// Bytes redacts a rendered document.
func (r *Redactor) Bytes(b []byte) []byte { return []byte(r.String(string(b))) }

// Stats counts replacements per rule.
func (r *Redactor) Stats() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.stats {
		out[k] = v
	}
	return out
}

// Map returns pseudonym → original, for --redaction-map (never inside a bundle).
func (r *Redactor) Map() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]string{}
	for k, v := range r.back {
		out[k] = v
	}
	return out
}
