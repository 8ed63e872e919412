package explain

import (
	"net"
	"net/url"
	"regexp"
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

// Reading text into a diag.Signal. Each step below reads one kind of text
// (a provider's words, a browser's code, a proxy's, TLS's, DNS's, curl's,
// the socket's) into what it observed; diag's table then names the cause.
// A step returns a signal without a layer when the text is not its kind.

// markWords: the body marks in the order their words decide the evidence
// (and whether a transport's protocol complaint outranks them).
var markWords = []struct {
	mark  diag.BodyMarks
	words *[]string
}{
	{diag.BodyRegion, &diag.RegionMarkers}, {diag.BodyQuota, &diag.QuotaMarkers}, {diag.BodyRegion, &blockedWords}, {diag.BodyHTML, &diag.HTMLMarkers},
	{diag.BodyOverloaded, &diag.OverloadedMarkers}, {0, &protocolWords}, {diag.BodyRateLimit, &diag.RateLimitMarkers},
	{diag.BodyAuth, &diag.AuthMarkers},
}

// statusWords say what the status is, whatever else the text holds.
var statusWords = []struct {
	status int
	words  []string
}{
	// new-api/one-api: no enabled channel serves the model in the group (its 503).
	// nginx's stock 50x page says the backend behind it is not answering.
	{503, append([]string{"the service is temporarily unavailable", "无可用渠道", "no available channel", "no healthy provider",
		// Hugging Face's cold model: {"error": "Model x is currently loading", "estimated_time": 20}
		"is currently loading", "the page you are looking for is temporarily unavailable", "get_channel_failed"}, envoyWords...)},
	{404, []string{"invalid url (", "unknown_url", "model_not_found", "not_found_error", "does not exist or you do not have access", "don't have access to this model",
		"do not have access to this model", "model name is invalid", "deploymentnotfound", "deployment for this resource does not exist",
		// FastAPI's and Express's own 404s.
		`"detail":"not found"`, `"detail": "not found"`, "cannot post /", "cannot get /", "model not found", "unknown model", "unsupported model",
		"模型不存在", "模型未找到", "找不到模型", "接口地址错误", "不支持该模型", "不支持的模型", "模型暂不支持",
		// AWS's UnknownOperationException: the endpoint has no such API.
		"operation is not recognized by the service"}},
	// A request the model cannot take (too long): the provider's 400.
	{400, []string{"context_length_exceeded", "maximum context length", "model token limit", "prompt is too long",
		// pydantic's refusal of a field the provider does not take (a relay's strict schema).
		"extra inputs are not permitted"}},
	// OpenAI's body for its own 500.
	{500, []string{"the server had an error while processing your request"}},
}

// blockedWords: a site's firewall page (Cloudflare's "Sorry, you have been
// blocked"): the client's location or address is refused, as a region block.
var blockedWords = []string{"you have been blocked", "you are unable to access", "banned your access", "the site owner may have set restrictions", "<title>access denied</title>",
	// Bing's answer to a network it serves no chat to.
	"network settings are preventing access"}

// protocolWords: Go's transport saying the answer was not valid HTTP.
var protocolWords = []string{"error deserializing", "failed to deserialize", "server sent goaway", "goaway", "malformed http response", "malformed http status code", "transport connection broken",
	"http2: client connection lost", "stream error: stream id", "net/http: http/1.x transport",
	// Go's HTTP/2 client refusing a request it cannot send ("http2: invalid
	// Connection request header": a hop-by-hop header a relay forwarded).
	"http2: invalid",
	// An answer of another shape than the API's (a relay's error object),
	// or one new-api could not read.
	"json: cannot unmarshal", "read_response_body_failed", "bad_response_body", "stream_read_error", "stream read error",
	"json decode error", "jsondecodeerror", "unexpected end of json input", "is not valid json", "failed to parse json",
	// A stream cut, a body that would not decode, a browser refusing the answer's CORS headers.
	"error decoding response body", "blocked by cors policy", "不是 json", "不是json", "非json",
	// Node's HTTP parser on an answer that is not HTTP (another protocol, a broken proxy).
	"parse error: expected http/"}

// checkLayers are the layers `check` names when it prints "LAYER failed: …".
var checkLayers = []diag.Layer{diag.LayerConfig, diag.LayerProxyDNS, diag.LayerProxyTCP, diag.LayerProxyTLS, diag.LayerProxyConnect,
	diag.LayerDNS, diag.LayerTCP, diag.LayerTLS, diag.LayerHTTP}

// checkLayer reads the layer `check` names at the start of its message.
func checkLayer(low string) diag.Layer {
	for _, l := range checkLayers {
		if strings.HasPrefix(low, string(l)+" failed: ") {
			return l
		}
	}
	return ""
}

// decide reads the text into a signal. Order matters: configuration and
// answer bodies, then the proxy (a refused proxy is a proxy fault, not a
// refused target), then TLS, DNS, curl, the transport, an HTTP status, and
// last the bare EOF/timeouts.
func (f *facts) decide() (sig diag.Signal, evidence, source string) {
	source = f.source()
	f.layer = checkLayer(f.raw) // check writes "tcp failed: …" in lower case; OkHttp's "HTTP FAILED:" is not it
	sig, evidence = f.read()
	if f.layer != "" {
		// check named the layer: the words say what happened there.
		if sig.Layer != f.layer && f.layer == diag.LayerHTTP {
			sig = diag.Signal{Kind: sig.Kind, HTTPErr: true}
		} else if sig.Layer != f.layer {
			sig.HTTPErr, sig.HTTPStatus, sig.Body = false, 0, 0
		}
		sig.Layer = f.layer
		if evidence == "" {
			evidence = f.evidence(string(f.layer) + " failed")
		}
	}
	if strings.Contains(f.low, "reaches the upstream: new-api does not use the system proxy") {
		// check's "new-api connects directly and that fails (CATEGORY/CAUSE),
		// but the system proxy … reaches the upstream": new-api's own verdict
		// says where its path broke.
		sig.Layer, evidence = diag.LayerHTTP, f.evidence("new-api does not use the system proxy")
		if m := reOwnVerdict.FindStringSubmatch(f.low); m != nil && diag.Cause(m[1]).Layer() != "" {
			sig.Layer = diag.Cause(m[1]).Layer()
		}
	}
	if sig.Layer == "" {
		return sig, "", source
	}
	sig.KeySent = !strings.Contains(f.low, "(no key sent)")
	sig.Loopback = f.loopbackTarget()
	sig.ProxyInPath = f.proxyCtx != "" || sig.Layer == diag.LayerProxyConnect
	if localProxyFault(sig) && (sig.Loopback || firstOf(f.low, "proxy", "socks") != "") && f.proxyCtx == "" && proxyPorts[f.port] != "" && !f.urlNames(f.host) {
		// Nothing listens on a local proxy client's own port (Clash's 7890,
		// squid's 3128): the proxy is not running; or it took the
		// connection and never answered ("read tcp …->127.0.0.1:7890: i/o
		// timeout"). A remote address on such a port is the proxy too when
		// the text speaks of one ("Proxy { ip: 'x', port: 1080, protocol:
		// 'socks5' } … connect ETIMEDOUT x:1080"). Unless the request's own
		// URL is that address: then it is the target, as any local service.
		sig.Layer, sig.HTTPErr, sig.ProxyInPath = diag.LayerProxyTCP, false, true
		f.proxyHost, f.proxyPort, f.proxyScheme = f.host, f.port, "http"
		if f.url == "" {
			f.host, f.port = "", "" // the target is not in the text
		}
	}
	sig.NewAPI = strings.Contains(f.low, "(new-api ")
	sig.AdminProhibited = strings.Contains(f.low, "administratively prohibited")
	sig.IPv6Failed = strings.Contains(f.low, "(ipv6 failed")
	if l := diag.LookalikeIn(f.low); l != diag.LookNone || sig.Layer != diag.LayerProxyConnect {
		sig.Lookalike = l // check's own words; a proxy's page was read by proxySignal
	}
	if sig.Lookalike == diag.LookNone && sig.Layer == diag.LayerHTTP && (diag.CloudflareChallengeIn(f.low) || diag.ProviderBotCheckIn(f.low) || f.cloudflare403Page()) {
		sig.Lookalike = diag.LookBotWall // the page check would have read in the answer
	}
	sig.PortGuessed = strings.Contains(f.low, "(the port is a guess)")
	sig.SystemProxyWorks = strings.Contains(f.low, "reaches the upstream: new-api does not use the system proxy")
	return sig, evidence, source
}

func (f *facts) read() (diag.Signal, string) {
	if f.layer == diag.LayerConfig {
		return f.configSignal(), ""
	}
	// A proxy's own error page or headers (squid's "The system returned:
	// (111) Connection refused", its X-Squid-Error): the proxy is up, its
	// connection to the target failed, whatever status it answered with.
	if w, ok := f.has(proxyPageWords...); ok {
		if look, _ := diag.ProxyPageSays(f.low); look != diag.LookNone {
			return diag.Signal{Layer: diag.LayerProxyConnect, Lookalike: look}, f.evidence(w)
		}
		// Otherwise a status on the proxy's own page is the proxy's answer
		// (squid's 403 ERR_ACCESS_DENIED, its 407), and so is its page's
		// "Access Denied." without one.
		if f.status == 403 || f.status == 407 {
			return diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: f.status}, f.evidence(w)
		}
		if strings.Contains(f.low, "access denied") {
			return diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: 403}, f.evidence("access denied")
		}
		// Any other error page of the proxy's own ("error:invalid-request"):
		// the proxy answered, whatever it answered. (A "Server: squid" header
		// alone says no fault.)
		if f.status >= 400 || strings.Contains(f.low, "error") {
			return diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: f.status}, f.evidence(w)
		}
	}
	if m := reConnectAccess.FindStringSubmatch(f.low); m != nil {
		// A proxy's access log answering CONNECT (`"CONNECT h:443 HTTP/1.1"
		// 405 157`): nginx, which is no forward proxy, refuses it.
		if n, _ := strconv.Atoi(m[1]); n >= 300 {
			return diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: n}, f.evidence(m[0])
		}
	}
	if m := reSquidDenied.FindStringSubmatch(f.low); m != nil {
		// squid's access.log: "TCP_DENIED/403 4032 CONNECT host:443 -".
		n, _ := strconv.Atoi(m[1])
		return diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: n}, f.evidence(m[0])
	}
	// Cloudflare's 52x pages explain their status in words.
	for _, c := range cloudflareOriginWords {
		if w, ok := f.has(c.words...); ok {
			return diag.Signal{Layer: diag.LayerHTTP, HTTPStatus: c.status}, f.evidence(asciiLower(w))
		}
	}
	// Cloudflare's own 1xxx: its firewall refused the client (1015: a rate limit).
	if n := cloudflareCode(f.low); n != 0 {
		sig := f.answer()
		if n == 1015 {
			sig.Body |= diag.BodyRateLimit
		} else {
			sig.Body |= diag.BodyRegion
		}
		return sig, f.evidence(strconv.Itoa(n))
	}
	if w, ok := f.has("unsupported proxy scheme", "missing dependencies for socks support", "'socksio' package is not installed", "unknown scheme for proxy url"); ok {
		return diag.Signal{Layer: diag.LayerConfig, Config: diag.ConfigProxyScheme}, f.evidence(asciiLower(w))
	}
	if w, ok := f.has(badURLWords...); ok {
		return diag.Signal{Layer: diag.LayerConfig, Config: f.badURLConfig()}, f.evidence(asciiLower(w))
	}
	if w, ok := f.has(`badstatusline('\x05`, `badstatusline("\x05`, `badstatusline('\\x05`); ok {
		// Python's http.client reading a SOCKS5 greeting's reply (05 00) as
		// a status line: an http:// proxy URL on a SOCKS port.
		return diag.Signal{Layer: diag.LayerProxyConnect, Lookalike: diag.LookProxyWrongScheme}, f.evidence(w)
	}
	if w, ok := f.has("und_err_invalid_arg", "check proxy url"); ok {
		// A client refusing its own settings before any connect: undici's
		// InvalidArgumentError (a proxy URL without a port), openai-python
		// 0.x's "Please check proxy URL. It is malformed…".
		return diag.Signal{Layer: diag.LayerConfig, Config: f.badURLConfig()}, f.evidence(w)
	}
	if w, ok := f.has("unsupported protocol scheme"); ok && f.proxyCtx == "" {
		// Go's, for a base URL without http(s):// (`Get "localhost:11434":
		// unsupported protocol scheme "localhost"`); a proxy's is read below.
		return diag.Signal{Layer: diag.LayerConfig, Config: diag.ConfigBadURL}, f.evidence(w)
	}
	if w, ok := f.has("failed to connect to all addresses"); ok {
		// gRPC: no address took the connection (google-api-core calls it 503):
		// the words after it say how, a silent drop when they do not.
		switch k, kw := f.kind(f.low); k {
		case diag.KindRefused, diag.KindHostUnreach, diag.KindNetUnreach:
			return on(diag.LayerTCP, k), f.evidence(kw)
		}
		return on(diag.LayerTCP, diag.KindTimeout), f.evidence(w)
	}
	if strings.Contains(f.low, "https proxies") && strings.Contains(f.low, "not supported") {
		// aiohttp (openai-python 0.x): "HTTPS proxies https://… are not supported, ignoring".
		return diag.Signal{Layer: diag.LayerConfig, Config: diag.ConfigProxyScheme}, f.evidence("https proxies")
	}
	// Words that carry their status: Envoy's body is its own 503 (its nested
	// "Connection refused" is the provider's backend), OpenAI's unknown_url
	// is its 404.
	for _, sw := range statusWords {
		if f.status != 0 && f.status != sw.status && sw.status != 503 {
			continue // "403 … model_not_found": the status the text gives outranks the words
		}
		if w, ok := f.has(sw.words...); ok {
			sig := f.answer()
			sig.HTTPStatus = sw.status
			return sig, f.evidence(asciiLower(w))
		}
	}
	if f.status == 0 && (diag.CloudflareChallengeIn(f.low) || diag.ProviderBotCheckIn(f.low)) {
		// Cloudflare's challenge, named by a client: its 403, read as a bot wall.
		sig := f.answer()
		sig.HTTPStatus = 403
		return sig, f.evidence("cloudflare")
	}
	// axios names the answer's class: ERR_BAD_REQUEST is a 4xx, ERR_BAD_RESPONSE a 5xx.
	if w, ok := f.has("err_bad_request", "err_bad_response"); ok {
		return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true}, f.evidence(asciiLower(w))
	}
	// Cloudflare's own 52x page ("Connection timed out Error code 522",
	// "Error 522 Ray ID: …"): its words, its title among them, are the
	// edge's view of the origin, not this machine's connect.
	if f.status >= 520 && f.status <= 527 && firstOf(f.low, "error code", "cloudflare", "ray id") != "" {
		return f.answer(), f.evidence(strconv.Itoa(f.status))
	}
	for _, m := range markWords {
		if w, ok := f.has(*m.words...); ok {
			if m.mark == 0 {
				return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true}, f.evidence(asciiLower(w))
			}
			sig := f.answer()
			sig.Body |= m.mark // the words that matched say it, whether or not diag's markers do
			return sig, f.evidence(asciiLower(w))
		}
		if m.mark == diag.BodyOverloaded && (f.status == 0 || f.status == 529 || f.status == 500) {
			// A bare "Overloaded" is Anthropic's 529 (its SDK may report it as
			// a 500 api_error); "503 … the engine is overloaded" is the 503
			// its status says.
			if w, ok := f.has("overloaded"); ok {
				sig := f.answer()
				sig.HTTPStatus = 529
				return sig, f.evidence(asciiLower(w))
			}
		}
	}
	if w, ok := f.has("websocket: bad handshake"); ok {
		// gorilla/websocket: the server answered the upgrade with another status.
		return f.answer(), f.evidence(w)
	}
	if st, w := nginxUpstream(f.low); st != 0 {
		// nginx's error log about its backend: what it answered its client.
		sig := f.answer()
		sig.HTTPStatus = st
		return sig, f.evidence(w)
	}
	if w := f.keyRejected(); w != "" {
		sig := f.answer()
		sig.Body |= diag.BodyAuth
		return sig, f.evidence(w)
	}
	for _, step := range []func() (diag.Signal, string){f.chromiumSignal, f.appleSignal, f.proxySignal, f.tlsSignal, f.dnsSignal, f.curlSignal, f.transportSignal} {
		if sig, ev := step(); sig.Layer != "" {
			return sig, ev
		}
	}
	if f.status >= 200 && f.status < 300 {
		if w, ok := f.has("empty or malformed", "malformed response", "empty response", "invalid response"); ok {
			// "API returned an empty or malformed response (HTTP 200)": the
			// answer came, its body was no answer.
			return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindEOF}, f.evidence(w)
		}
	}
	if f.status != 0 {
		return f.answer(), f.evidence(strconv.Itoa(f.status))
	}
	// An SDK's exception named after the status (litellm's BadGatewayError,
	// openai's RateLimitError), when nothing above explains the text: its
	// InternalServerError also wraps certificate and connect failures.
	for _, e := range exceptionStatus {
		if wordAt(f.low, e.name) { // any occurrence that starts a word: "x.RateLimitError" after "myratelimiterror"
			sig := f.answer()
			sig.HTTPStatus = e.status
			return sig, f.evidence(e.name)
		}
	}
	if reModelRefused.MatchString(f.low) {
		// A relay's "你请求的模型 "x" 暂不支持": the model name between the words.
		sig := f.answer()
		sig.HTTPStatus = 404
		return sig, f.evidence("模型")
	}
	if w, ok := f.has("invalid_request_error"); ok {
		// OpenAI's and Anthropic's type for a request they refused (their
		// 400), when no word above said why.
		sig := f.answer()
		sig.HTTPStatus = 400
		return sig, f.evidence(w)
	}
	if w, ok := f.has("awaiting headers", "timeout awaiting response headers", "client.timeout exceeded", "context deadline exceeded",
		// Go's request given up by its context or client ("net/http: request
		// canceled", "context canceled"), frp's "i/o deadline reached".
		"request canceled", "context canceled", "deadline reached"); ok {
		return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindTimeout}, f.evidence(asciiLower(w))
	}
	switch k, w := f.kind(f.low); k {
	case diag.KindEOF:
		// A bare EOF on an https request is Go's report of a handshake the
		// peer cut (its transport returns the handshake's io.EOF as is).
		if f.phase == phaseTLS || w != "unexpected eof" && w != "empty reply from server" && f.phase != phaseHTTP && f.httpsTarget() {
			return diag.Signal{Layer: diag.LayerTLS, Kind: diag.KindEOF}, f.evidence(w)
		}
		return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindEOF}, f.evidence(w)
	case diag.KindTimeout:
		return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindTimeout}, f.evidence(w)
	}
	if f.phase == phaseConnect && f.loopbackTarget() {
		// "Cannot connect to host localhost:11434" with no reason: nothing listens.
		return on(diag.LayerTCP, diag.KindRefused), f.evidence("connect")
	}
	if w, ok := f.has(connectFailedWords...); ok {
		if f.loopbackTarget() {
			return on(diag.LayerTCP, diag.KindRefused), f.evidence(w) // a local service: nothing listens
		}
		// A connect that failed with no reason given (OkHttp, tinyproxy):
		// nothing answered the SYN is the usual case for a remote API.
		return on(diag.LayerTCP, diag.KindTimeout), f.evidence(w)
	}
	if w, ok := f.has("credentials validation failed"); ok {
		// Dify's check of a provider's answer, its status not given.
		return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true}, f.evidence(w)
	}
	if w, ok := f.has(weakAuthWords...); ok {
		// Said of a login, not of a key: only when nothing else explains the text.
		sig := f.answer()
		sig.Body |= diag.BodyAuth
		return sig, f.evidence(asciiLower(w))
	}
	return diag.Signal{}, ""
}

// answer is an HTTP answer: its status (0 when the text gives none) and
// what its body says.
func (f *facts) answer() diag.Signal {
	return diag.Signal{Layer: diag.LayerHTTP, HTTPStatus: f.status, Body: diag.BodyMarksOf(f.low)}
}

func (f *facts) httpsTarget() bool {
	return f.port == "443" || strings.HasPrefix(asciiLower(f.url), "https:") || strings.HasPrefix(asciiLower(f.url), "wss:")
}

// configSignal reads check's "config failed: …": its own error texts.
func (f *facts) configSignal() diag.Signal {
	sig := diag.Signal{Layer: diag.LayerConfig, Config: diag.ConfigBadURL}
	msg := strings.TrimPrefix(f.low, "config failed: ")
	switch {
	case strings.HasPrefix(msg, "endpoint "):
	case strings.Contains(msg, "unsupported proxy scheme") || strings.Contains(msg, "proxy scheme ") && strings.Contains(msg, "is not supported"):
		sig.Config = diag.ConfigProxyScheme
	case strings.HasPrefix(msg, "ca_file "):
		sig.Config = diag.ConfigCAFile
	case strings.Contains(msg, "proxy"):
		sig.Config = diag.ConfigProxyURL
	}
	return sig
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
	case checkLayer(f.low) != "" || strings.HasPrefix(f.low, "answered http "):
		return "newapi-doctor"
	case f.status != 0:
		return "http"
	}
	return ""
}

// Go's transport reports a CONNECT answered non-200 as the bare status text
// after the URL: `Post "https://…": Proxy Authentication Required`.
var connectTexts = []struct {
	text   string
	status int
}{
	{"proxy authentication required", 407},
	{"unauthorized", 401}, // tinyproxy: a wrong password
	{"forbidden", 403},
	{"bad gateway", 502},
	{"gateway timeout", 504},
	{"service unavailable", 503},
	{"method not allowed", 405},
	{"unknown status code", diag.ConnectStatusUnknown},
}

func goConnectStatus(low string) (int, string) {
	t := strings.TrimRight(low, " \t\r\n")
	for _, c := range connectTexts {
		if strings.HasSuffix(t, `": `+c.text) {
			return c.status, c.text
		}
	}
	return 0, ""
}

var (
	at = func(l diag.Layer) diag.Signal { return diag.Signal{Layer: l} }
	on = func(l diag.Layer, k diag.ErrKind) diag.Signal { return diag.Signal{Layer: l, Kind: k} }
)

// chromiumCodes are Chromium's net errors, as the Electron desktop app and
// browsers show them (net_error_list.h).
var chromiumCodes = []struct {
	code string
	sig  diag.Signal
}{
	{"err_proxy_connection_failed", on(diag.LayerProxyTCP, diag.KindRefused)},
	{"err_tunnel_connection_failed", diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: diag.ConnectStatusUnknown}},
	{"err_proxy_auth_unsupported", diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: 407}},
	// -336: no proxy in the list has a scheme Chromium can use (read without its
	// ERR_ prefix, which a retyped message may mangle).
	{"no_supported_proxies", diag.Signal{Layer: diag.LayerConfig, Config: diag.ConfigProxyScheme}},
	{"err_name_not_resolved", diag.Signal{Layer: diag.LayerDNS, NotFound: true}},
	{"err_name_resolution_failed", diag.Signal{Layer: diag.LayerDNS, Rcode: "SERVFAIL"}},
	{"err_connection_refused", on(diag.LayerTCP, diag.KindRefused)},
	{"err_connection_timed_out", on(diag.LayerTCP, diag.KindTimeout)},
	{"err_connection_reset", on(diag.LayerTLS, diag.KindReset)},
	{"err_connection_closed", diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindEOF}},
	{"err_empty_response", diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindEOF}},
	{"err_address_unreachable", on(diag.LayerTCP, diag.KindHostUnreach)},
	{"err_network_access_denied", on(diag.LayerTCP, diag.KindAccess)},
	{"err_internet_disconnected", on(diag.LayerTCP, diag.KindNetDown)},
	{"err_cert_authority_invalid", diag.Signal{Layer: diag.LayerTLS, Cert: diag.CertUntrusted}},
	{"err_cert_common_name_invalid", diag.Signal{Layer: diag.LayerTLS, Cert: diag.CertHostname}},
	{"err_cert_date_invalid", diag.Signal{Layer: diag.LayerTLS, Cert: diag.CertExpired}},
	{"err_ssl_protocol_error", at(diag.LayerTLS)},
	{"err_timed_out", diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindTimeout}},
	{"err_http2_protocol_error", diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true}},
	{"err_quic_protocol_error", diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true}},
	{"err_ssl_version_or_cipher_mismatch", diag.Signal{Layer: diag.LayerTLS, Alert: true}},
	{"err_connection_aborted", on(diag.LayerTLS, diag.KindReset)},
	{"err_connection_failed", on(diag.LayerTCP, diag.KindTimeout)},
}

func (f *facts) chromiumSignal() (diag.Signal, string) {
	if !strings.Contains(f.low, "err_") && !strings.Contains(f.low, "err ") && !strings.Contains(f.low, "no_supported_proxies") {
		return diag.Signal{}, ""
	}
	for _, c := range chromiumCodes {
		// Also as retyped in an issue title: "net::ERR PROXY CONNECTION FAILED".
		if strings.Contains(f.low, c.code) || strings.Contains(f.low, strings.ReplaceAll(c.code, "_", " ")) {
			return c.sig, f.evidence(c.code)
		}
	}
	return diag.Signal{}, ""
}

var reSOCKSReply = regexp.MustCompile(`\(reply (\d+)\)`)

// socksWords: what a SOCKS5 proxy's refusal looks like in Go's (x/net/proxy)
// and newapi-doctor's wording.
var socksRefusals = []struct {
	words []string
	stage string
	reply byte
}{
	{[]string{"accepts none of the offered authentication methods", "no acceptable authentication methods"}, "greeting", 0},
	{[]string{"username/password authentication failed", "authentication failed"}, "auth", 0},
	{[]string{"connection not allowed by ruleset"}, "connect", 2},
	{[]string{"unknown error connection refused", "connect failed: connection refused"}, "connect", 5},
	{[]string{"unknown error host unreachable", "connect failed: host unreachable"}, "connect", 4},
	{[]string{"unknown error network unreachable", "connect failed: network unreachable"}, "connect", 3},
	{[]string{"ttl expired"}, "connect", 6},
	{[]string{"general socks server failure", "request rejected or failed"}, "connect", 1},
	{[]string{"command not supported"}, "connect", 7},
	{[]string{"address type not supported"}, "connect", 8},
}

// socksSignal reads a SOCKS5 proxy's refusal from tail (lower case).
func (f *facts) socksSignal(tail string) (diag.Signal, string) {
	sig := diag.Signal{Layer: diag.LayerProxyConnect}
	if m := reSOCKSReply.FindStringSubmatch(tail); m != nil && strings.Contains(tail, "connect failed") {
		n, _ := strconv.Atoi(m[1])
		sig.SOCKSStage, sig.SOCKSReply = "connect", byte(n)
		return sig, f.evidence(m[0])
	}
	for _, sw := range socksRefusals {
		for _, w := range sw.words {
			if strings.Contains(tail, w) {
				sig.SOCKSStage, sig.SOCKSReply = sw.stage, sw.reply
				return sig, f.evidence(w)
			}
		}
	}
	if w := firstOf(tail, "unexpected protocol version", "malformed answer"); w != "" {
		sig.Protocol = true
		return sig, f.evidence(w)
	}
	return diag.Signal{}, ""
}

// proxySignal handles text that says the proxy, not the target, failed.
func (f *facts) proxySignal() (diag.Signal, string) {
	if f.proxyCtx == "socks" && strings.Contains(f.low, "sockshttp") && strings.Contains(f.low, "sslerror") {
		// requests' SOCKSHTTPSConnectionPool names only the pool: the SSLError
		// in it is the target's handshake, through a tunnel that worked.
		return diag.Signal{}, ""
	}
	// curl: CONNECT answered with a status; (97) proxy handshake; (5) proxy name.
	if strings.Contains(f.low, "tunnel failed") {
		if m := f.find(reCONNECT); m != nil {
			return diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: f.status}, m[0]
		}
	}
	// newapi-doctor: "proxy answered CONNECT with 503 Service Unavailable".
	if i := strings.Index(f.low, "proxy answered connect with "); i >= 0 {
		rest := f.low[i+len("proxy answered connect with "):]
		if len(rest) >= 3 && isDigits(rest[:3]) {
			n, _ := strconv.Atoi(rest[:3])
			return diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: n}, f.evidence("proxy answered connect with")
		}
		return diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: diag.ConnectStatusUnknown}, f.evidence("proxy answered connect with")
	}
	if code, ok := f.curlCode(); ok {
		switch code {
		case 5:
			return at(diag.LayerProxyDNS), f.evidence("could not resolve proxy")
		case 97:
			if _, ok := f.has("auth"); ok {
				return diag.Signal{Layer: diag.LayerProxyConnect, SOCKSStage: "auth"}, f.evidence("curl: (97)")
			}
			return diag.Signal{Layer: diag.LayerProxyConnect, Protocol: true}, f.evidence("curl: (97)")
		}
	}
	// Go: a CONNECT answered non-200 comes back as the bare status text.
	if st, ev := goConnectStatus(f.low); st != 0 {
		return diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: st}, ev
	}
	// Another stack's words say the proxy failed: its status is CONNECT's.
	if f.proxyWorded && f.status != 0 {
		return diag.Signal{Layer: diag.LayerProxyConnect, ConnectStatus: f.status}, f.evidence(strconv.Itoa(f.status))
	}
	if f.proxyCtx == "socks" || f.layer == diag.LayerProxyConnect || strings.HasPrefix(f.low, "socks5: ") {
		tail := f.socksTail
		if f.proxyCtx != "socks" {
			tail = f.low
		}
		if sig, ev := f.socksSignal(tail); sig.Layer != "" {
			return sig, ev
		}
		if f.proxyCtx == "socks" {
			return f.proxyTransport(tail)
		}
	}
	if f.proxyCtx == "http" {
		i := strings.Index(f.low, "proxyconnect tcp:")
		if i < 0 {
			i = 0
		}
		return f.proxyTransport(f.low[i:])
	}
	return diag.Signal{}, ""
}

// urlNames reports whether the request URL in the text is on host.
func (f *facts) urlNames(host string) bool {
	u, err := url.Parse(f.url)
	return f.url != "" && err == nil && u.Hostname() == host
}

// badURLConfig: a URL refused as malformed is the proxy's when the text
// speaks of a proxy outside any URL ("api-proxy.me" is a host's name).
func (f *facts) badURLConfig() diag.ConfigProblem {
	if strings.Contains(blankURLs(f.low), "proxy") {
		return diag.ConfigProxyURL
	}
	return diag.ConfigBadURL
}

// badURLWords: a client refusing the base URL itself: aiohttp's and httpx's
// InvalidURL, requests' "Invalid URL 'x'" and its InvalidSchema/MissingSchema
// (a URL without http(s)://).
var badURLWords = []string{"invalidurl", "invalid url '", "invalid url \"", "no connection adapters were found for", "no schema supplied", "no scheme supplied",
	// Node's URL constructor (ERR_INVALID_URL): "TypeError: Invalid URL".
	"typeerror: invalid url", "err_invalid_url"}

// localProxyFault: a fault that, on a local proxy client's port, is the
// proxy's: a refused connect, or a connect or read that timed out.
func localProxyFault(sig diag.Signal) bool {
	switch {
	case sig.Layer == diag.LayerTCP:
		return sig.Kind == diag.KindRefused || sig.Kind == diag.KindTimeout
	case sig.Layer == diag.LayerHTTP && sig.HTTPErr:
		return sig.Kind == diag.KindTimeout
	}
	return false
}

// cloudflareOriginWords: what Cloudflare's 52x pages say of its origin,
// the status they stand for.
var cloudflareOriginWords = []struct {
	status int
	words  []string
}{
	{521, []string{"the web server is not returning a connection"}},
	{522, []string{"between cloudflare's network and the origin web server timed out"}},
	{524, []string{"did not receive a timely http response", "origin web server timed out responding"}},
}

// proxyPageWords: words only a proxy's own error page has (squid's, tinyproxy's).
var proxyPageWords = []string{"the system returned:", "x-squid-error", "generated by tinyproxy", "(squid/", "server: squid", "error was encountered while trying to retrieve the url"}

// reConnectAccess: a CONNECT request in an access log (combined format), its status.
var reConnectAccess = regexp.MustCompile(`"connect [^\s"]+ http/[0-9.]+" (\d{3})\b`)

// reSquidDenied: squid's access.log refusing a request (its status after the slash).
var reSquidDenied = regexp.MustCompile(`tcp_denied/(40[37])\b`)

// proxyTransport reads a transport failure on the way to or through the
// proxy: dialling it (proxy-tcp) or talking to it (proxy-connect).
func (f *facts) proxyTransport(tail string) (diag.Signal, string) {
	if strings.Contains(tail, "x509:") || strings.Contains(tail, "tls:") {
		return at(diag.LayerProxyTLS), f.evidence("proxyconnect")
	}
	if strings.Contains(tail, "lookup ") || strings.Contains(tail, "no such host") || strings.Contains(tail, "getaddrinfo") || strings.Contains(tail, "name or service not known") ||
		strings.Contains(tail, "name resolution") {
		return at(diag.LayerProxyDNS), f.evidence("lookup")
	}
	k, w := f.kind(tail)
	switch k {
	case diag.KindRefused, diag.KindHostUnreach, diag.KindNetUnreach, diag.KindAccess, diag.KindNetDown:
		return on(diag.LayerProxyTCP, k), f.evidence(w)
	case diag.KindTimeout, diag.KindReset:
		if strings.Contains(tail, "dial tcp") || strings.Contains(tail, "connectex") || strings.Contains(tail, "connect:") {
			return on(diag.LayerProxyTCP, k), f.evidence(w)
		}
		return on(diag.LayerProxyConnect, k), f.evidence(w)
	case diag.KindEOF:
		// The proxy hung up on the tunnel request: another protocol on
		// that port (an http:// URL on a SOCKS port), or a rejection.
		return on(diag.LayerProxyConnect, k), f.evidence(w)
	}
	if f.proxyCtx != "" {
		return at(diag.LayerProxyConnect), f.evidence("proxy")
	}
	return diag.Signal{}, ""
}

var tlsWords = []struct {
	sig   diag.Signal
	words []string
}{
	// The certificate's specific verdicts first: Python prints them after "certificate verify failed".
	{diag.Signal{Cert: diag.CertHostname}, []string{"certificate is valid for", "doesn't match either of", "does not match certificate's altnames", "doesn't match certificate's altnames", "err_tls_cert_altname_invalid", "legacy common name field", "certificate is not valid for any names", "no alternative certificate subject name", "doesn't contain any ip sans", "principal name does not match", "证书中的主机名不匹配",
		// Python's and OpenSSL's reason after "certificate verify failed", .NET's and Java's names.
		"hostname mismatch", "ip address mismatch", "remotecertificatenamemismatch", "sslpeerunverifiedexception"}},
	{diag.Signal{Cert: diag.CertNotYetValid}, []string{"certificate is not yet valid", "is before"}},
	{diag.Signal{Cert: diag.CertExpired}, []string{"证书已过期", "证书过期", "certificate has expired", "cert_has_expired", "certificate is expired", "is after", "cert_date_invalid", "invalid peer certificate: expired", "notimevalid"}},
	{diag.Signal{Cert: diag.CertUntrusted}, []string{"mitm_detected", "certificate signed by unknown authority", "unable to get local issuer certificate", "unable to verify the first certificate",
		"unable_to_verify_leaf_signature", "unable_to_get_issuer_cert", "self_signed_cert_in_chain", "pkix path building failed", "self-signed certificate", "self signed certificate", "certificate verify failed", "invalid peer certificate: unknownissuer", "证书链是由不受信任的颁发机构颁发的", "not trusted",
		// Dart's and .NET's names; wget's "cannot verify h's certificate, issued by …".
		"certificate_verify_failed", "unable to get issuer certificate", "local issuer certificate", "self_signed_cert", "untrustedroot", "partialchain", "remotecertificatechainerrors", "could not establish trust relationship", "s certificate, issued by", "certificate verification error", "server certificate verification failed",
		"证书验证失败", "证书校验失败", "证书不受信任", "不受信任的证书"}},
	{diag.Signal{NotTLS: true}, []string{"first record does not look like a tls handshake", "wrong version number", "wrong_version_number", ":unknown protocol", "http request to an https server", "server gave http response to https client"}},
	{diag.Signal{Kind: diag.KindTimeout}, []string{"tls handshake timeout"}},
	{diag.Signal{Kind: diag.KindEOF}, []string{"eof occurred in violation of protocol", "unexpected_eof_while_reading", "unexpected eof while reading", "pr_end_of_file_error",
		"remote party has closed the transport stream", "ssl peer shut down incorrectly", "unexpected eof or 0 bytes from the transport stream", "远程方已关闭传输流",
		// Java's SSLHandshakeException when the peer hung up mid-handshake.
		"closed connection during handshake"}},
	{diag.Signal{Kind: diag.KindReset}, []string{"pr_connect_reset_error", "pr connect reset error"}},
	{diag.Signal{Alert: true}, []string{"remote error: tls:", "tlsv1 alert", "sslv3 alert", "handshake failure", "protocol version", "ssl/tls alert", ":unsupported protocol",
		// .NET/Schannel: "A fatal alert was received from the remote endpoint. The TLS protocol defined fatal alert code is 40."
		"fatal alert was received", "fatal alert code is",
		// Records that arrive corrupted: a middlebox rewriting the stream.
		"bad record mac", "bad_record_mac", "record overflow", "decryption failed"}},
	// Browsers' and NSS's other certificate verdicts, and Schannel's failures.
	{diag.Signal{Cert: diag.CertInvalid}, []string{"err_cert_", "mozilla_pkix_error", "sec_error_", "certificate signature failure", "invalid certificate",
		"remote certificate is invalid", "certificate for this server is invalid", "证书错误", "证书无效"}},
	// rustls refusing the name it was given for SNI: the TLS set-up failed.
	{diag.Signal{}, []string{"invalid dnsname", "invalid dns name"}},
	// curl's verification failures, when the reason after it was not matched above.
	{diag.Signal{Cert: diag.CertUntrusted}, []string{"ssl certificate problem"}},
}

func (f *facts) tlsSignal() (diag.Signal, string) {
	for _, r := range tlsWords {
		if w, ok := f.has(r.words...); ok {
			if (w == "is after" || w == "is before") && !strings.Contains(f.low, "x509") {
				continue
			}
			sig := r.sig
			sig.Layer = diag.LayerTLS
			return sig, f.evidence(asciiLower(w))
		}
	}
	// A reset or EOF in a TLS handshake: the SNI-filter signature. Go's and
	// curl's handshake words, or another stack's TLS wording (which says
	// only the kind).
	goTLS := strings.Contains(f.low, "tls handshake") || strings.Contains(f.low, "ssl_connect") || strings.Contains(f.low, "ssl_error_syscall") || strings.Contains(f.low, "curl: (35)")
	if goTLS || f.phase == phaseTLS {
		switch k, w := f.kind(f.low); k {
		case diag.KindReset, diag.KindEOF, diag.KindTimeout:
			return on(diag.LayerTLS, k), f.evidence(w)
		}
	}
	if w, ok := f.has("при установлении защищённого соединения", "при установлении защищенного соединения", // Firefox's "Secure Connection Failed" in Russian
		"failed to receive handshake", "ssl/tls connection failed", "sec_e_", "ssl/tls secure channel", "tls error:", "接收到的消息异常", "-2146893018", "握手失败", "initializesecuritycontext failed"); ok {
		return at(diag.LayerTLS), f.evidence(asciiLower(w)) // Schannel's handshake failures, no kind said
	}
	if goTLS {
		if w, ok := f.has("ssl_error_syscall"); ok {
			return on(diag.LayerTLS, diag.KindReset), f.evidence(asciiLower(w))
		}
		return at(diag.LayerTLS), f.evidence("tls")
	}
	if w, ok := f.has("x509:", "tls: ", "the ssl connection could not be established", "unable to establish ssl connection", "could not create ssl/tls secure channel",
		"secure connection to the server cannot be made", "an ssl error has occurred"); ok {
		return at(diag.LayerTLS), f.evidence(asciiLower(w))
	}
	if f.phase == phaseTLS {
		// Python's SSLError (or a handshake exception) with its reason cut off.
		if w, ok := f.has("sslerror", "ssl error", "sslexception", "handshakeexception", "authenticationexception"); ok {
			return at(diag.LayerTLS), f.evidence(asciiLower(w))
		}
	}
	return diag.Signal{}, ""
}

// hasIPv6 reports whether the text names an IPv6 address.
func hasIPv6(low string) bool {
	for _, tok := range strings.FieldsFunc(low, func(r rune) bool { return !(r == ':' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'f') }) {
		if strings.Count(tok, ":") >= 2 {
			if ip := net.ParseIP(strings.Trim(tok, ":.")); ip != nil && ip.To4() == nil {
				return true
			}
		}
	}
	return false
}

// reOwnVerdict: the verdict check quotes for new-api's own path.
var reOwnVerdict = regexp.MustCompile(`that fails \([a-z]+/([a-z0-9-]+)\)`)

var reRcode = regexp.MustCompile(`\(rcode ([a-z]+)\)`)

// reResolverName: Go dialling a resolver given by name whose own lookup failed.
var reResolverName = regexp.MustCompile(`lookup \S+ on (\S+?): dial (?:udp|tcp): lookup `)

// reModelRefused: a model named and refused, in Chinese ("模型 "x" 暂不支持").
var reModelRefused = regexp.MustCompile(`模型[^。，,]{0,60}?(?:暂不支持|不支持|不存在|未开放)`)

// reToolRcode: the rcode as nslookup ("** server can't find example.com:
// SERVFAIL") and dig (";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN")
// print it.
var reToolRcode = regexp.MustCompile(`(?:server can't find [^\s:]+: |->>header<<- opcode: [a-z]+, status: )(nxdomain|servfail|refused)`)

func (f *facts) dnsSignal() (diag.Signal, string) {
	dns := func(s diag.Signal) diag.Signal { s.Layer = diag.LayerDNS; return s }
	// newapi-doctor adds what the resolver answered: "(rcode NOERROR)".
	if strings.Contains(f.low, "(no resolver configured)") {
		return dns(diag.Signal{NoResolver: true}), f.evidence("no resolver configured")
	}
	if m := reRcode.FindStringSubmatch(f.low); m != nil && (f.dnsCtx || f.layer == diag.LayerDNS || f.layer == diag.LayerProxyDNS) {
		return dns(diag.Signal{Rcode: strings.ToUpper(m[1])}), f.evidence(m[0])
	}
	if m := reResolverName.FindStringSubmatch(f.low); m != nil {
		// "lookup h on nonsense:53: dial udp: lookup nonsense …": the
		// resolver's own name did not resolve, so it could not be asked.
		f.resolver, f.resolverUnnamed = m[1], true
		return dns(diag.Signal{Kind: diag.KindHostUnreach}), f.evidence(m[0])
	}
	if m := reToolRcode.FindStringSubmatch(f.low); m != nil {
		if m[1] == "nxdomain" {
			return dns(diag.Signal{NotFound: true}), f.evidence(m[0])
		}
		return dns(diag.Signal{Rcode: strings.ToUpper(m[1])}), f.evidence(m[0])
	}
	if _, ok := f.has("could not resolve", "could not contact dns", "dial tcp: lookup", "no such host", "getaddrinfo", "主机名解析", "during a database lookup", "wsano_recovery", "wsatry_again", "wsano_data", "unknownhostexception", "no data of the requested type", "failed host lookup", "请求的名称有效", "不知道这样的主机", "no such host is known", "name resolution", "name or service not known",
		"nodename nor servname", "dns error", "failed to lookup address", "eai_again", "clientconnectordnserror", "no address associated with hostname",
		"dns lookup failed", "dns resolution failed", "域名解析", "dns解析", "lookup timed out",
		// A DNS forwarder's own log (blocky): its upstreams did not answer.
		"resolution was not successful", "resolve request via upstream",
		// .NET on Linux: EAI_AGAIN as SocketError.TryAgain (11).
		"socketexception (11)"); f.dnsCtx || ok || firstOf(f.low, unresolvedWords...) != "" {
		low := f.low
		if i := strings.Index(low, "lookup "); i >= 0 {
			low = low[i:]
		}
		if w := resolverFailed(low); w != "" {
			return dns(diag.Signal{Rcode: "SERVFAIL"}), f.evidence(w)
		}
		if strings.Contains(low, "temporary failure in name resolution") {
			return dns(diag.Signal{Kind: diag.KindTimeout}), f.evidence("temporary failure in name resolution")
		}
		for _, w := range dnsNotFoundWords {
			if strings.Contains(low, w) {
				return dns(diag.Signal{NotFound: true}), f.evidence(w)
			}
		}
		if containsNumber(low, "11001") {
			return dns(diag.Signal{NotFound: true}), f.evidence("11001")
		}
		switch k, w := f.kind(low); k {
		case diag.KindTimeout, diag.KindRefused, diag.KindHostUnreach, diag.KindNetUnreach:
			return dns(diag.Signal{Kind: k}), f.evidence(w)
		}
		if strings.Contains(low, "no answer") || strings.Contains(low, "no ip addresses") || strings.Contains(low, "请求的名称有效") ||
			strings.Contains(low, "no data of the requested type") || containsNumber(low, "11004") {
			return dns(diag.Signal{Rcode: "NOERROR"}), f.evidence("no")
		}
		if w, ok := f.has("could not contact dns"); ok {
			return dns(diag.Signal{Kind: diag.KindRefused}), f.evidence(w)
		}
		return at(diag.LayerDNS), f.evidence("lookup")
	}
	return diag.Signal{}, ""
}

// resolverFailedWords: the resolver failed, not the name (Windows' 11002
// WSATRY_AGAIN and 11003 WSANO_RECOVERY as numbers, .NET's TryAgain (11)).
// In this order, so the first one found is the evidence.
var resolverFailedWords = []struct {
	w      string
	number bool
}{
	{"server misbehaving", false}, {"this is usually a temporary error", false}, {"11002", true}, {"eai_again", false},
	{"socketexception (11)", false}, {"主机名解析过程中的临时错误", false}, {"non-recoverable error occurred during a database lookup", false},
	{"不可恢复的错误", false}, {"11003", true},
}

// resolverFailed returns the words in low that say the resolver failed.
func resolverFailed(low string) string {
	for _, r := range resolverFailedWords {
		if r.number && containsNumber(low, r.w) || !r.number && strings.Contains(low, r.w) {
			return r.w
		}
	}
	return ""
}

// dnsNotFoundWords: the name does not exist, as each stack says it (built
// once: dnsSignal reads every unexplained error line).
var dnsNotFoundWords = append([]string{"no such host", "could not resolve host", "getaddrinfo enoent", "unknownhostexception", "failed host lookup", "name or service not known", "nodename nor servname provided", "no address associated with hostname",
	"no such host is known", "不知道这样的主机", "name_not_resolved", "temporary failure in name resolution", "getaddrinfo enotfound", "wsahost_not_found",
	"域名解析失败", "dns解析失败"}, unresolvedWords...)

// unresolvedWords: a name that did not resolve, in the words of .NET, Apple,
// Android, curl-like tools and Chinese clients; both a sign of DNS and its
// not-found verdict.
var unresolvedWords = []string{"could not be resolved", "hostname could not be found", "unable to resolve host", "cannot resolve host", "can't resolve host",
	"failed to resolve host", "无法解析域名", "无法解析主机", "没有这样的主机",
	// Windows' 11001 (no such host is known) in the languages of its 10061.
	"хост неизвестен", "そのようなホストは不明です", "알려진 호스트가 없습니다", "host ist unbekannt", "kein solcher host bekannt", "no se conoce ningún host",
	"hôte inconnu", "host desconhecido", "ana bilgisayar bilinmiyor"}

func firstOf(s string, words ...string) string {
	for _, w := range words {
		if strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

func (f *facts) curlCode() (int, bool) {
	if !strings.Contains(f.low, "curl: (") && !strings.Contains(f.low, "curl error ") {
		return 0, false
	}
	m := f.find(reCurlCode)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

// curlSignal reads curl's exit codes where the wording alone is ambiguous.
func (f *facts) curlSignal() (diag.Signal, string) {
	code, ok := f.curlCode()
	if !ok {
		return diag.Signal{}, ""
	}
	ev := "curl: (" + strconv.Itoa(code) + ")"
	switch code {
	case 6:
		return diag.Signal{Layer: diag.LayerDNS, NotFound: true}, f.evidence(ev)
	case 7:
		switch k, w := f.kind(f.low); k {
		case diag.KindTimeout, diag.KindHostUnreach, diag.KindNetUnreach:
			return on(diag.LayerTCP, k), f.evidence(w)
		}
		return on(diag.LayerTCP, diag.KindRefused), f.evidence(ev)
	case 28:
		switch {
		case strings.Contains(f.low, "resolving timed out"):
			return on(diag.LayerDNS, diag.KindTimeout), f.evidence("resolving timed out")
		case strings.Contains(f.low, "connection timed out") || strings.Contains(f.low, "failed to connect"):
			return on(diag.LayerTCP, diag.KindTimeout), f.evidence("timed out")
		case strings.Contains(f.low, "ssl connection timeout"):
			return on(diag.LayerTLS, diag.KindTimeout), f.evidence("ssl connection timeout")
		}
		return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindTimeout}, f.evidence(ev)
	case 35:
		return at(diag.LayerTLS), f.evidence(ev)
	case 51, 60:
		return diag.Signal{Layer: diag.LayerTLS, Cert: diag.CertUntrusted}, f.evidence(ev)
	case 52, 18: // empty reply; transfer closed with data outstanding
		return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindEOF}, f.evidence(ev)
	case 16, 92: // HTTP/2 framing; a stream not closed cleanly
		return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true}, f.evidence(ev)
	case 77: // the CA file curl was given could not be read
		return diag.Signal{Layer: diag.LayerTLS, Cert: diag.CertUntrusted}, f.evidence(ev)
	case 56:
		if k, w := f.kind(f.low); k == diag.KindReset {
			return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: k}, f.evidence(w)
		}
		return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindReset}, f.evidence(ev)
	case 22:
		if f.status != 0 {
			return f.answer(), f.evidence(ev)
		}
	}
	return diag.Signal{}, ""
}

// connecting: the text says the failure came while connecting.
func (f *facts) connecting() bool {
	return f.phase == phaseConnect || strings.Contains(f.low, "dial tcp") || strings.Contains(f.low, "connectex") || strings.Contains(f.low, "connect etimedout") ||
		strings.Contains(f.low, "connection attempt failed") || strings.Contains(f.low, "连接尝试失败") || strings.Contains(f.low, "連線嘗試失敗") ||
		containsNumber(f.low, "10060")
}

// transportSignal reads the errno-like kinds of a direct connection. A
// reset or a timeout while connecting or in TLS is a connection fault,
// never the HTTP exchange's; and a connect timeout is no overloaded server.
func (f *facts) transportSignal() (diag.Signal, string) {
	k, w := f.kind(f.low)
	if k == diag.KindNoPorts && w == "assign requested address" && hasIPv6(f.low) {
		// EADDRNOTAVAIL towards an IPv6 address: no IPv6 address here to send from.
		k = diag.KindNetUnreach
	}
	switch k {
	case diag.KindRefused, diag.KindAccess, diag.KindHostUnreach, diag.KindNetUnreach, diag.KindNetDown,
		diag.KindAddrInUse, diag.KindAddrNotAvail, diag.KindNoPorts:
		return on(diag.LayerTCP, k), f.evidence(w)
	case diag.KindReset:
		httpReset := diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: k}
		switch {
		case strings.Contains(f.low, "connect: connection reset") && !strings.Contains(f.low, "trying to connect: connection reset") || strings.Contains(f.low, "connectex"):
			// Go's connect(2) reset; hyper's "error trying to connect" spans
			// TCP and TLS, and a reset (not a refusal) there is the handshake's.
			return on(diag.LayerTCP, k), f.evidence(w)
		case f.phase == phaseTLS:
			return on(diag.LayerTLS, k), f.evidence(w)
		case f.status != 0 || f.phase == phaseHTTP:
			return httpReset, f.evidence(w)
		case strings.Contains(f.low, "broken pipe") || strings.Contains(f.low, "write: ") || strings.Contains(f.low, "wsasend"):
			return httpReset, f.evidence(w)
		case strings.HasPrefix(asciiLower(f.url), "http:") || f.port == "80":
			return httpReset, f.evidence(w) // no TLS on the way: the request was under way
		}
		// A reset on a fresh (TLS) connection is the SNI-filter signature;
		// `newapi-doctor tls` tells it from a reset during the request.
		return on(diag.LayerTLS, k), f.evidence(w)
	case diag.KindTimeout:
		switch {
		case strings.Contains(f.low, "awaiting headers") || strings.Contains(f.low, "client.timeout") || strings.Contains(f.low, "context deadline exceeded") && !strings.Contains(f.low, "dial"):
			return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: k}, f.evidence(w)
		case f.status == 0 && !strings.Contains(f.low, "dial tcp") && (strings.Contains(f.low, "read tcp") || strings.Contains(f.low, "wsarecv")):
			// "read tcp a->b: read: connection timed out": the connection was up, the answer did not come.
			return diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: k}, f.evidence(w)
		case f.connecting():
			return on(diag.LayerTCP, k), f.evidence(w)
		}
	}
	return diag.Signal{}, ""
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
	if r.Cause.IsProxy() || r.Layer == diag.LayerConfig && f.proxyHost != "" {
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

// keyWords name the credential; keyFaultWords say it was refused. Both
// together are a rejected key in a client's own words ("Authentication
// failed, please check if API key is correct"); either alone is not (.NET's
// "Authentication failed because the remote party has closed…" is TLS).
var (
	keyWords      = []string{"api key", "api_key", "apikey", "api-key", "密钥", "令牌", "oauth token", "access token", "auth token", "api token"}
	keyFaultWords = []string{"invalid", "incorrect", "wrong", "authentication failed", "not valid", "is correct", "expired", "revoked", "missing", "not provided",
		"no api key", "must be set", "无效", "错误", "不正确", "过期", "缺少"}
)

// keyRejected returns the key word when the text says the key was refused.
// A connection that failed before any answer refused no key: Dify's "API
// Key … is invalid. HTTPSConnectionPool(…): Failed to establish a new
// connection: [Errno 111]" only wraps the connect.
func (f *facts) keyRejected() string {
	k := firstOf(f.low, keyWords...)
	if k == "" || firstOf(f.low, keyFaultWords...) == "" || f.phase == phaseConnect && f.status == 0 {
		return ""
	}
	return k
}

// weakAuthWords say a login or authentication failed. A wrapper says them
// too ("认证失败: … Get …: EOF"): read only when no transport word is there.
var weakAuthWords = []string{"认证失败", "鉴权失败", "身份验证失败", "must be logged in", "重新登录", "token expired", "token has expired", "token已过期", "token 已过期", "token过期"}

// nginxUpstream reads nginx's error-log line about its backend ("upstream
// timed out … while reading response header from upstream"): nginx answered
// its client 504 for a timeout, else 502.
func nginxUpstream(low string) (int, string) {
	// "connect() failed (111: Connection refused) while connecting to
	// upstream" keeps its transport reading: the backend refused.
	w := firstOf(low, "while reading response header from upstream", "while sending request to upstream", "while reading upstream")
	if w == "" {
		return 0, ""
	}
	if strings.Contains(low, "timed out") {
		return 504, w
	}
	return 502, w
}

// cloudflare403Page: a 403 web page of Cloudflare's (its error-page template,
// or its name or cf-ray in the page) — check's rule for a 403 HTML answer
// with cf-ray, read from pasted text.
func (f *facts) cloudflare403Page() bool {
	if f.status != 403 || firstOf(f.low, "<html", "<!doctype", "content-type: text/html") == "" {
		return false
	}
	return firstOf(f.low, "no-js ie6 oldie", "cloudflare", "cf-ray", "__cfduid", "__cf_bm") != "" && !diag.BodyMarksOf(f.low).Provider()
}

// exceptionStatus: SDK exceptions named after their status (openai-python,
// anthropic, litellm), lower case.
var exceptionStatus = []struct {
	name   string
	status int
}{
	{"badrequesterror", 400}, {"authenticationerror", 401}, {"permissiondeniederror", 403}, {"notfounderror", 404},
	{"ratelimiterror", 429}, {"internalservererror", 500}, {"badgatewayerror", 502}, {"serviceunavailableerror", 503},
	{"gatewaytimeouterror", 504},
	// AWS's (botocore: "An error occurred (ValidationException) when calling …").
	{"validationexception", 400}, {"resourcenotfoundexception", 404}, {"modeltimeoutexception", 408},
	{"internalserverexception", 500}, {"serviceunavailableexception", 503},
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// appleCodes: NSURLErrorDomain's codes (iOS and macOS clients print the
// number, often without its sentence).
// A list, not a map: a text naming two codes reads the same every time.
var appleCodes = []struct {
	code string
	sig  diag.Signal
}{
	{"-1001", diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindTimeout}},
	{"-1003", diag.Signal{Layer: diag.LayerDNS, NotFound: true}},
	{"-1004", on(diag.LayerTCP, diag.KindTimeout)}, // cannot connect to host: the reason is not given
	{"-1005", on(diag.LayerTLS, diag.KindReset)},   // the network connection was lost
	{"-1009", on(diag.LayerTCP, diag.KindNetDown)},
	{"-1200", at(diag.LayerTLS)},
	{"-1201", diag.Signal{Layer: diag.LayerTLS, Cert: diag.CertExpired}},
	{"-1202", diag.Signal{Layer: diag.LayerTLS, Cert: diag.CertUntrusted}},
	{"-1203", diag.Signal{Layer: diag.LayerTLS, Cert: diag.CertUntrusted}},
	{"-1204", diag.Signal{Layer: diag.LayerTLS, Cert: diag.CertNotYetValid}},
}

func (f *facts) appleSignal() (diag.Signal, string) {
	i := strings.Index(f.low, "nsurlerrordomain")
	if i < 0 {
		return diag.Signal{}, ""
	}
	for _, a := range appleCodes {
		if containsNumber(f.low[i:], a.code[1:]) && strings.Contains(f.low[i:], a.code) {
			return a.sig, f.evidence("nsurlerrordomain")
		}
	}
	return diag.Signal{}, ""
}
