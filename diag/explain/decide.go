package explain

import (
	"net"
	"strconv"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// asciiLower lowers A-Z only, so byte offsets in the result match the input
// (strings.ToLower may change the length of some non-ASCII runes).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// bodyRules are answers from the upstream whose wording is more specific
// than their status code. Checked first.
var bodyRules = []struct {
	cause string
	words []string
}{
	{diag.CauseProxyUnsupported, []string{"unsupported proxy scheme", "missing dependencies for socks support", "'socksio' package is not installed"}},
	// Envoy's 503 body: its nested "Connection refused" is the provider's backend.
	{diag.CauseUnavailable, append([]string{"the service is temporarily unavailable"}, envoyWords...)},
	{diag.CauseRegionBlocked, diag.RegionMarkers},
	{diag.CauseQuota, diag.QuotaMarkers},
	{diag.CauseHTML, []string{"invalid character '<'", "<!doctype html", "<html", "just a moment...", "attention required! | cloudflare", "unexpected token '<'", "looking for beginning of value"}},
	{diag.CauseNotFound, []string{"invalid url (", "unknown_url"}},
	{diag.CauseOverloaded529, []string{"overloaded_error", "overloaded"}},
	{diag.CauseHTTPProtocol, []string{"server sent goaway", "malformed http response", "malformed http status code", "transport connection broken", "http2: client connection lost", "stream error: stream id", "net/http: http/1.x transport"}},
	{diag.CauseRegionBlocked, []string{"you have been blocked"}},
	{diag.CauseRateLimited, []string{"rate_limit_exceeded", "rate limit reached", "too many requests", "upstream load saturated", "resource_exhausted", "rate_limit_error",
		"负载已饱和", "no deployments available", "no healthy deployment"}},
	{diag.CauseUnauthorized, []string{"invalid_api_key", "incorrect api key provided", "invalid x-api-key", "authentication_error", "api key not valid", "api_key_invalid", "invalid authentication", "无效的令牌",
		"didn't provide an api key", "provide your api key", "authorization was missing", "authorization header missing", "未提供令牌", "not authorized to use this api key"}},
}

// decide picks the cause. Order matters: configuration and answer bodies,
// then the proxy (a refused proxy is a proxy fault, not a refused target),
// then TLS, DNS, the transport, HTTP status, and last the bare EOF/timeouts.
func (f *facts) decide() (cause, evidence, source string) {
	source = f.source()
	switch n := cloudflareCode(f.low); {
	case n == 1015:
		return diag.CauseRateLimited, f.evidence("1015"), source
	case n != 0:
		return diag.CauseRegionBlocked, f.evidence(strconv.Itoa(n)), source
	}
	for _, r := range bodyRules {
		if w, ok := f.has(r.words...); ok {
			if r.cause == diag.CauseUnauthorized && f.status == 403 {
				return diag.CauseForbidden, f.evidence(asciiLower(w)), source
			}
			if r.cause == diag.CauseHTML && f.status >= 500 {
				continue // a gateway's error page: its status says more
			}
			if r.cause == diag.CauseOverloaded529 && w == "overloaded" && f.status != 0 && f.status != 529 {
				continue // "503 … the engine is overloaded": the status says which
			}
			return r.cause, f.evidence(asciiLower(w)), source
		}
	}
	for _, step := range []func() (string, string){f.chromiumCause, f.proxyCause, f.tlsCause, f.dnsCause, f.curlCause, f.transportCause} {
		if c, ev := step(); c != "" {
			return c, ev, source
		}
	}
	if f.status != 0 {
		return statusCause(f.status), f.evidence(strconv.Itoa(f.status)), source
	}
	if w, ok := f.has("awaiting headers", "timeout awaiting response headers", "client.timeout exceeded", "context deadline exceeded"); ok {
		return diag.CauseNoResponse, f.evidence(asciiLower(w)), source
	}
	if k, w := f.kind(f.low); k == kEOF {
		if f.phase == phaseTLS || w != "unexpected eof" && w != "empty reply from server" && f.phase != phaseHTTP && (f.port == "443" || strings.HasPrefix(asciiLower(f.url), "https:")) {
			return diag.CauseTLSEOF, f.evidence(w), source // Go returns a handshake the peer cut as a bare EOF
		}
		return diag.CauseHTTPEOF, f.evidence(w), source
	} else if k == kTimeout {
		return diag.CauseNoResponse, f.evidence(w), source
	}
	if f.phase == phaseConnect && f.loopbackTarget() {
		// "Cannot connect to host localhost:11434" with no reason: nothing listens.
		return diag.CauseLocalRefused, f.evidence("connect"), source
	}
	return CauseUnrecognized, "", source
}

func (f *facts) source() string {
	switch {
	case strings.Contains(f.low, "curl: ("):
		return "curl"
	case strings.Contains(f.low, "通道「") || strings.Contains(f.low, "do request failed") || strings.Contains(f.low, "bad response status code") || strings.Contains(f.low, "relay error"):
		return "new-api"
	case strings.Contains(f.low, "connectex") || strings.Contains(f.low, "wsarecv") || strings.Contains(f.low, "wsasend") || strings.Contains(f.low, "getaddrinfow") ||
		strings.Contains(f.low, "由于") || strings.Contains(f.low, "連線") || strings.Contains(f.low, "target machine") || strings.Contains(f.low, "remote host") || strings.Contains(f.low, "socket operation") ||
		strings.Contains(f.low, "wsae") || strings.Contains(f.low, "套接字"):
		return "windows"
	case strings.Contains(f.low, "dial tcp") || strings.Contains(f.low, "lookup ") || strings.Contains(f.low, "x509:") || strings.Contains(f.low, "tls:") || strings.Contains(f.low, "proxyconnect"):
		return "go"
	case f.status != 0:
		return "http"
	}
	return ""
}

// Go's transport reports a CONNECT answered non-200 as the bare status text
// after the URL: `Post "https://…": Proxy Authentication Required`.
var connectTexts = []struct{ text, cause string }{
	{"proxy authentication required", diag.CauseProxyAuthRequired},
	{"unauthorized", diag.CauseProxyAuthRequired}, // tinyproxy: a wrong password
	{"forbidden", diag.CauseProxyForbidden},
	{"bad gateway", diag.CauseProxyBadGateway},
	{"gateway timeout", diag.CauseProxyGatewayTimeout},
	{"service unavailable", diag.CauseProxyStatus},
	{"method not allowed", diag.CauseProxyStatus},
	{"unknown status code", diag.CauseProxyStatus},
}

func goConnectStatus(low string) (string, string) {
	t := strings.TrimRight(low, " \t\r\n")
	for _, c := range connectTexts {
		if strings.HasSuffix(t, `": `+c.text) {
			return c.cause, c.text
		}
	}
	return "", ""
}

// chromiumCodes are Chromium's net errors, as the Electron desktop app and
// browsers show them (net_error_list.h).
var chromiumCodes = []struct{ code, cause string }{
	{"err_proxy_connection_failed", diag.CauseProxyRefused},
	{"err_tunnel_connection_failed", diag.CauseProxyStatus},
	{"err_proxy_auth_unsupported", diag.CauseProxyAuthRequired},
	{"err_name_not_resolved", diag.CauseNXDOMAIN},
	{"err_name_resolution_failed", diag.CauseSERVFAIL},
	{"err_connection_refused", diag.CauseConnRefused},
	{"err_connection_timed_out", diag.CauseSYNTimeout},
	{"err_connection_reset", diag.CauseTLSReset},
	{"err_connection_closed", diag.CauseHTTPEOF},
	{"err_empty_response", diag.CauseHTTPEOF},
	{"err_address_unreachable", diag.CauseHostUnreachable},
	{"err_network_access_denied", diag.CauseLocalFirewall},
	{"err_internet_disconnected", diag.CauseNoNetwork},
	{"err_cert_authority_invalid", diag.CauseTLSUntrusted},
	{"err_cert_common_name_invalid", diag.CauseTLSHostname},
	{"err_cert_date_invalid", diag.CauseTLSExpired},
	{"err_ssl_protocol_error", diag.CauseTLSOther},
	{"err_timed_out", diag.CauseNoResponse},
}

func (f *facts) chromiumCause() (string, string) {
	if !strings.Contains(f.low, "err_") {
		return "", ""
	}
	for _, c := range chromiumCodes {
		if strings.Contains(f.low, c.code) {
			if c.cause == diag.CauseConnRefused && f.loopbackTarget() {
				return diag.CauseLocalRefused, f.evidence(c.code)
			}
			return c.cause, f.evidence(c.code)
		}
	}
	return "", ""
}

// proxyCause handles text that says the proxy, not the target, failed.
func (f *facts) proxyCause() (string, string) {
	// curl: CONNECT answered with a status; (97) proxy handshake; (5) proxy name.
	if strings.Contains(f.low, "tunnel failed") {
		if m := f.find(reCONNECT); m != nil {
			return connectStatusCause(f.status), m[0]
		}
	}
	if code, ok := f.curlCode(); ok {
		switch code {
		case 5:
			return diag.CauseProxyDNS, f.evidence("could not resolve proxy")
		case 97:
			if _, ok := f.has("auth"); ok {
				return diag.CauseSOCKSAuth, f.evidence("curl: (97)")
			}
			return diag.CauseProxyProtocol, f.evidence("curl: (97)")
		}
	}
	// Go: a CONNECT answered non-200 comes back as the bare status text.
	if c, ev := goConnectStatus(f.low); c != "" {
		return c, ev
	}
	if f.proxyWorded && f.status != 0 {
		return connectStatusCause(f.status), f.evidence(strconv.Itoa(f.status))
	}
	switch f.proxyCtx {
	case "socks":
		tail := f.socksTail
		switch {
		case strings.Contains(tail, "username/password authentication failed") || strings.Contains(tail, "authentication failed"):
			return diag.CauseSOCKSAuth, f.evidence("authentication failed")
		case strings.Contains(tail, "no acceptable authentication methods"):
			return diag.CauseSOCKSNoMethod, f.evidence("no acceptable authentication methods")
		case strings.Contains(tail, "connection not allowed by ruleset"):
			return diag.CauseSOCKSNotAllowed, f.evidence("connection not allowed by ruleset")
		case strings.Contains(tail, "unknown error connection refused"):
			return diag.CauseSOCKSRefused, f.evidence("unknown error connection refused")
		case strings.Contains(tail, "unknown error host unreachable") || strings.Contains(tail, "unknown error network unreachable") || strings.Contains(tail, "ttl expired"):
			return diag.CauseSOCKSUnreachable, f.evidence("unknown error")
		case strings.Contains(tail, "general socks server failure") || strings.Contains(tail, "request rejected or failed"):
			return diag.CauseSOCKSFailure, f.evidence("general socks server failure")
		case strings.Contains(tail, "unexpected protocol version") || strings.Contains(tail, "command not supported") || strings.Contains(tail, "address type not supported"):
			return diag.CauseProxyProtocol, f.evidence(strings.TrimSpace(tail))
		}
		return f.proxyTransport(tail)
	case "http":
		i := strings.Index(f.low, "proxyconnect tcp:")
		if i < 0 {
			i = 0
		}
		return f.proxyTransport(f.low[i:])
	}
	return "", ""
}

// proxyTransport maps a transport failure reaching the proxy.
func (f *facts) proxyTransport(tail string) (string, string) {
	if strings.Contains(tail, "x509:") || strings.Contains(tail, "tls:") {
		return diag.CauseProxyTLS, f.evidence("proxyconnect")
	}
	if strings.Contains(tail, "lookup ") || strings.Contains(tail, "no such host") || strings.Contains(tail, "getaddrinfo") || strings.Contains(tail, "name or service not known") ||
		strings.Contains(tail, "name resolution") {
		return diag.CauseProxyDNS, f.evidence("lookup")
	}
	k, w := f.kind(tail)
	switch k {
	case kRefused:
		return diag.CauseProxyRefused, f.evidence(w)
	case kTimeout:
		return diag.CauseProxyTimeout, f.evidence(w)
	case kHostUnreach, kNetUnreach, kAccess, kNetDown:
		return diag.CauseProxyUnreachable, f.evidence(w)
	case kReset:
		return diag.CauseProxyReset, f.evidence(w)
	case kEOF:
		return diag.CauseProxyProtocol, f.evidence(w)
	}
	if f.proxyCtx != "" {
		return diag.CauseProxyOther, f.evidence("proxy")
	}
	return "", ""
}

func (f *facts) tlsCause() (string, string) {
	type rule struct {
		cause string
		words []string
	}
	for _, r := range []rule{
		{diag.CauseTLSUntrusted, []string{"certificate signed by unknown authority", "unable to get local issuer certificate", "unable to verify the first certificate",
			"unable_to_verify_leaf_signature", "self_signed_cert_in_chain", "pkix path building failed", "self-signed certificate", "self signed certificate", "certificate verify failed", "证书链是由不受信任的颁发机构颁发的", "not trusted"}},
		{diag.CauseTLSHostname, []string{"certificate is valid for", "does not match certificate's altnames", "err_tls_cert_altname_invalid", "legacy common name field", "certificate is not valid for any names", "no alternative certificate subject name", "doesn't contain any ip sans", "principal name does not match", "证书中的主机名不匹配"}},
		{diag.CauseTLSNotYet, []string{"certificate is not yet valid", "is before"}},
		{diag.CauseTLSExpired, []string{"certificate has expired", "certificate is expired", "is after", "cert_date_invalid"}},
		{diag.CauseTLSNotTLS, []string{"first record does not look like a tls handshake", "wrong version number", "http request to an https server", "server gave http response to https client"}},
		{diag.CauseTLSTimeout, []string{"tls handshake timeout"}},
		{diag.CauseTLSEOF, []string{"eof occurred in violation of protocol", "unexpected_eof_while_reading", "unexpected eof while reading"}},
		{diag.CauseTLSReset, []string{"pr_connect_reset_error", "pr connect reset error"}},
		{diag.CauseTLSAlert, []string{"remote error: tls:", "tlsv1 alert", "sslv3 alert", "handshake failure", "protocol version"}},
	} {
		if w, ok := f.has(r.words...); ok {
			if r.cause == diag.CauseTLSExpired || r.cause == diag.CauseTLSNotYet {
				if (w == "is after" || w == "is before") && !strings.Contains(f.low, "x509") {
					continue
				}
			}
			return r.cause, f.evidence(asciiLower(w))
		}
	}
	// A reset or EOF in a TLS handshake: the SNI-filter signature.
	// Go's and curl's handshake words, or another stack's TLS wording
	// (which says only the kind).
	goTLS := strings.Contains(f.low, "tls handshake") || strings.Contains(f.low, "ssl_connect") || strings.Contains(f.low, "ssl_error_syscall") || strings.Contains(f.low, "curl: (35)")
	if goTLS || f.phase == phaseTLS {
		switch k, w := f.kind(f.low); k {
		case kReset:
			return diag.CauseTLSReset, f.evidence(w)
		case kEOF:
			return diag.CauseTLSEOF, f.evidence(w)
		case kTimeout:
			return diag.CauseTLSTimeout, f.evidence(w)
		}
	}
	if goTLS {
		if w, ok := f.has("ssl_error_syscall"); ok {
			return diag.CauseTLSReset, f.evidence(asciiLower(w))
		}
		return diag.CauseTLSOther, f.evidence("tls")
	}
	if w, ok := f.has("x509:", "tls: ", "the ssl connection could not be established"); ok {
		return diag.CauseTLSOther, f.evidence(asciiLower(w))
	}
	return "", ""
}

func (f *facts) dnsCause() (string, string) {
	notFound := []string{"no such host", "could not resolve host", "unknownhostexception", "failed host lookup", "name or service not known", "nodename nor servname provided", "no address associated with hostname",
		"no such host is known", "不知道这样的主机", "name_not_resolved", "temporary failure in name resolution", "getaddrinfo enotfound", "wsahost_not_found"}
	if _, ok := f.has("could not resolve host", "getaddrinfo", "unknownhostexception", "no data of the requested type", "failed host lookup", "请求的名称有效", "不知道这样的主机", "no such host is known", "name resolution", "name or service not known",
		"nodename nor servname", "dns error", "failed to lookup address", "eai_again", "clientconnectordnserror", "no address associated with hostname"); f.dnsCtx || ok {
		low := f.low
		if i := strings.Index(low, "lookup "); i >= 0 {
			low = low[i:]
		}
		switch {
		case strings.Contains(low, "server misbehaving") || strings.Contains(low, "this is usually a temporary error") || containsNumber(low, "11002") || strings.Contains(low, "eai_again"):
			return diag.CauseSERVFAIL, f.evidence(firstOf(low, "server misbehaving", "this is usually a temporary error", "11002", "eai_again"))
		case strings.Contains(low, "temporary failure in name resolution"):
			return diag.CauseDNSTimeout, f.evidence("temporary failure in name resolution")
		}
		for _, w := range notFound {
			if strings.Contains(low, w) {
				return diag.CauseNXDOMAIN, f.evidence(w)
			}
		}
		if containsNumber(low, "11001") {
			return diag.CauseNXDOMAIN, f.evidence("11001")
		}
		k, w := f.kind(low)
		switch k {
		case kTimeout:
			return diag.CauseDNSTimeout, f.evidence(w)
		case kRefused, kHostUnreach, kNetUnreach:
			return diag.CauseDNSUnreachble, f.evidence(w)
		}
		if strings.Contains(low, "no answer") || strings.Contains(low, "no ip addresses") || strings.Contains(low, "请求的名称有效") ||
			strings.Contains(low, "no data of the requested type") || containsNumber(low, "11004") {
			return diag.CauseDNSNoAnswer, f.evidence("no")
		}
		if f.dnsCtx {
			return diag.CauseDNSOther, f.evidence("lookup ")
		}
	}
	return "", ""
}

func firstOf(s string, words ...string) string {
	for _, w := range words {
		if strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

func (f *facts) curlCode() (int, bool) {
	if !strings.Contains(f.low, "curl: (") {
		return 0, false
	}
	m := f.find(reCurlCode)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

// curlCause reads curl's exit codes where the wording alone is ambiguous.
func (f *facts) curlCause() (string, string) {
	code, ok := f.curlCode()
	if !ok {
		return "", ""
	}
	ev := "curl: (" + strconv.Itoa(code) + ")"
	switch code {
	case 6:
		return diag.CauseNXDOMAIN, f.evidence(ev)
	case 7:
		k, w := f.kind(f.low)
		switch k {
		case kTimeout:
			return diag.CauseSYNTimeout, f.evidence(w)
		case kHostUnreach:
			return diag.CauseHostUnreachable, f.evidence(w)
		case kNetUnreach:
			return diag.CauseNetUnreachable, f.evidence(w)
		}
		if f.loopbackTarget() {
			return diag.CauseLocalRefused, f.evidence(ev)
		}
		return diag.CauseConnRefused, f.evidence(ev)
	case 28:
		switch {
		case strings.Contains(f.low, "resolving timed out"):
			return diag.CauseDNSTimeout, f.evidence("resolving timed out")
		case strings.Contains(f.low, "connection timed out") || strings.Contains(f.low, "failed to connect"):
			return diag.CauseSYNTimeout, f.evidence("timed out")
		case strings.Contains(f.low, "ssl connection timeout"):
			return diag.CauseTLSTimeout, f.evidence("ssl connection timeout")
		}
		return diag.CauseNoResponse, f.evidence(ev)
	case 35:
		return diag.CauseTLSOther, f.evidence(ev)
	case 51, 60:
		return diag.CauseTLSUntrusted, f.evidence(ev)
	case 52:
		return diag.CauseHTTPEOF, f.evidence(ev)
	case 56:
		if k, w := f.kind(f.low); k == kReset {
			return diag.CauseHTTPReset, f.evidence(w)
		}
		return diag.CauseHTTPReset, f.evidence(ev)
	case 22:
		if f.status != 0 {
			return statusCause(f.status), f.evidence(ev)
		}
	}
	return "", ""
}

// transportCause maps the errno-like kinds of a direct connection.
func (f *facts) transportCause() (string, string) {
	k, w := f.kind(f.low)
	switch k {
	case kRefused:
		if f.loopbackTarget() {
			return diag.CauseLocalRefused, f.evidence(w)
		}
		return diag.CauseConnRefused, f.evidence(w)
	case kAccess:
		return diag.CauseLocalFirewall, f.evidence(w)
	case kHostUnreach:
		return diag.CauseHostUnreachable, f.evidence(w)
	case kNetUnreach:
		return diag.CauseNetUnreachable, f.evidence(w)
	case kNetDown:
		return diag.CauseNoNetwork, f.evidence(w)
	case kReset:
		switch {
		case strings.Contains(f.low, "connect: connection reset") || strings.Contains(f.low, "connectex"):
			return diag.CauseConnResetConnect, f.evidence(w)
		case f.phase == phaseTLS:
			return diag.CauseTLSReset, f.evidence(w)
		case f.status != 0 || f.phase == phaseHTTP:
			return diag.CauseHTTPReset, f.evidence(w)
		case strings.Contains(f.low, "broken pipe") || strings.Contains(f.low, "write: ") || strings.Contains(f.low, "wsasend"):
			return diag.CauseHTTPReset, f.evidence(w)
		case strings.HasPrefix(asciiLower(f.url), "http:") || f.port == "80":
			return diag.CauseHTTPReset, f.evidence(w) // no TLS on the way: the request was under way
		}
		// A bare reset is a connection fault, not the exchange's (issue 10):
		// on a fresh TLS connection it is the SNI-filter signature, and
		// `newapi-doctor tls` tells it from a reset during the request.
		return diag.CauseTLSReset, f.evidence(w)
	case kTimeout:
		switch {
		case strings.Contains(f.low, "awaiting headers") || strings.Contains(f.low, "client.timeout") || strings.Contains(f.low, "context deadline exceeded") && !strings.Contains(f.low, "dial"):
			return diag.CauseNoResponse, f.evidence(w)
		case f.phase == phaseConnect || strings.Contains(f.low, "dial tcp") || strings.Contains(f.low, "connectex") || strings.Contains(f.low, "connect etimedout") || strings.Contains(f.low, "connection attempt failed") || strings.Contains(f.low, "连接尝试失败") || strings.Contains(f.low, "連線嘗試失敗") || containsNumber(f.low, "10060"):
			return diag.CauseSYNTimeout, f.evidence(w)
		case f.status == 0 && (strings.Contains(f.low, "read tcp") || strings.Contains(f.low, "wsarecv")):
			return diag.CauseNoResponse, f.evidence(w)
		}
	}
	return "", ""
}

// statusCause maps an HTTP status from an upstream answer.
func statusCause(s int) string {
	switch {
	case s == 401:
		return diag.CauseUnauthorized
	case s == 403:
		return diag.CauseForbidden
	case s == 404:
		return diag.CauseNotFound
	case s == 407: // said only by proxies
		return diag.CauseProxyAuthRequired
	case s == 429:
		return diag.CauseRateLimited
	case s == 502:
		return diag.CauseBadGateway
	case s == 503:
		return diag.CauseUnavailable
	case s == 504 || s == 524:
		return diag.CauseGatewayTO
	case s == 529:
		return diag.CauseOverloaded529
	case s >= 500:
		return diag.CauseServerError
	}
	return diag.CauseHTTPStatus
}

func connectStatusCause(s int) string {
	switch s {
	case 407, 401: // tinyproxy answers a wrong password with 401
		return diag.CauseProxyAuthRequired
	case 403:
		return diag.CauseProxyForbidden
	case 502:
		return diag.CauseProxyBadGateway
	case 504:
		return diag.CauseProxyGatewayTimeout
	}
	return diag.CauseProxyStatus
}

func isProxyCause(c string) bool {
	return strings.HasPrefix(c, "proxy-") || strings.HasPrefix(c, "socks-")
}

// layerOf places a cause on the layer that failed.
func layerOf(c string) diag.Layer {
	switch c {
	case diag.CauseProxyBadURL, diag.CauseProxyUnsupported, diag.CauseBadURL:
		return diag.LayerConfig
	case diag.CauseProxyDNS:
		return diag.LayerProxyDNS
	case diag.CauseProxyRefused, diag.CauseProxyTimeout, diag.CauseProxyUnreachable, diag.CauseProxyReset:
		return diag.LayerProxyTCP
	case diag.CauseProxyTLS:
		return diag.LayerProxyTLS
	case diag.CauseTLSReset, diag.CauseTLSEOF, diag.CauseTLSTimeout:
		return diag.LayerTLS
	case diag.CauseConnRefused, diag.CauseLocalRefused, diag.CauseConnResetConnect, diag.CauseSYNTimeout, diag.CauseLocalFirewall,
		diag.CauseNetUnreachable, diag.CauseHostUnreachable, diag.CauseNoNetwork, diag.CauseAdminProhib:
		return diag.LayerTCP
	}
	if isProxyCause(c) {
		return diag.LayerProxyConnect
	}
	switch diag.CategoryOf(c) {
	case diag.CatDNS:
		return diag.LayerDNS
	case diag.CatTLS:
		return diag.LayerTLS
	}
	return diag.LayerHTTP
}

func joinHP(h, p string) string {
	if h == "" {
		return ""
	}
	if p == "" {
		return h
	}
	return net.JoinHostPort(h, p)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// probeFor names the command that would confirm the diagnosis.
func probeFor(r Result, f facts) string {
	hp := joinHP(r.Host, r.Port)
	target := f.url
	if target == "" && f.host != "" {
		target = "https://" + joinHP(f.host, f.port)
	}
	if isProxyCause(r.Cause) || r.Layer == diag.LayerConfig && f.proxyHost != "" {
		if r.Proxy != "" {
			if target != "" {
				return "newapi-doctor proxy " + r.Proxy + " --target " + target
			}
			return "newapi-doctor proxy " + r.Proxy
		}
		return "newapi-doctor proxy"
	}
	switch r.Layer {
	case diag.LayerDNS:
		if r.Host != "" {
			return "newapi-doctor dns " + r.Host
		}
	case diag.LayerTCP:
		if hp != "" && r.Port != "" {
			return "newapi-doctor tcp " + hp
		}
	case diag.LayerTLS:
		if r.Host != "" {
			return "newapi-doctor tls " + joinHP(r.Host, orDefault(r.Port, "443"))
		}
	}
	if target != "" {
		return "newapi-doctor http " + target
	}
	return "newapi-doctor check"
}
