package redact

import (
	"net/url"
	"strings"
)

// AddURL teaches the redactor a URL's sensitive parts before anything
// quoting it is printed: its host (pseudonymised unless a public provider)
// and its userinfo (always hidden, also in decoded form).
func (rd *Redactor) AddURL(raw string) {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "direct" {
		return
	}
	u, err := url.Parse(raw)
	// A password with an unescaped / ? or # ends the URL's authority early:
	// Go then reads the "host" from inside the password, and an '@' is
	// left in the path, query or fragment.
	split := err == nil && strings.Contains(u.Path+u.RawQuery+u.Fragment, "@")
	if err != nil || u.Host == "" || split {
		// Still hide anything that looks like credentials in an unparsable value.
		if at := strings.LastIndex(raw, "@"); at > 0 {
			cred := raw[:at]
			if i := strings.Index(cred, "://"); i >= 0 {
				cred = cred[i+3:]
			}
			rd.AddSecret(cred)
			if _, p, ok := strings.Cut(cred, ":"); ok {
				rd.AddSecret(p)
			}
			// Each piece alone too: the bogus "host" shows up by itself.
			for _, piece := range strings.FieldsFunc(cred, func(r rune) bool { return strings.ContainsRune("@:/?#", r) }) {
				rd.AddSecret(piece)
			}
		}
		return
	}
	rd.AddHost(u.Hostname())
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			rd.AddSecret(p)
			if e := url.QueryEscape(p); e != p {
				rd.AddSecret(e)
			}
		}
		rd.AddSecret(u.User.Username())
	}
	for _, k := range []string{"key", "api_key", "apikey", "token", "access_token"} {
		if v := u.Query().Get(k); v != "" {
			rd.AddSecret(v)
		}
	}
}
