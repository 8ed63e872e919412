package redact

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"sync"
)

type span struct {
	start, end int
	rule       string
}

// bufPool holds stage one's intermediate buffers: for a large report they
// are megabytes that would otherwise be allocated and cleared per call.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// applySpans writes b with spans replaced, into *into when given (its
// backing array is reused and handed back there). Secrets become Redacted;
// identities (user paths, registered user and machine names) the pseudonym
// repl gives.
func applySpans(b []byte, spans []span, counts map[string]int, into *[]byte, repl func(s span) string) []byte {
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
		secret := !isIdentityRule(s.rule)
		for j < len(spans) && spans[j].start < s.end {
			if spans[j].end > s.end {
				s.end = spans[j].end
			}
			secret = secret || !isIdentityRule(spans[j].rule)
			j++
		}
		out = append(out, b[last:s.start]...)
		if secret || repl == nil {
			out = append(out, Redacted...)
		} else {
			out = append(out, repl(s)...)
		}
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
	long   map[uint64][]indexed
	short  map[uint32][]indexed
	filter []uint64
}

// indexed is one registered form and where it may match.
type indexed struct {
	s    string
	mode matchMode
	kind identityKind // a secret, or an account or machine name (users.go)
}

// matchMode says where a registered value is found: a value that could be
// an ordinary word must not eat names and prose ("wrong" in
// "proxy-wrong-password" or in "anything wrong is above TCP").
type matchMode uint8

const (
	matchAnywhere matchMode = iota // distinctive: also inside other words
	matchToken                     // only as a whole token
	matchValue                     // a whole token in a value's place, not in prose
	matchPlace                     // a whole token where an account name stands (users.go)
)

// safeSecretLength is how long a value must be, mixing more than letters or
// digits, to be hidden even inside other words; 16 bytes of anything are.
const safeSecretLength = 8

// modeOf judges a secret by its own bytes: distinctive, short, or a word or
// number that prose could hold.
func modeOf(s string) matchMode {
	letters, digits := 0, 0
	for i := 0; i < len(s); i++ {
		cl := byteClass[s[i]]
		switch {
		case cl&clLetter != 0:
			letters++
		case cl&clDigit != 0:
			digits++
		}
	}
	plain := letters == len(s) || digits == len(s)
	switch {
	case len(s) >= 2*safeSecretLength, len(s) >= safeSecretLength && !plain:
		return matchAnywhere
	case plain:
		return matchValue
	}
	return matchToken
}

const filterShift = 64 - 20 // 2^20 bits

// filterHashes takes two bit positions from one multiplication: the top 20
// bits and the 20 below them.
func filterHashes(w4 uint32) (uint64, uint64) {
	p := uint64(w4) * 0x9E3779B97F4A7C15
	return p >> filterShift, (p >> (filterShift - 20)) & (1<<20 - 1)
}

// addUnique adds v, or widens the place an equal form may match (a form can
// come from two secrets of different strength).
func addUnique(list []indexed, v indexed) []indexed {
	for i, o := range list {
		if o.s == v.s {
			list[i].mode = min(o.mode, v.mode)
			list[i].kind = min(o.kind, v.kind) // a secret stays a secret
			return list
		}
	}
	return append(list, v)
}

func (x *secretIndex) add(s string, mode matchMode) { x.addKind(s, mode, kindSecret) }

func (x *secretIndex) addKind(s string, mode matchMode, kind identityKind) {
	if len(s) < 4 {
		return // a form can shrink (Markdown drops \r); the index keys on 4 bytes
	}
	if x.filter == nil {
		x.filter = make([]uint64, (1<<(64-filterShift))/64)
		x.short = map[uint32][]indexed{}
		x.long = map[uint64][]indexed{}
	}
	w4 := binary.LittleEndian.Uint32([]byte(s[len(s)-4:]))
	if len(s) >= 8 {
		w := binary.LittleEndian.Uint64([]byte(s[len(s)-8:]))
		x.long[w] = addUnique(x.long[w], indexed{s, mode, kind})
	} else {
		x.short[w4] = addUnique(x.short[w4], indexed{s, mode, kind})
	}
	h1, h2 := filterHashes(w4)
	x.filter[h1/64] |= 1 << (h1 % 64)
	x.filter[h2/64] |= 1 << (h2 % 64)
}

func (x *secretIndex) find(b []byte, add func(s, e int, kind identityKind)) {
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
			for _, v := range x.long[w] {
				if st := e - len(v.s); st >= 0 && string(b[st:e]) == v.s && v.mode.fits(b, st, e) {
					add(st, e, v.kind)
				}
			}
		}
		for _, v := range x.short[w4] {
			if st := e - len(v.s); st >= 0 && string(b[st:e]) == v.s && v.mode.fits(b, st, e) {
				add(st, e, v.kind)
			}
		}
	}
}

// fits says whether b[s:e] stands where the mode lets a value match.
func (m matchMode) fits(b []byte, s, e int) bool {
	switch m {
	case matchAnywhere:
		return true
	case matchPlace:
		return placeFits(b, s, e)
	}
	if !tokenEdge(b, s, -1) || !tokenEdge(b, e, +1) {
		return false // inside a longer word: "bypass", "proxy-wrong-password"
	}
	if m == matchToken {
		return true
	}
	// A word or number: hidden where a value stands (quoted, after '=' or
	// ':', before '@', escaped), left alone between spaces in a sentence.
	before, after := byte(' '), byte(' ')
	if s > 0 {
		before = b[s-1]
	}
	if e < len(b) {
		after = b[e]
		if after == '\\' && e+1 < len(b) {
			after = b[e+1] // \" closing a JSON-escaped quote
		}
	}
	quoted := strings.IndexByte("\"'`", before) >= 0 && after == before
	return quoted || strings.IndexByte(":=@/", before) >= 0 || after == '@' ||
		escapedBefore(b, s) || escapedAfter(b, e)
}

// tokenEdge: the byte beside position i (dir -1: before it, +1: at it) does
// not continue a word. A dot does only when a word byte follows it
// ("x.wrong", "wrong.example"); an escape (%XX, \uXXXX, \n) ends a word.
func tokenEdge(b []byte, i, dir int) bool {
	if dir < 0 {
		if i == 0 || escapedBefore(b, i) || (i >= 2 && b[i-2] == '\\' && strings.IndexByte("nrt", b[i-1]) >= 0) {
			return true // JSON's \n, \r, \t end a word too
		}
		c := b[i-1]
		return !isKeyByte(c) && !(c == '.' && i > 1 && isKeyByte(b[i-2]))
	}
	if i >= len(b) || escapedAfter(b, i) {
		return true
	}
	c := b[i]
	return !isKeyByte(c) && !(c == '.' && i+1 < len(b) && isKeyByte(b[i+1]))
}

// escapedBefore: b[:i] ends in a %XX or \uXXXX escape (an encoded ':' or '@').
func escapedBefore(b []byte, i int) bool {
	return (i >= 3 && b[i-3] == '%' && isHex(b[i-2]) && isHex(b[i-1])) ||
		(i >= 6 && b[i-6] == '\\' && b[i-5] == 'u' && isHex(b[i-4]) && isHex(b[i-3]) && isHex(b[i-2]) && isHex(b[i-1]))
}

// escapedAfter: b[i:] starts with a %XX or \uXXXX escape.
func escapedAfter(b []byte, i int) bool {
	return (i+3 <= len(b) && b[i] == '%' && isHex(b[i+1]) && isHex(b[i+2])) ||
		(i+6 <= len(b) && b[i] == '\\' && b[i+1] == 'u' && isHex(b[i+2]) && isHex(b[i+3]) && isHex(b[i+4]) && isHex(b[i+5]))
}

var (
	pemBegin = []byte("-----BEGIN ")
	pemEnd   = []byte("-----END ")
	pemDash  = []byte("-----")
)

// findSecrets lists every secret span in b, and with idents the user paths
// and registered account and machine names too. Callers hold r.mu for
// reading. shapes=false leaves key shapes to visitHosts, which walks the
// same tokens.
func (r *Redactor) findSecrets(b []byte, shapes, idents bool) []span {
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
	var names []span
	namesDone := false
	if idents {
		findUserPaths(b, func(s, e int) { add(s, e, RuleUserPath) })
	}
	r.secrets.find(b, func(s, e int, kind identityKind) {
		if kind != kindSecret && !idents {
			return
		}
		if !namesDone { // only when a registered value is found: most strings have none
			names, namesDone = r.nameSpans(b), true
		}
		if insideName(names, s, e) {
			return
		}
		if kind == kindSecret {
			add(s, e, RuleRegistered)
		} else {
			add(s, e, identityRule(kind))
		}
	})
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
