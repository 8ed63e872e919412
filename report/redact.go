package report

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"maps"
	"net/netip"
	"net/url"
	"os"
	"slices"
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

// ParseLevel reads a --redact value.
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "default", "on":
		return LevelDefault, nil
	case "strict":
		return LevelStrict, nil
	case "none", "off":
		return LevelNone, nil
	}
	return LevelDefault, fmt.Errorf("unknown redaction level %q (want default, strict or none)", s)
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
	minSecretLength = 4
)

// SecretRules lists the rules that hide secrets (the rest hide hosts and addresses).
var SecretRules = []string{RuleAPIKey, RuleBearer, RuleAuthHeader, RuleParam, RuleUserinfo, RulePEM, RuleJWT, RuleRegistered}

// alwaysVisible are hosts that identify nobody and help support read hints.
var alwaysVisible = map[string]bool{
	"localhost": true, "github.com": true, "go.dev": true, "golang.org": true,
	"host.docker.internal": true, "gateway.docker.internal": true,
	// The config file's own keys, named in its error messages.
	"timeouts.dns": true, "timeouts.connect": true, "timeouts.tls": true, "timeouts.http": true,
}

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
	hosts     map[string]bool
	hostsBare bool                 // a registered host has no dot: every token is looked up
	pmu       sync.RWMutex         // guards the pseudonym tables and stats
	fwd       [3]map[string]string // per kind: raw text as seen → pseudonym
	back      map[string]string
	stats     map[string]int
}

// NewRedactor builds a redactor; allow lists public provider hosts that stay
// visible at LevelDefault ("*.example.com" or ".example.com" allow a suffix).
func NewRedactor(level Level, allow []string) *Redactor {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	r := &Redactor{level: level, key: k, allow: map[string]bool{}, hosts: map[string]bool{},
		back: map[string]string{}, stats: map[string]int{}}
	for i := range r.fwd {
		r.fwd[i] = map[string]string{}
	}
	r.secrets.long = map[uint64][]string{}
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
// also in its URL-encoded and JSON-escaped forms.
func (r *Redactor) AddSecret(s string) {
	if len(s) < minSecretLength || s == Redacted {
		return
	}
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
	// commands (github) must not turn a secret into a form nobody looks for.
	var xb strings.Builder
	_ = xml.EscapeText(&xb, []byte(s))
	forms = append(forms, xb.String(), html.EscapeString(s),
		strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s),
		strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s))
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range forms {
		r.secrets.add(f)
	}
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
	spans := r.findSecrets(b, r.level == LevelNone)
	r.mu.RUnlock()
	var scratch *[]byte // stage one's output, recycled when stage two copies it again
	if len(spans) > 0 {
		counts = map[string]int{}
		if r.level != LevelNone {
			scratch = bufPool.Get().(*[]byte)
		}
		out = applySpans(b, spans, counts, scratch)
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
	}
	r.pmu.RLock()
	tok, ok := r.fwd[ki][string(raw)]
	r.pmu.RUnlock()
	if ok {
		return tok
	}
	value := string(raw)
	if ki > 0 {
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

// ---- secrets ----------------------------------------------------------------

type span struct {
	start, end int
	rule       string
}

// bufPool holds stage one's intermediate buffers: for a large report they
// are megabytes that would otherwise be allocated and cleared per call.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// applySpans writes b with spans replaced, into *into when given (its
// backing array is reused and handed back there).
func applySpans(b []byte, spans []span, counts map[string]int, into *[]byte) []byte {
	slices.SortFunc(spans, func(a, b span) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	var out []byte
	if into != nil && cap(*into) >= len(b) {
		out = (*into)[:0]
	} else {
		out = make([]byte, 0, len(b)+len(b)/8)
	}
	last := 0
	for i := 0; i < len(spans); {
		s := spans[i]
		// Overlapping finds merge into one: hiding more is the safe side.
		j := i + 1
		for j < len(spans) && spans[j].start < s.end {
			if spans[j].end > s.end {
				s.end = spans[j].end
			}
			j++
		}
		out = append(out, b[last:s.start]...)
		out = append(out, Redacted...)
		counts[s.rule]++
		last = s.end
		i = j
	}
	out = append(out, b[last:]...)
	if into != nil {
		*into = out
	}
	return out
}

// secretIndex finds registered values in one pass: every value is keyed by
// its last 4 bytes in a two-hash bit filter (128 KiB, false hits well under
// 1% with thousands of values), and on a hit looked up by its last 8 bytes
// (values of 8+ bytes) or 4 bytes (shorter ones). The cost per input byte
// stays constant however many secrets are registered, and keys sharing a
// prefix such as "sk-proj-" differ in their tails.
type secretIndex struct {
	long   map[uint64][]string
	short  map[uint32][]string
	filter []uint64
}

const filterShift = 64 - 20 // 2^20 bits

// filterHashes takes two bit positions from one multiplication: the top 20
// bits and the 20 below them.
func filterHashes(w4 uint32) (uint64, uint64) {
	p := uint64(w4) * 0x9E3779B97F4A7C15
	return p >> filterShift, (p >> (filterShift - 20)) & (1<<20 - 1)
}

func addUnique(list []string, s string) []string {
	for _, o := range list {
		if o == s {
			return list
		}
	}
	return append(list, s)
}

func (x *secretIndex) add(s string) {
	if x.filter == nil {
		x.filter = make([]uint64, (1<<(64-filterShift))/64)
		x.short = map[uint32][]string{}
	}
	w4 := binary.LittleEndian.Uint32([]byte(s[len(s)-4:]))
	if len(s) >= 8 {
		w := binary.LittleEndian.Uint64([]byte(s[len(s)-8:]))
		x.long[w] = addUnique(x.long[w], s)
	} else {
		x.short[w4] = addUnique(x.short[w4], s)
	}
	h1, h2 := filterHashes(w4)
	x.filter[h1/64] |= 1 << (h1 % 64)
	x.filter[h2/64] |= 1 << (h2 % 64)
}

func (x *secretIndex) find(b []byte, add func(s, e int)) {
	if x.filter == nil {
		return
	}
	f := x.filter
	var w uint64
	for i := 0; i < len(b); i++ {
		// w holds the 8 bytes ending at i, the newest in the top byte.
		w = w>>8 | uint64(b[i])<<56
		w4 := uint32(w >> 32)
		h1, h2 := filterHashes(w4)
		if f[h1/64]&(1<<(h1%64)) == 0 || f[h2/64]&(1<<(h2%64)) == 0 || i < 3 {
			continue
		}
		e := i + 1
		if e >= 8 {
			for _, s := range x.long[w] {
				if e >= len(s) && string(b[e-len(s):e]) == s {
					add(e-len(s), e)
				}
			}
		}
		// Short values match only as whole words: "pass" must not eat "bypass".
		if e < len(b) && isWordByte(b[e]) {
			continue
		}
		for _, s := range x.short[w4] {
			st := e - len(s)
			if st >= 0 && string(b[st:e]) == s && (st == 0 || !isWordByte(b[st-1])) {
				add(st, e)
			}
		}
	}
}

var byteClass [256]uint8

const (
	clWord   = 1 << iota // [A-Za-z0-9_]
	clKey                // word + '-'
	clHost               // key + '.'
	clHex                // [0-9A-Fa-f]
	clLetter             // [A-Za-z]
	clUpper
	clDigit
)

func init() {
	for c := 0; c < 256; c++ {
		var m uint8
		switch {
		case c >= 'a' && c <= 'z':
			m = clWord | clKey | clHost | clLetter
		case c >= 'A' && c <= 'Z':
			m = clWord | clKey | clHost | clLetter | clUpper
		case c >= '0' && c <= '9':
			m = clWord | clKey | clHost | clDigit | clHex
		case c == '_':
			m = clWord | clKey | clHost
		case c == '-':
			m = clKey | clHost
		case c == '.':
			m = clHost
		}
		if (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') {
			m |= clHex
		}
		byteClass[c] = m
	}
}

func isWordByte(c byte) bool { return byteClass[c]&clWord != 0 }
func isKeyByte(c byte) bool  { return byteClass[c]&clKey != 0 }
func isHostByte(c byte) bool { return byteClass[c]&clHost != 0 }
func isHex(c byte) bool      { return byteClass[c]&clHex != 0 }

var (
	pemBegin = []byte("-----BEGIN ")
	pemEnd   = []byte("-----END ")
	pemDash  = []byte("-----")
)

// findSecrets lists every secret span in b. Callers hold r.mu for reading.
// shapes=false leaves key shapes to visitHosts, which walks the same tokens.
func (r *Redactor) findSecrets(b []byte, shapes bool) []span {
	var spans []span
	add := func(s, e int, rule string) {
		if e > s && !bytes.HasPrefix(b[s:], []byte(Redacted)) {
			spans = append(spans, span{s, e, rule})
		}
	}
	// PEM blocks, whole; an unterminated one hides the rest of the document.
	for off := 0; off < len(b); {
		i := bytes.Index(b[off:], pemBegin)
		if i < 0 {
			break
		}
		s := off + i
		e := len(b)
		if k := bytes.Index(b[s:], pemEnd); k >= 0 {
			e = s + k + len(pemEnd)
			if d := bytes.Index(b[e:], pemDash); d >= 0 && d < 80 {
				e += d + len(pemDash)
			}
		}
		add(s, e, RulePEM)
		off = e
	}
	findUserinfo(b, add)
	findNamedValues(b, add)
	findBearer(b, add)
	if shapes {
		findKeyShapes(b, add)
	}
	r.secrets.find(b, func(s, e int) { add(s, e, RuleRegistered) })
	return spans
}

func isUserinfoStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', '`', '<', '>', '(', ')', '[', ']', '{', '}', ',', ';', '=', '|':
		return true
	}
	return false
}

// userinfoPlaceholders are the examples hints give; a real "user:pass"
// registered with AddSecret is still hidden by the exact-value rule.
var userinfoPlaceholders = map[string]bool{"user:pass": true, "user:password": true, "username:password": true}

// findUserinfo hides what precedes '@' in "scheme://user:pass@host" and in
// curl-style "user:pass@host"; a plain "user@host" without a scheme stays.
func findUserinfo(b []byte, add func(s, e int, rule string)) {
	for off := 0; off < len(b); {
		k := bytes.IndexByte(b[off:], '@')
		if k < 0 {
			return
		}
		at := off + k
		off = at + 1
		j := at
		for j > 0 && at-j < 256 && !isUserinfoStop(b[j-1]) {
			j--
		}
		word := b[j:at]
		if s := bytes.Index(word, []byte("://")); s >= 0 {
			if userinfoPlaceholders[string(b[j+s+3:at])] {
				continue // a hint's example, not a credential
			}
			add(j+s+3, at, RuleUserinfo)
		} else if bytes.IndexByte(word, ':') > 0 && at+1 < len(b) && isHostByte(b[at+1]) {
			add(j, at, RuleUserinfo)
		}
	}
}

// Names whose value is a credential after ':' or '='.
var headerNames = map[string]bool{
	"authorization": true, "proxy-authorization": true, "x-api-key": true, "api-key": true,
	"x-goog-api-key": true, "apikey": true, "api_key": true, "x-auth-token": true,
	"access_token": true, "access-token": true, "refresh_token": true, "client_secret": true,
	"password": true, "passwd": true, "secret": true, "private_key": true, "cookie": true,
	"set-cookie": true, "newapi_token": true, "new-api-token": true,
}

// More names, only with '=' (query parameters, environment assignments):
// with ':' words like "key" and "token" are ordinary prose.
var paramNames = map[string]bool{
	"key": true, "token": true, "sig": true, "signature": true, "auth": true, "pass": true,
	"pwd": true, "api-key": true,
}

var paramSuffixes = []string{"_key", "_token", "_secret", "_password", "_pass", "_pwd", "-key", "-token", "-secret"}

var authSchemes = []string{"bearer ", "basic ", "token ", "digest ", "negotiate ", "apikey ", "key "}

// nameEnds marks the last letters of every credential name and suffix: most
// JSON keys are rejected before any map lookup.
var nameEnds [256]bool

func init() {
	for n := range headerNames {
		nameEnds[n[len(n)-1]] = true
	}
	for n := range paramNames {
		nameEnds[n[len(n)-1]] = true
	}
	for _, n := range paramSuffixes {
		nameEnds[n[len(n)-1]] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		if nameEnds[c] {
			nameEnds[c-'a'+'A'] = true
		}
	}
}

// headerEnds marks (first, last) letter pairs of headerNames, the only names
// taken with ':' — where every JSON key in a report is a candidate.
var headerEnds [256][256]bool

func init() {
	for n := range headerNames {
		f, l := n[0], n[len(n)-1]
		for _, a := range []byte{f, f - 'a' + 'A'} {
			for _, z := range []byte{l, l - 'a' + 'A'} {
				headerEnds[a][z] = true
			}
		}
	}
}

func classifyName(name []byte, sep byte) bool {
	var low [64]byte
	if len(name) < 3 || len(name) > len(low) || !nameEnds[name[len(name)-1]] {
		return false
	}
	if sep != '=' && !headerEnds[name[0]][name[len(name)-1]] {
		return false
	}
	for i, c := range name {
		if byteClass[c]&clUpper != 0 {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	n := string(low[:len(name)]) // does not escape; map lookups do not allocate
	if headerNames[n] {
		return true
	}
	if sep != '=' {
		return false
	}
	if paramNames[n] {
		return true
	}
	for _, s := range paramSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

// findNamedValues hides values after credential names: "Authorization: Bearer x",
// `"x-api-key":"x"`, "map[Api-Key:[x]]", "?key=x", "\u0026token=x", "OPENAI_API_KEY=x".
func findNamedValues(b []byte, add func(s, e int, rule string)) {
	for _, sep := range []byte{':', '='} {
		for off := 0; off < len(b); {
			k := bytes.IndexByte(b[off:], sep)
			if k < 0 {
				break
			}
			off += k + 1
			namedValueAt(b, off-1, add)
		}
	}
}

// namedValueAt looks at one ':' or '=' at i.
func namedValueAt(b []byte, i int, add func(s, e int, rule string)) {
	c := b[i]
	ne := i
	if ne > 0 && (b[ne-1] == '"' || b[ne-1] == '\'') {
		ne--
	}
	ns := ne
	for ns > 0 && ne-ns < 64 && isKeyByte(b[ns-1]) {
		ns--
	}
	if ns == ne {
		return
	}
	name := b[ns:ne]
	// Escaped separators glue onto the name: "\u0026key", "%26key".
	if ns > 0 && b[ns-1] == '\\' && len(name) > 5 && name[0] == 'u' {
		name = name[5:]
	} else if ns > 0 && b[ns-1] == '%' && len(name) > 2 {
		name = name[2:]
	}
	if !classifyName(name, c) {
		return
	}
	rule := RuleParam
	if c == ':' || headerNames[strings.ToLower(string(name))] {
		rule = RuleAuthHeader
	}
	v := i + 1
	if c == ':' && v < len(b) && b[v] == ':' {
		return
	}
	for v < len(b) && (b[v] == ' ' || b[v] == '\t') {
		v++
	}
	if bytes.HasPrefix(b[v:], []byte(Redacted)) {
		return
	}
	var quote byte
	if v+1 < len(b) && b[v] == '\\' && b[v+1] == '"' {
		quote, v = '\\', v+2
	} else if v < len(b) && (b[v] == '"' || b[v] == '\'') {
		quote, v = b[v], v+1
	} else if v < len(b) && b[v] == '[' {
		v++
	}
	for _, sc := range authSchemes {
		if len(b)-v > len(sc) && strings.EqualFold(string(b[v:v+len(sc)]), sc) {
			v += len(sc)
			for v < len(b) && b[v] == ' ' {
				v++
			}
			break
		}
	}
	e := v
	switch quote {
	case 0:
		for e < len(b) && !isValueStop(b[e]) {
			e++
		}
	case '\\':
		for e < len(b) && b[e] != '\n' && !(b[e] == '\\' && e+1 < len(b) && b[e+1] == '"') {
			e++
		}
	default:
		for e < len(b) && b[e] != quote && b[e] != '\n' {
			if b[e] == '\\' {
				e++
			}
			e++
		}
		if e > len(b) {
			e = len(b)
		}
	}
	// JSON's null/true/false hold no secret; hiding them would break the document.
	if quote == 0 {
		switch string(b[v:e]) {
		case "null", "true", "false":
			return
		}
	}
	add(v, e, rule)
}

func isValueStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', '&', ',', ';', ')', ']', '}', '<', '>', '\\', '`', '#':
		return true
	}
	return false
}

// findBearer hides the credential after "Bearer " anywhere in free text.
func findBearer(b []byte, add func(s, e int, rule string)) {
	for _, pat := range [][]byte{[]byte("earer"), []byte("EARER")} {
		for off := 0; off < len(b); {
			k := bytes.Index(b[off:], pat)
			if k < 0 {
				break
			}
			p := off + k
			off = p + len(pat)
			if p == 0 || (b[p-1] != 'b' && b[p-1] != 'B') || (p > 1 && isWordByte(b[p-2])) {
				continue
			}
			v := off
			for v < len(b) && (b[v] == ' ' || b[v] == '+') {
				v++
			}
			if bytes.HasPrefix(b[v:], []byte("%20")) {
				v += 3
			}
			if v == off {
				continue
			}
			e := v
			var digit, upper, punct bool
			for e < len(b) && (isKeyByte(b[e]) || strings.IndexByte("._~+/=", b[e]) >= 0) {
				cl := byteClass[b[e]]
				digit = digit || cl&clDigit != 0
				upper = upper || cl&clUpper != 0
				punct = punct || cl&clWord == 0
				e++
			}
			// "Bearer authentication" is prose; credentials mix classes.
			if e-v >= 8 && (digit || upper || punct) {
				add(v, e, RuleBearer)
			}
		}
	}
}

type keyShape struct {
	prefix string
	min    int // minimum length after the prefix
}

var keyShapes = []keyShape{
	{"sk-", 16}, {"sk_live_", 16}, {"sk_test_", 16}, {"rk_live_", 16}, {"AIza", 30}, {"xai-", 20},
	{"gsk_", 20}, {"hf_", 20}, {"pplx-", 20}, {"r8_", 20}, {"ghp_", 20}, {"gho_", 20}, {"ghu_", 20},
	{"ghs_", 20}, {"ghr_", 20}, {"github_pat_", 20}, {"glpat-", 20}, {"xoxb-", 10}, {"xoxp-", 10},
	{"xoxa-", 10}, {"nvapi-", 20}, {"tvly-", 20}, {"AKIA", 16}, {"ASIA", 16},
}

// keyStarts marks the bytes a key shape can start with; minShapeLen is the
// shortest token worth comparing (JWTs included).
var (
	keyStarts   [256]bool
	minShapeLen = 10
)

func init() {
	for _, k := range keyShapes {
		keyStarts[k.prefix[0]] = true
		minShapeLen = min(minShapeLen, len(k.prefix)+k.min)
	}
	keyStarts['e'] = true // JWT
}

// findKeyShapes walks the tokens once and hides those shaped like provider
// keys or JWTs (at LevelNone; above it visitHosts does this on its walk).
func findKeyShapes(b []byte, add func(s, e int, rule string)) {
	for i := 0; i < len(b); {
		if !isKeyByte(b[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(b) && isKeyByte(b[j]) {
			j++
		}
		if e, rule := keyShapeAt(b, i, j); rule != "" {
			add(i, e, rule)
			j = e
		}
		i = j
	}
}

// keyShapesIn reports the key shapes among the dot-separated pieces of the
// host-class run b[s:e] to fn (value nil: hidden, not pseudonymised).
func keyShapesIn(b []byte, s, e int, fn func(start, end int, rule string, value []byte)) bool {
	found := false
	for a := s; a < e; {
		c := a
		for c < e && b[c] != '.' {
			c++
		}
		if a < c {
			if ke, rule := keyShapeAt(b, a, c); rule != "" {
				fn(a, ke, rule, nil)
				found = true
				c = ke
			}
		}
		a = c + 1
	}
	return found
}

// keyShapeAt judges the key-class token b[i:j]: a provider key (ends at j)
// or the start of a JWT (header.payload.signature, ends after the signature).
func keyShapeAt(b []byte, i, j int) (int, string) {
	if !keyStarts[b[i]] || j-i < minShapeLen {
		return 0, ""
	}
	tok := b[i:j]
	if bytes.HasPrefix(tok, []byte("eyJ")) {
		e, dots := j, 0
		for e < len(b) && (b[e] == '.' || isKeyByte(b[e])) {
			if b[e] == '.' {
				dots++
			}
			e++
		}
		for e > j && b[e-1] == '.' {
			e, dots = e-1, dots-1 // a sentence's full stop is not the signature's
		}
		if dots >= 2 {
			return e, RuleJWT
		}
	}
	for _, k := range keyShapes {
		if len(tok) >= len(k.prefix)+k.min && string(tok[:len(k.prefix)]) == k.prefix {
			return j, RuleAPIKey
		}
	}
	return 0, ""
}

// ---- hosts and addresses ----------------------------------------------------

// fileExts are last labels that make "name.ext" a file, not a host.
var fileExts = map[string]bool{
	"log": true, "txt": true, "json": true, "yaml": true, "yml": true, "toml": true, "ini": true,
	"conf": true, "cfg": true, "md": true, "go": true, "mod": true, "sum": true, "zip": true,
	"gz": true, "tgz": true, "tar": true, "xz": true, "db": true, "sqlite": true, "csv": true,
	"xml": true, "html": true, "htm": true, "js": true, "ts": true, "py": true, "sh": true,
	"bat": true, "exe": true, "dll": true, "so": true, "dylib": true, "pem": true, "crt": true,
	"cer": true, "key": true, "der": true, "pfx": true, "env": true, "lock": true, "pid": true,
	"sock": true, "bak": true, "tmp": true, "old": true, "out": true, "err": true, "service": true,
	"plist": true, "png": true, "jpg": true, "svg": true, "pdf": true, "msi": true, "deb": true,
	"rpm": true, "jar": true, "rs": true, "c": true, "h": true, "java": true, "rb": true,
	"php": true, "lua": true, "exe~": true, "wal": true, "shm": true, "journal": true, "dat": true,
	"bin": true, "txtar": true, "proto": true, "css": true, "gitignore": true, "dockerfile": true,
}

// visitHosts calls fn for every host or address in b that the level hides,
// with its span, rule and the value to pseudonymise (valid only during the
// call; nil for a key shape, which is hidden). It never modifies b.
func (r *Redactor) visitHosts(b []byte, strict bool, fn func(start, end int, rule string, value []byte)) {
	r.mu.RLock()
	hosts := r.hosts
	haveHosts := len(hosts) > 0
	anyToken := r.hostsBare
	defer r.mu.RUnlock()
	var low []byte
	for i := 0; i < len(b); {
		c := b[i]
		if (isHex(c) || c == ':') && (i == 0 || (!isHostByte(b[i-1]) && b[i-1] != ':')) && colonSoon(b, i) {
			if e, a, ok := scanIPv6(b, i); ok {
				if rule := ipRule(a); rule != "" {
					low = appendLower(low[:0], b[i:e])
					fn(i, e, rule, low)
				}
				i = e
				continue
			}
		}
		if !isHostByte(c) {
			i++
			continue
		}
		j, dots, letters, upper := i, 0, false, false
		for j < len(b) {
			cl := byteClass[b[j]]
			if cl&clHost == 0 {
				break
			}
			if b[j] == '.' {
				dots++
			}
			letters = letters || cl&clLetter != 0
			upper = upper || cl&clUpper != 0
			j++
		}
		s, e := i, j
		i = j
		// Escapes glued to the front: "%2Fhost", "\u002fhost", "\nhost".
		if s > 0 && b[s-1] == '%' && e-s > 2 && isHex(b[s]) && isHex(b[s+1]) {
			s += 2
		} else if s > 0 && b[s-1] == '\\' {
			if b[s] == 'u' && e-s > 5 {
				s += 5
			} else if strings.IndexByte("nrtbf", b[s]) >= 0 {
				s++
			}
		}
		// Key shapes first: the run's key-class pieces, split at dots.
		if letters && e-s >= minShapeLen && keyShapesIn(b, s, e, fn) {
			continue
		}
		// Durations, versions and other numbers: only an IPv4 needs a look.
		if (dots == 0 && !anyToken) || (!letters && dots < 3) {
			continue
		}
		for s < e && (b[s] == '.' || b[s] == '-' || b[s] == '_') {
			s++
		}
		for e > s && (b[e-1] == '.' || b[e-1] == '-' || b[e-1] == '_') {
			e--
		}
		if s >= e {
			continue
		}
		tok := b[s:e]
		hasDot := dots > 0 && bytes.IndexByte(tok, '.') >= 0
		key := tok // lower case already, mostly: no copy then
		if upper {
			low = appendLower(low[:0], tok)
			key = low
		}
		if haveHosts && hosts[string(key)] {
			fn(s, e, RuleHostReg, key)
			continue
		}
		if !hasDot {
			continue
		}
		if a, ok := parseIPv4(tok); ok {
			if rule := ipRule(a); rule != "" {
				fn(s, e, rule, key)
			}
			continue
		}
		if !looksLikeHost(tok) {
			continue
		}
		if alwaysVisible[string(key)] || bytes.HasSuffix(key, []byte(".localhost")) {
			continue
		}
		if r.isAllowlistedBytes(key) {
			if strict {
				fn(s, e, RuleProvider, key)
			}
			continue
		}
		fn(s, e, RuleHostname, key)
	}
}

func appendLower(dst, s []byte) []byte {
	for _, c := range s {
		if byteClass[c]&clUpper != 0 {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// looksLikeHost: dotted labels ending in an alphabetic TLD, one letter case
// throughout (Go identifiers such as url.Error or Config.timeouts mix cases),
// and not a file name (config.yaml, oneapi-20240101.log).
func looksLikeHost(t []byte) bool {
	dot := bytes.LastIndexByte(t, '.')
	if dot <= 0 {
		return false
	}
	tld := t[dot+1:]
	if len(tld) < 2 || len(tld) > 24 {
		return false
	}
	for _, c := range tld {
		if byteClass[c]&clLetter == 0 {
			return false
		}
	}
	// Every label with letters has one shape: all lower, all upper, or
	// Title. "Relay.Corp.Example" is a host; "url.Error" and
	// "Config.timeouts" (lower+Title) and "net.OpError" (camel) are Go.
	const (
		shLower = 1 << iota
		shUpper
		shTitle
	)
	shapes, lbl := 0, t
	for len(lbl) > 0 {
		k := bytes.IndexByte(lbl, '.')
		l := lbl
		if k >= 0 {
			l, lbl = lbl[:k], lbl[k+1:]
		} else {
			lbl = nil
		}
		if len(l) == 0 {
			return false
		}
		var lo, up, firstUp, letters int
		for _, c := range l {
			cl := byteClass[c]
			if cl&clLetter == 0 {
				continue
			}
			if cl&clUpper != 0 {
				if letters == 0 {
					firstUp = 1
				}
				up++
			} else {
				lo++
			}
			letters++
		}
		switch {
		case letters == 0:
		case up == 0:
			shapes |= shLower
		case lo == 0 && up > 1:
			shapes |= shUpper
		case up == 1 && firstUp == 1:
			shapes |= shTitle
		default:
			return false // camelCase
		}
	}
	if shapes&(shapes-1) != 0 {
		return false
	}
	var lt [24]byte
	return !fileExts[string(appendLower(lt[:0], tld))]
}

func parseIPv4(t []byte) (netip.Addr, bool) {
	dots := 0
	for _, c := range t {
		if c == '.' {
			dots++
		} else if byteClass[c]&clDigit == 0 {
			return netip.Addr{}, false
		}
	}
	if dots != 3 {
		return netip.Addr{}, false
	}
	// By hand: netip.ParseAddr would allocate for every version string.
	var o [4]byte
	n, digits, v := 0, 0, 0
	for k := 0; k <= len(t); k++ {
		if k == len(t) || t[k] == '.' {
			if digits == 0 || digits > 3 || v > 255 || (digits > 1 && t[k-digits] == '0') {
				return netip.Addr{}, false
			}
			o[n], n, digits, v = byte(v), n+1, 0, 0
			continue
		}
		v, digits = v*10+int(t[k]-'0'), digits+1
	}
	return netip.AddrFrom4(o), true
}

// plausibleIPv6 rejects most non-addresses (times, MACs, "a::b::c") before
// netip.ParseAddr, which allocates on every failure.
func plausibleIPv6(t []byte) bool {
	groups, double, glen := 1, 0, 0
	for k, c := range t {
		switch {
		case c == ':':
			if k > 0 && t[k-1] == ':' {
				double++
			}
			groups++
			glen = 0
		case c == '.':
			glen = 0 // an IPv4 tail; netip checks it
		default:
			if glen++; glen > 4 {
				return false
			}
		}
	}
	if double > 1 || (double == 1 && strings.Count(string(t), ":::") > 0) {
		return false
	}
	return double == 1 || groups == 8 || (groups == 7 && bytes.IndexByte(t, '.') > 0)
}

// colonSoon: an IPv6 literal has a ':' within its first five bytes.
func colonSoon(b []byte, i int) bool {
	for k := i; k < len(b) && k < i+5; k++ {
		if b[k] == ':' {
			return true
		}
		if !isHex(b[k]) {
			return false
		}
	}
	return false
}

// scanIPv6 reads an IPv6 literal (with an optional %zone) starting at i.
func scanIPv6(b []byte, i int) (int, netip.Addr, bool) {
	j, colons := i, 0
	for j < len(b) && (isHex(b[j]) || b[j] == ':' || b[j] == '.') {
		if b[j] == ':' {
			colons++
		}
		j++
	}
	// Running straight into a letter, it is part of a word: "%0A::error"
	// is an escaped newline and a workflow command, not the address a::e.
	if j < len(b) && b[j] != '%' && byteClass[b[j]]&clLetter != 0 {
		return 0, netip.Addr{}, false
	}
	// "::" and one group ("::e" of a GitHub "::error" command) is no address
	// worth hiding; "::ffff:10.1.2.3" has more colons and still is.
	if colons < 2 || (colons == 2 && b[i] == ':' && i+1 < len(b) && b[i+1] == ':' && bytes.IndexByte(b[i:j], '.') < 0) {
		return 0, netip.Addr{}, false
	}
	if j < len(b) && b[j] == '%' {
		k := j + 1
		for k < len(b) && isKeyByte(b[k]) {
			k++
		}
		if k > j+1 {
			j = k
		}
	}
	for e := j; e > i; e-- {
		addr := b[i:e]
		if z := bytes.IndexByte(addr, '%'); z >= 0 {
			addr = addr[:z]
		}
		if plausibleIPv6(addr) {
			if a, err := netip.ParseAddr(string(b[i:e])); err == nil && a.Is6() {
				return e, a, true
			}
		}
		// Only trailing punctuation may be dropped: "::1:" or "2001:db8::1." end a sentence.
		if c := b[e-1]; c != ':' && c != '.' {
			break
		}
	}
	return 0, netip.Addr{}, false
}

var (
	cgnat = netip.MustParsePrefix("100.64.0.0/10")
	// fakeIP is Clash/mihomo's fake-IP range (RFC 2544 benchmarking): synthetic
	// local answers that identify no one, and the evidence of the fake-ip cause.
	fakeIP = netip.MustParsePrefix("198.18.0.0/15")
)

// ipRule says how an address is hidden: "" keeps it (loopback, unspecified,
// netmasks, multicast), else private-ip or ip.
func ipRule(a netip.Addr) string {
	a = a.Unmap()
	if a.IsLoopback() || a.IsUnspecified() || a.IsMulticast() || fakeIP.Contains(a) {
		return ""
	}
	if a.Is4() {
		o := a.As4()
		if o[0] == 255 {
			return "" // netmask or broadcast
		}
	}
	if a.IsPrivate() || a.IsLinkLocalUnicast() || cgnat.Contains(a) {
		return RulePrivateIP
	}
	return RuleIP
}
