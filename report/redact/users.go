package redact

import (
	"bytes"
	"strings"
)

// User names are identity, like hosts: pseudonymised (user-3f2a1c) at the
// default and strict levels, shown with --no-redact, always found by Scan.
// A pseudonym, not a fixed "<user>": '<' and '>' would become a tag in the
// HTML report and break junit's XML (the final pass runs on rendered
// output), and a stable per-run pseudonym still tells support whether two
// paths belong to one account (the app run by another user than the doctor).

// notPersonal are profile folders that name no one: they stay readable.
var notPersonal = map[string]bool{
	"public": true, "default": true, "default user": true, "defaultuser0": true, "all users": true,
	"shared": true, "guest": true, "root": true, "administrator": true, "admin": true,
	"nobody": true, "user": true, "localhost": true, "linuxbrew": true,
}

// isPseudonym: a user-… or host-… token this engine wrote (redacting twice
// changes nothing; Scan passes it).
func isPseudonym(v []byte) bool {
	for _, p := range []string{"user-", "host-"} {
		if len(v) >= len(p)+6 && string(v[:len(p)]) == p {
			ok := true
			for _, c := range v[len(p):] {
				if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// sepAt is the length of a path separator at b[i]: a run of backslashes
// (raw, JSON- or Markdown-escaped), '/', or %5C / %2F; 0 when none. bs says
// whether it is a backslash kind.
func sepAt(b []byte, i int) (n int, bs bool) {
	switch c := b[i]; c {
	case '/':
		return 1, false
	case '\\':
		j := i
		for j < len(b) && b[j] == '\\' {
			j++
		}
		return j - i, true
	case '%':
		if i+3 <= len(b) {
			switch strings.ToUpper(string(b[i+1 : i+3])) {
			case "5C":
				return 3, true
			case "2F":
				return 3, false
			}
		}
	}
	return 0, false
}

// userStop ends a user name: what no account name holds and what ends a
// path in text (quotes, brackets, list and assignment punctuation).
func userStop(c byte) bool {
	return c < 0x20 || strings.IndexByte("\"'`<>|?*:;,()[]{}=&#!$", c) >= 0
}

// homeAnchor reports where the user segment starts when a home folder
// (Users, home, Documents and Settings) stands at b[i:] after a separator
// of length n at i, or -1.
func homeAnchor(b []byte, i, n int, bs bool) int {
	j := i + n
	word := func(w string, fold bool) int {
		if j+len(w) > len(b) {
			return -1
		}
		got := string(b[j : j+len(w)])
		if got != w && !(fold && strings.EqualFold(got, w)) {
			return -1
		}
		k := j + len(w)
		if k >= len(b) {
			return -1
		}
		m, _ := sepAt(b, k)
		if m == 0 {
			return -1
		}
		return k + m
	}
	if bs {
		// A backslash path is Windows': C:\Users\, \\?\C:\Users\, C%3A\Users\ (github).
		if k := word("Users", true); k > 0 {
			return k
		}
		return word("Documents and Settings", true)
	}
	// Forward slashes: macOS and WSL (/mnt/c/Users/) spell Users so;
	// C:/users/ with a drive in any case.
	if k := word("Users", false); k > 0 {
		return k
	}
	if i >= 2 && b[i-1] == ':' && byteClass[b[i-2]]&clLetter != 0 {
		if k := word("users", true); k > 0 {
			return k
		}
	}
	// /home/ starts a path: not inside a URL's path (https://x/en/home/…).
	if i == 0 || !isHostByte(b[i-1]) || bytes.HasSuffix(b[:i], []byte("/var")) || (i >= 3 && pctSep(b[i-3:i])) {
		return word("home", false)
	}
	return -1
}

func pctSep(b []byte) bool {
	return b[0] == '%' && (strings.EqualFold(string(b[1:]), "2F") || strings.EqualFold(string(b[1:]), "5C"))
}

// userSegment is the user name at b[k:]: up to the next separator (spaces
// allowed: "C:\Users\Mary Ann\AppData"), or, where no separator or quote
// ends it, up to the first space ("C:\Users\bob is missing"). A sentence's
// full stop is not part of it. It returns the end, or k when there is none.
func userSegment(b []byte, k int) int {
	const maxName = 96
	e := k
	endsPath := false
	for e < len(b) && e-k < maxName {
		c := b[e]
		if c == '\\' && e+1 < len(b) && strings.IndexByte("_*`", b[e+1]) >= 0 {
			e += 2 // Markdown's \_ inside a name (john\_doe)
			continue
		}
		if c == '\\' && e+1 < len(b) && b[e+1] == '"' {
			endsPath = true // a JSON-escaped closing quote
			break
		}
		if m, _ := sepAt(b, e); m > 0 {
			endsPath = true
			break
		}
		if userStop(c) {
			endsPath = c == '"' || c == '\'' || c == '`'
			break
		}
		e++
	}
	if !endsPath {
		if sp := bytes.IndexByte(b[k:e], ' '); sp >= 0 {
			e = k + sp
		}
	}
	for e > k && (b[e-1] == '.' || b[e-1] == ' ') {
		e--
	}
	return e
}

// findUserPaths reports the user segment of every home-directory path in b:
// C:\Users\<name>, C:\\Users\\<name> (JSON), C:/Users/<name>,
// \Documents and Settings\<name>, /home/<name>, /Users/<name>, also
// URL-encoded. /root and profile folders that name no one stay.
func findUserPaths(b []byte, add func(s, e int)) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '/' && c != '\\' && c != '%' {
			continue
		}
		n, bs := sepAt(b, i)
		if n == 0 {
			continue
		}
		k := homeAnchor(b, i, n, bs)
		if k < 0 {
			i += n - 1
			continue
		}
		e := userSegment(b, k)
		if e > k {
			if v := normUser(b[k:e]); !notPersonal[v] && !isPseudonym([]byte(v)) && v != strings.ToLower(Redacted) {
				add(k, e)
			}
		}
		i = max(i, e-1)
	}
}

// normUser is the name a pseudonym is keyed on, whatever the form it was
// found in: lower case, %XX and Markdown escapes undone.
func normUser(v []byte) string {
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '%' && i+2 < len(v) && isHex(v[i+1]) && isHex(v[i+2]):
			out = append(out, unhex(v[i+1])<<4|unhex(v[i+2]))
			i += 2
			continue
		case c == '\\' && i+1 < len(v):
			continue
		case byteClass[c]&clUpper != 0:
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// identityKind tells a registered account or machine name from a secret.
type identityKind uint8

const (
	kindSecret identityKind = iota
	kindUser
	kindMachine
)

// AddUser registers the OS account name: hidden as a pseudonym (rule
// user-name) wherever it stands as an account name — a path segment
// (D:\Profiles\bob), DOMAIN\bob, USER=bob, bob@host — and, when it is
// distinctive (see matchMode), anywhere. Home paths are caught by shape
// (user-path) whether or not a name was registered.
func (r *Redactor) AddUser(name string) { r.addIdentity(name, kindUser) }

// AddMachine registers this machine's hostname, hidden like AddUser's
// names as a host pseudonym (rule registered-host): DESKTOP-AB12CD anywhere,
// a plain word ("ubuntu") only where it stands as a name.
func (r *Redactor) AddMachine(hostname string) {
	hostname = strings.TrimSuffix(strings.TrimSpace(hostname), ".")
	if h, _, ok := strings.Cut(hostname, "."); ok && h != "" {
		r.addIdentity(h, kindMachine) // the FQDN is caught by shape
	}
	r.addIdentity(hostname, kindMachine)
}

func (r *Redactor) addIdentity(v string, kind identityKind) {
	v = strings.TrimSpace(v)
	low := strings.ToLower(v)
	if len(v) < minSecretLength || notPersonal[low] || alwaysVisible[low] || low == "localhost.localdomain" {
		return
	}
	mode := modeOf(v)
	if mode != matchAnywhere {
		mode = matchPlace
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	for _, c := range []string{v, low, strings.ToUpper(v)} {
		for _, f := range outputForms(c) {
			if !seen[f] {
				seen[f] = true
				r.secrets.addKind(f, mode, kind)
			}
		}
	}
}

// identityRule is the rule that counts a registered identity.
func identityRule(k identityKind) string {
	if k == kindMachine {
		return RuleHostReg
	}
	return RuleUserName
}

// placeFits: b[s:e] stands where an account or machine name does — after a
// path separator, '=' or '@', or before '@' — as a whole token.
func placeFits(b []byte, s, e int) bool {
	if !tokenEdge(b, s, -1) || !tokenEdge(b, e, +1) {
		return false
	}
	return (s > 0 && strings.IndexByte(`\/=@`, b[s-1]) >= 0) || (e < len(b) && b[e] == '@')
}

func isIdentityRule(rule string) bool {
	return rule == RuleUserPath || rule == RuleUserName || rule == RuleHostReg
}
