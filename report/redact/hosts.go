package redact

import (
	"bytes"
	"net/netip"
	"strings"
)

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

// alwaysVisible are hosts that identify nobody and help support read hints.
var alwaysVisible = map[string]bool{
	"localhost": true, "github.com": true, "go.dev": true, "golang.org": true,
	"host.docker.internal": true, "gateway.docker.internal": true,
	// The config file's own keys, named in its error messages.
	"timeouts.dns": true, "timeouts.connect": true, "timeouts.tls": true, "timeouts.http": true,
}

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
	"mjs": true, "cjs": true, "jsx": true, "tsx": true, "ipynb": true, "whl": true,
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
	var names []span // where registered names stand, found on the first registered host
	namesDone := false
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
			if !namesDone {
				names, namesDone = r.nameSpans(b), true
			}
			if !insideName(names, s, e) {
				fn(s, e, RuleHostReg, key)
				continue
			}
			// Inside a name the host's shape still counts: a name made
			// from a URL argument ("corp-gw.internal:3000") carries its host.
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
// not a Go selector (Client.Timeout), no '_', and not a file name
// (config.yaml, oneapi-20240101.log).
func looksLikeHost(t []byte) bool {
	// A host name has no '_' (RFC 952/1123): open_webui.routers.ollama,
	// cl100k_base.tiktoken and tool_result paths are code and data.
	if bytes.IndexByte(t, '_') >= 0 {
		return false
	}
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
	// Two Title labels are a Go selector, not a host: Client.Timeout in
	// "(Client.Timeout exceeded while awaiting headers)", Server.Addr.
	// Title-case hosts have three labels (Relay.Corp.Example).
	if shapes == shTitle && bytes.Count(t, []byte{'.'}) == 1 {
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
