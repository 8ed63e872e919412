package diag

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// Issue 11 items 5-7 need no extra probe: the answer the chain already has
// says who spoke. A stalled body, a redirect to another host, a proxy's
// own page, a Cloudflare challenge, and the proxy's error answer (squid's
// X-Squid-Error, tinyproxy's page) are read here into a look-alike, which
// the one table (classify.go) reads like a differential's. It costs nothing:
// no endpoint waits for it.

// observeMiddle reads the evidence for what answered. target is the URL
// probed (nil when planning failed), proxy the effective proxy (nil direct).
func observeMiddle(ev *Evidence, target, proxy *url.URL) (Lookalike, string) {
	switch ev.Layer {
	case LayerProxyConnect:
		var ce *probe.ConnectError
		if errors.As(ev.Err, &ce) {
			return proxySaid(ce)
		}
	case LayerHTTP:
		if h := ev.HTTP; h != nil && h.Err == nil {
			return answerFromMiddle(h, target, proxy)
		}
	}
	return LookNone, ""
}

// Squid names its error in X-Squid-Error ("ERR_CONNECT_FAIL 111": the
// errno follows); tinyproxy and others only in their page's words.
var (
	squidDNS     = []string{"ERR_DNS_FAIL"}
	squidRefused = []string{"ERR_CONNECT_FAIL 111", "ERR_CONNECT_FAIL 61", "ERR_CONNECT_FAIL 10061"}
	squidTimeout = []string{"ERR_CONNECT_FAIL 110", "ERR_CONNECT_FAIL 60", "ERR_CONNECT_FAIL 10060", "ERR_CONNECT_TIMEOUT", "ERR_READ_TIMEOUT", "ERR_LIFETIME_EXP"}
	// Page words (lower case) of tinyproxy, privoxy, nginx/envoy-style
	// proxies and squid's own page text when the header is stripped.
	pageDNS     = []string{"unable to determine ip address", "could not resolve", "name or service not known", "temporary failure in name resolution", "no address associated", "dns lookup failed", "unknown host", "nodename nor servname"}
	pageRefused = []string{"connection refused", "(111)"}
	pageTimeout = []string{"connection timed out", "operation timed out", "(110)", "timed out while connecting", "gateway timeout"}
)

// proxySaid reads a proxy's refusal of CONNECT for the target's own fault.
func proxySaid(ce *probe.ConnectError) (Lookalike, string) {
	if xe := ce.Header.Get("X-Squid-Error"); xe != "" {
		if l := squidErrorSays(xe); l != LookNone {
			return l, "X-Squid-Error: " + xe
		}
	}
	if ce.StatusCode < 500 {
		return LookNone, "" // 4xx is about the client (auth, ACL), not the target
	}
	low := strings.ToLower(pageText(ce.Body))
	if l, w := ProxyPageSays(low); l != LookNone {
		return l, fmt.Sprintf("the proxy's %d page says %q", ce.StatusCode, excerpt(low, w))
	}
	return LookNone, ""
}

// ProxyPageSays reads a proxy's error page (its text in lower case) for
// the target's own fault, and returns the words that said it. check reads
// the page the proxy sent; explain reads the same page pasted.
func ProxyPageSays(low string) (Lookalike, string) {
	const header = "x-squid-error: " // the response's headers pasted with it (curl -i)
	if i := strings.Index(low, header); i >= 0 {
		v := low[i+len(header):]
		v = v[:min(len(v), squidCodeMax)] // only the code is read, not the rest of the paste
		if l := squidErrorSays(strings.ToUpper(v)); l != LookNone {
			return l, header
		}
	}
	for _, c := range []struct {
		words []string
		look  Lookalike
	}{{pageDNS, LookProxyTargetDNS}, {pageRefused, LookProxyTargetRefused}, {pageTimeout, LookProxyTargetTimeout}} {
		for _, w := range c.words {
			if strings.Contains(low, w) {
				return c.look, w
			}
		}
	}
	return LookNone, ""
}

// squidCodeMax bounds the X-Squid-Error value read: its longest code above
// ("ERR_CONNECT_FAIL 10061") is 22 bytes.
const squidCodeMax = 32

// squidErrorSays reads squid's X-Squid-Error value for the target's fault.
func squidErrorSays(xe string) Lookalike {
	switch {
	case hasPrefixAny(xe, squidDNS):
		return LookProxyTargetDNS
	case hasPrefixAny(xe, squidRefused):
		return LookProxyTargetRefused
	case hasPrefixAny(xe, squidTimeout):
		return LookProxyTargetTimeout
	}
	return LookNone
}

func hasPrefixAny(s string, ps []string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// answerFromMiddle reads an HTTP answer for a speaker other than the upstream.
func answerFromMiddle(h *probe.HTTPResult, target, proxy *url.URL) (Lookalike, string) {
	if st := h.BodyStall; st != nil {
		e := fmt.Sprintf("HTTP %d headers after %.0f ms, then %d body bytes and nothing more", h.Status, ms(h.Timings.FirstByte), st.Got)
		if st.Idle > 0 {
			e += fmt.Sprintf(" for %.0f ms", ms(st.Idle))
		} else {
			e += " before the timeout"
		}
		return LookBodyStalled, e
	}
	low := strings.ToLower(string(h.Body))
	// Cloudflare's challenge: its header, its page, or a 403 page (not an
	// API's JSON) with cf-ray. A region block's words are the provider's:
	// they win (the table reads them first when no look-alike is set).
	if m := h.Header.Get("Cf-Mitigated"); strings.EqualFold(m, "challenge") {
		return LookBotWall, "cf-mitigated: " + m + cfRay(h)
	}
	if CloudflareChallengeIn(low) {
		return LookBotWall, fmt.Sprintf("HTTP %d, Cloudflare's \"Just a moment...\" challenge page%s", h.Status, cfRay(h))
	}
	if ProviderBotCheckIn(low) {
		return LookBotWall, fmt.Sprintf("HTTP %d, the provider's own \"unusual activity\" check", h.Status)
	}
	if h.Status == http.StatusForbidden && h.Header.Get("Cf-Ray") != "" && isHTML(h) && !BodyMarksOf(low).Provider() {
		return LookBotWall, fmt.Sprintf("HTTP 403 web page%s", cfRay(h))
	}
	if h.Status >= 300 && h.Status < 400 && h.Location != "" && target != nil {
		if lu, err := target.Parse(h.Location); err == nil && lu.Hostname() != "" && !sameSite(lu.Hostname(), target.Hostname()) {
			return LookCaptivePortal, fmt.Sprintf("HTTP %d to %s://%s (asked %s)", h.Status, lu.Scheme, lu.Host, target.Hostname())
		}
	}
	if proxy != nil && (proxy.Scheme == "http" || proxy.Scheme == "https") && h.Status == http.StatusOK && isHTML(h) {
		e := fmt.Sprintf("HTTP 200 text/html through %s", proxy.Host)
		if t := pageTitle(h.Body); t != "" {
			e += fmt.Sprintf(", titled %q", t)
		}
		if s := h.Server; s != "" {
			e += ", Server: " + s
		}
		return LookProxyBlockPage, e
	}
	return LookNone, ""
}

func cfRay(h *probe.HTTPResult) string {
	if r := h.Header.Get("Cf-Ray"); r != "" {
		return ", cf-ray " + r
	}
	return ""
}

// sameSite: a redirect within the provider's own domain (api.x.com to
// x.com, or to www.x.com) is the provider's, not a portal's.
func sameSite(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSuffix(a, ".")), strings.ToLower(strings.TrimSuffix(b, "."))
	if a == b {
		return true
	}
	return siteOf(a) == siteOf(b)
}

// siteOf is the last two labels, three when the second-level label is a
// generic one (com.cn, co.uk): near enough to a registrable domain here.
func siteOf(h string) string {
	labels := strings.Split(h, ".")
	n := 2
	if len(labels) >= 3 {
		switch labels[len(labels)-2] {
		case "com", "net", "org", "co", "gov", "edu", "ac":
			n = 3
		}
	}
	if len(labels) <= n {
		return h
	}
	return strings.Join(labels[len(labels)-n:], ".")
}

var (
	titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

func pageTitle(body []byte) string {
	if m := titleRE.FindSubmatch(body); m != nil {
		return truncate(strings.TrimSpace(spaceRE.ReplaceAllString(string(m[1]), " ")), 80)
	}
	return ""
}

// pageText is an error page's words without its markup.
func pageText(body []byte) string {
	return spaceRE.ReplaceAllString(tagRE.ReplaceAllString(string(bytes.TrimSpace(body)), " "), " ")
}

// excerpt quotes the words around w in low (at most ~80 bytes).
func excerpt(low, w string) string {
	i := strings.Index(low, w)
	if i < 0 {
		return w
	}
	s, e := max(0, i-30), min(len(low), i+len(w)+30)
	for s > 0 && low[s-1] != ' ' && i-s < 40 {
		s--
	}
	for s < i && !utf8.RuneStart(low[s]) { // a Chinese or accented page: start on a whole character
		s++
	}
	return strings.TrimSpace(truncate(low[s:], e-s))
}

// ProviderBotCheckIn reports a provider's own bot check refusing the client
// (OpenAI's "Our systems have detected unusual activity from your
// device/system"): a wall like Cloudflare's, raised by the egress IP's
// reputation, whatever status it came with.
func ProviderBotCheckIn(low string) bool {
	return strings.Contains(low, "detected unusual activity")
}

// CloudflareChallengeIn reports Cloudflare's "Just a moment..." challenge page
// in lower-cased text: check reads it in an answer's body, explain in a
// pasted one, so both name the bot wall.
func CloudflareChallengeIn(low string) bool {
	return strings.Contains(low, "<title>just a moment...</title>") || strings.Contains(low, "challenge-platform") || strings.Contains(low, "cf-mitigated: challenge") ||
		// a client's own words for it ("Please pass the Cloudflare check at chat.openai.com")
		strings.Contains(low, "pass cloudflare check") || strings.Contains(low, "pass the cloudflare check")
}
