package diag

import (
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

// ProxyDirect in Endpoint.Proxy means "no proxy, whatever the environment says".
const ProxyDirect = "direct"

// Proxy sources reported in ProxyInfo.Source (env and no_proxy sources carry
// the exact variable name after the colon).
const (
	ProxySourceConfig = "config"
	ProxySourceDirect = "direct"
	ProxySourceNone   = "none"
	proxySourceEnv    = "env:"
	proxySourceNoProx = "no_proxy:"
)

// ProxyError is a proxy that cannot even be used: malformed, or a scheme
// neither Go nor new-api speaks. The runner reports it as category proxy
// with Cause (CauseProxyBadURL or CauseProxyUnsupported). Msg never holds
// the proxy's password.
type ProxyError struct {
	Cause Cause
	Var   string // the environment variable it came from; "" for a configured proxy
	Msg   string
}

func (e *ProxyError) Error() string {
	if e.Var != "" {
		return e.Var + ": " + e.Msg
	}
	return e.Msg
}

func isDirect(s string) bool { return strings.EqualFold(strings.TrimSpace(s), ProxyDirect) }

const proxyForm = "want scheme://[user:pass@]host:port, e.g. http://127.0.0.1:7890 or socks5://127.0.0.1:1080"

// parseProxyURL checks a configured proxy the way new-api checks a
// per-channel one: a full URL whose scheme is http, https, socks5 or socks5h.
func parseProxyURL(raw string) (*url.URL, *ProxyError) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		return nil, &ProxyError{Cause: CauseProxyBadURL, Msg: "proxy has no scheme (" + proxyForm + ")"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url's messages quote parts of the value, which may include a password.
		return nil, &ProxyError{Cause: CauseProxyBadURL, Msg: "proxy is not a valid URL (" + proxyForm + ")"}
	}
	return checkProxyURL(u)
}

// checkProxyURL accepts the schemes Go's Transport and new-api dial. On
// error it still returns u, so the report can show which proxy it was.
func checkProxyURL(u *url.URL) (*url.URL, *ProxyError) {
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return u, &ProxyError{Cause: CauseProxyUnsupported,
			Msg: fmt.Sprintf("proxy scheme %s is not supported (want http, https, socks5 or socks5h)", safeToken(u.Scheme))}
	}
	if u.Hostname() == "" {
		return u, &ProxyError{Cause: CauseProxyBadURL, Msg: "proxy has no host (" + proxyForm + ")"}
	}
	if strings.Contains(u.Path+u.RawQuery+u.Fragment, "@") {
		// Go (and new-api) would dial a "host" cut out of the password.
		return u, &ProxyError{Cause: CauseProxyBadURL, Msg: "proxy password holds an unescaped /, ? or #: percent-encode it (/ as %2F, ? as %3F, # as %23), else Go reads the proxy host from inside the password"}
	}
	if err := checkPort(u.Port()); err != nil {
		return u, &ProxyError{Cause: CauseProxyBadURL, Msg: "proxy " + err.Error()}
	}
	return u, nil
}

// schemePrefixRe spots a value written as a full URL (scheme://…).
var schemePrefixRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// parseEnvProxy reads an environment proxy value exactly as Go's httpproxy
// does: a full URL, or host[:port] taken as http://. ok is false when Go
// would silently ignore the value. prefixed is set when Go had to prefix
// http:// to make it parse.
func parseEnvProxy(raw string) (u *url.URL, prefixed, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		if u2, err2 := url.Parse("http://" + raw); err2 == nil {
			return u2, true, true
		}
	}
	if err != nil {
		return nil, false, false
	}
	return u, false, true
}

// firstSet returns the first variable with a non-empty value, as Go's
// getEnvAny does (so UPPERCASE wins when both are set).
func firstSet(getenv func(string) string, names ...string) (string, string) {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return n, v
		}
	}
	return "", ""
}

// neverProxied mirrors httpproxy: "localhost" and loopback IPs are never proxied.
func neverProxied(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && a.Unmap().IsLoopback()
}

// noProxyMatches decides NO_PROXY with x/net's own matcher, so CIDRs,
// .domain, host:port and * behave exactly as in Go (and new-api).
func noProxyMatches(noProxy string, target *url.URL) bool {
	const sentinel = "http://proxy.invalid:1"
	cfg := &httpproxy.Config{HTTPProxy: sentinel, HTTPSProxy: sentinel, NoProxy: noProxy}
	u, err := cfg.ProxyFunc()(target)
	return err == nil && u == nil
}

// ResolveProxy decides the proxy for ep's probe of target (nil target: its
// ProbeURL) and says where it came from. A configured proxy (or "direct")
// wins, as new-api's per-channel proxy does; otherwise the environment by
// Go's rules, naming the variable. getenv nil means os.Getenv. A nil URL
// with a nil error means connect directly.
func ResolveProxy(ep Endpoint, target *url.URL, getenv func(string) string) (*url.URL, ProxyInfo, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	raw := strings.TrimSpace(ep.Proxy)
	if isDirect(raw) {
		return nil, ProxyInfo{Source: ProxySourceDirect}, nil
	}
	if target == nil {
		t, err := ProbeURL(ep)
		if err != nil && raw == "" {
			return nil, ProxyInfo{Source: ProxySourceNone}, err
		}
		target = t
	}
	envNames := []string{"HTTPS_PROXY", "https_proxy"}
	if target != nil && target.Scheme == "http" {
		envNames = []string{"HTTP_PROXY", "http_proxy"}
	}
	if raw != "" {
		u, perr := parseProxyURL(raw)
		if perr != nil {
			return nil, ProxyInfo{URL: redactedOrEmpty(u), Source: ProxySourceConfig}, perr
		}
		info := ProxyInfo{URL: u.Redacted(), Source: ProxySourceConfig}
		if name, _ := firstSet(getenv, envNames...); name != "" {
			info.Note = "the configured proxy replaces " + name + " from the environment, as a new-api channel proxy does"
		}
		return u, info, nil
	}
	return envProxy(target, envNames, getenv)
}

func envProxy(target *url.URL, envNames []string, getenv func(string) string) (*url.URL, ProxyInfo, error) {
	var notes []string
	none := func(source string) (*url.URL, ProxyInfo, error) {
		return nil, ProxyInfo{Source: source, Note: strings.Join(notes, "; ")}, nil
	}
	if target.Scheme != "http" && target.Scheme != "https" {
		return none(ProxySourceNone)
	}
	name, val := firstSet(getenv, envNames...)
	if name != "" && target.Scheme == "http" && getenv("REQUEST_METHOD") != "" {
		notes = append(notes, name+" is ignored because REQUEST_METHOD is set: Go refuses HTTP_PROXY in CGI programs")
		name, val = "", ""
	}
	if name != "" {
		// Go reads the UPPERCASE variable first; a different lowercase one is a trap.
		lower := strings.ToLower(name)
		if lv := getenv(lower); name != lower && lv != "" && lv != val {
			notes = append(notes, name+" wins over "+lower+", which differs")
		}
	}
	viaAll := false
	if name == "" {
		name, val = firstSet(getenv, "ALL_PROXY", "all_proxy")
		viaAll = name != ""
	}
	if name == "" {
		return none(ProxySourceNone)
	}
	if neverProxied(target.Hostname()) {
		notes = append(notes, name+" is set, but loopback targets are never proxied")
		return none(ProxySourceNone)
	}
	if npName, np := firstSet(getenv, "NO_PROXY", "no_proxy"); np != "" && noProxyMatches(np, target) {
		notes = append(notes, name+" is set, but "+npName+" exempts this host")
		return none(proxySourceNoProx + npName)
	}
	// No trimming: Go does not trim either, and " http://h:1" is ignored.
	u, prefixed, ok := parseEnvProxy(val)
	if !ok {
		what := name + " is not a valid URL"
		if strings.TrimSpace(val) != val {
			what = name + " has spaces around its value"
		}
		if viaAll {
			notes = append(notes, what+", so it is ignored")
		} else {
			notes = append(notes, what+": Go ignores it silently, so new-api connects directly")
		}
		return none(ProxySourceNone)
	}
	info := ProxyInfo{Source: proxySourceEnv + name}
	if prefixed && schemePrefixRe.MatchString(val) {
		// "http://[::1" becomes http://http://[::1 in Go: a proxy named
		// "http", which fails later with a baffling DNS error. Say it now.
		return nil, info, &ProxyError{Cause: CauseProxyBadURL, Var: name,
			Msg: "is not a valid URL; Go then dials a proxy named " + safeToken(u.Hostname()) + " (" + proxyForm + ")"}
	}
	if _, perr := checkProxyURL(u); perr != nil {
		info.URL = redactedOrEmpty(u)
		perr.Var = name
		if viaAll {
			perr.Msg += "; new-api itself ignores " + name
		}
		return nil, info, perr
	}
	info.URL = u.Redacted()
	if viaAll {
		notes = append(notes, "new-api does not read "+name+" (Go's ProxyFromEnvironment ignores it) and connects directly; "+
			"set "+envNames[0]+" for new-api")
	}
	info.Note = strings.Join(notes, "; ")
	return u, info, nil
}

// redactedOrEmpty shows a proxy without its password; only proxies with a
// host are worth showing.
func redactedOrEmpty(u *url.URL) string {
	if u == nil || u.Host == "" {
		return ""
	}
	return u.Redacted()
}
