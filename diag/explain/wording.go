package explain

import (
	"regexp"
	"strconv"
	"strings"
)

// How the stacks in front of new-api and behind it word a failure (issue
// 10's table): Node (undici, node-fetch), Python (requests/urllib3, aiohttp,
// httpx, PySocks), Rust, Java/Dart, browsers, Envoy, Cloudflare, and a
// status written as words. Each reader below turns wording into a fact (a
// status, a proxy on the path, the phase the failure happened in); the
// decision steps read only the facts.

// phase is when in the exchange a failure happened, as far as the words tell.
type phase int

const (
	phaseUnknown phase = iota
	phaseConnect       // opening the TCP connection
	phaseTLS           // in the TLS handshake
	phaseHTTP          // the request was under way: a reset here is the exchange's
)

// phaseWords, checked in this order: the TLS and HTTP wordings are more
// specific than a library's generic "cannot connect" wrapper around them.
var phaseWords = []struct {
	p     phase
	words []string
}{
	{phaseTLS, []string{"before secure tls connection was established", "gnutls_handshake", "tls connection was non-properly terminated", "sslerror", "ssleoferror", "_ssl.c", "ssl_connect", "[ssl:", "ssl routines",
		"ssl connection", "tls handshake", "pr_connect_reset_error", "pr connect reset error", "secure connection failed",
		"sslhandshakeexception", "handshakeexception", "during handshake", "terminated the handshake", "schannel", "authenticationexception",
		// .NET Framework's usual TLS-version failure.
		"an unexpected error occurred on a send", "发送时发生错误",
		// .NET's "Authentication failed because the remote party has closed the transport stream", in Chinese.
		"远程方已关闭传输流"}},
	// A connect's own timeout, however the message begins ("请求超时:
	// Connection timeout to host …"); the later list need not repeat them.
	{phaseConnect, []string{"connection timeout to host", "connect timeout", "connecttimeout", "connect_timeout", "connect timed out"}},
	// urllib3's "Connection broken:" is a body read; Node's "aborted" and
	// undici's "terminated"/"other side closed" a response cut mid-way.
	{phaseHTTP, []string{"bytes received", "stream disconnected", "请求超时", "读取超时", "响应超时", "read operation timed out", "read timed out", "readtimeout", "read timeout", "timed out waiting for response", "connection broken:", "[error: aborted]", "error: aborted", "typeerror: terminated", "other side closed", "response ended prematurely",
		"premature close", "mid-response", "incomplete chunked read", "while reading response header", "while reading upstream", "peer closed connection without sending complete message body", "incompleteread", "chunkedencodingerror",
		"unexpected end of stream"}}, // OkHttp, reading the answer's headers
	{phaseConnect, []string{"socket connection timeout",
		"connect etimedout", "syscall: 'connect'", `"syscall":"connect"`, "newconnectionerror", "failed to establish a new connection",
		"cannot connect to host", "dialing to the given tcp address", "failed to open tcp connection", "connect call failed",
		"all connection attempts failed", "error trying to connect", "connect failed", "connection attempt failed", "etimedout",
		"errno 110]", "[errno 60]", "operation timed out", "connection timed out", "failed to connect to", "could not establish a connection",
		" port 443 failed", " port 80 failed",
		// Ruby's Net::OpenTimeout, .NET's WebException, Apple's NSURLErrorCannotConnectToHost.
		"opentimeout", "connectionfailed", "semaphore timeout", "信号灯超时", "连接超时", "unable to connect to the remote server", "could not connect to the server",
		// Windows' 10060 ("A connection attempt failed …") in the other languages kindWords reads.
		"не получен нужный отклик", "正しく応答しなかったため", "응답이 없어 연결하지 못했", "nicht richtig reagiert", "no respondió adecuadamente", "pas répondu convenablement",
		"não respondeu corretamente", "yanıt vermediğinden",
		// Go's dial given up before it connected.
		"while waiting for connection"}},
}

func phaseOf(low string) phase {
	for _, pw := range phaseWords {
		for _, w := range pw.words {
			if strings.Contains(low, w) {
				return pw.p
			}
		}
	}
	return phaseUnknown
}

// proxyWords say the proxy, not the target, failed: Python's requests and
// urllib3, PySocks, curl, Java, Node's tunnel agents, v2rayN-style clients.
// A 407 is said only by proxies.
var proxyWords = []string{"proxyerror(", "proxyerror:", "cannot connect to proxy", "unable to connect to proxy", "could not connect to proxy", "error connecting to http proxy",
	"无法连接代理服务器", "tunnel connection failed", "unable to tunnel through proxy", "tunneling socket could not be established",
	"could not open connect tunnel", "from proxy after connect", "connect tunnel through proxy", "proxy authentication required", "proxy connect aborted",
	"proxy server is refusing connections", "unable to connect to the proxy server", "代理服务器拒绝", "无法连接到代理服务器",
	// The proxy hung up or failed before answering CONNECT (https-proxy-agent, chained proxies).
	"proxy connection ended", "connect response", "chained proxy", "response code for connect", "proxyconnectexception",
	"代理连接失败", "代理错误", "代理失败", "代理服务器错误", "代理可能无效", "代理无效", "代理不可用", "authenticate with proxy", "check proxy settings", "检查代理",
	// The proxy's own log: proxychains' chain; v2ray's outbound and transport.
	"[proxychains]", "failed to process outbound traffic", "v2ray.com/core/proxy/", "v2ray.com/core/transport/",
	// httpx's CONNECT that got no answer; Go's and hyper's tunnel failures.
	"proxy connect request", "error connecting to proxy", "unsuccessful tunnel"}

// socksWords: a SOCKS client's own errors (PySocks names its exceptions).
var socksWords = []string{"generalproxyerror", "socks5error", "socks4error", "proxyconnectionerror", "error connecting to socks", "general socks server failure", "request rejected or failed",
	"socks error", "socks5 server", "socks server", "sockshttp" /* requests' SOCKSHTTPSConnectionPool */, "socksclienterror", "socks5 proxy", "socks4 proxy", "socks proxy", "(socks5", "(socks4",
	// curl's SOCKS failures (its exit code then says 7 or 97, not the proxy).
	"complete socks5 connection", "initial socks5 response", "socks5 connect request ack", "complete socks4 connection",
	// Node's socks5-client: "SOCKS connection failed. Connection refused." (the server's reply).
	"socks connection failed", "socks5 connection failed"}

// connectFailedWords: a connect that failed, the reason left out.
var connectFailedWords = []string{"failed to connect to", "could not establish a connection", "couldn't connect", "could't connect",
	"cannot connect to host", "clientconnectorerror", "apiconnectionerror", "connection error.", "fetch failed", "network error",
	// Older curl ("Failed connect to h:443; No error"), and clients that only
	// ask the user to check the line (huggingface_hub's LocalEntryNotFoundError).
	"failed connect to", "connection error,", "internet connection is on", "check your internet connection", "check your connection and try again",
	"unable to connect to the remote server", "could not connect to the server", "could not connect to", "unable to connect to", "cannot connect to", "can't connect to",
	"connection failed", "ollama service is available" /* LobeChat: "please check whether your ollama service is available" */, "cannot reach", "could not reach", "couldn't reach", "unable to reach", "can't reach", "failed to reach",
	// new-api's answer to its client when the upstream could not be reached (the cause is in its log).
	"do request failed", "do_request_failed",
	// hyper's (a Rust relay's) connect error, as its client error prints it.
	"client error (connect)",
	"网络连接失败", "网络错误", "网络异常", "请检查网络", "无法连接", "连接失败"}

// proxyContext reads the proxy wording of other stacks than Go's.
func proxyContext(low string) string {
	for _, w := range socksWords {
		if strings.Contains(low, w) {
			return "socks"
		}
	}
	for _, w := range proxyWords {
		if strings.Contains(low, w) {
			return "http"
		}
	}
	if strings.Contains(low, "[tcp] dial ") && !strings.Contains(low, "[tcp] dial direct") && !strings.Contains(low, "proxy=direct") {
		// Clash's log of a dial through a proxy group (DIRECT is no proxy,
		// in its old "dial DIRECT" and mihomo's "proxy=DIRECT" wording).
		return "http"
	}
	if i := strings.Index(low, "curl "); i >= 0 && firstOf(low, curlTransportCodes...) != "" && (strings.Contains(low[i:], " -x ") || strings.Contains(low[i:], " --proxy ")) {
		// The pasted curl command went through a proxy and its connection
		// failed (no TLS or HTTP answer: those are the target's, through
		// the tunnel): the connection was to that proxy.
		return "http"
	}
	return ""
}

// curlTransportCodes: curl's exits for a connection that failed before any
// TLS or HTTP answer: (7) connect, (52) empty reply, (55) send, (56) receive.
var curlTransportCodes = []string{"curl: (7)", "curl: (52)", "curl: (55)", "curl: (56)"}

// reHostWords: the target as Python and Ruby libraries name it.
var reHostWords = regexp.MustCompile(`(?:cannot connect to host |connectionpool\(host='|failed to open tcp connection to |connection to )(\[[0-9a-f:.]+\]|[^\s:'\[\]]+)(?:'?,? ?(?:port=|:)(\d+))?`)

// statusAnchors precede an HTTP status in the texts we read; the later
// ones are looser and only take an error status (4xx, 5xx).
var statusAnchors = []struct {
	words   []string
	errOnly bool
}{
	{[]string{"bad response status code ", "status code of ", "status code: ", "status code ", "status_code=", "status_code: ", "status_code:", "statuscode=", `status_code":`, `status_code": `, `statuscode":`, `statuscode": `, "returned error: ",
		"http/1.1 ", "http/1.0 ", "http/2 ", "http/2.0 ", "http "}, false},
	{[]string{"status code is ", "error code: ", "error code ", "error: ", "error (", "status: ", "status of ", "status ", `"status":`, `"status": `, "'status': ",
		// Common Log Format ("POST /v1/… HTTP/1.1" 503 -), Python reprs (http_status=404).
		`http/1.1" `, `http/1.0" `, `http/2" `, `http/2.0" `, "http_status=",
		"error reference number: ", "api returned ", "response code: ", "response code ", "http code ", `"code":`, `"code": `, "'code': ", "response: ", "response ", "status : ",
		"exception: ", "error ", "error", "failed-", "code=", "errorcode_", "状态码: ", "状态码：", "状态码 ", "状态码", "错误码: ", "错误码：", "错误码", "返回", "错误：", "错误: ", "错误 ", "报错"}, true},
}

// reasonPhrases: a status written with its reason phrase ("529 Overloaded",
// "502: Bad gateway", "407 (Proxy Authentication Required)") is a status
// whatever precedes it. Cloudflare's 52x included.
var reasonPhrases = []struct {
	code   int
	phrase string
}{
	{400, "bad request"}, {401, "unauthorized"}, {403, "forbidden"}, {404, "not found"}, {407, "proxy authentication required"}, {429, "too many requests"},
	{500, "internal server error"}, {502, "bad gateway"}, {503, "service unavailable"}, {503, "service temporarily unavailable"},
	{504, "gateway timeout"}, {504, "gateway time-out"}, {520, "web server is returning an unknown error"}, {521, "web server is down"},
	{522, "connection timed out"}, {523, "origin is unreachable"}, {524, "a timeout occurred"}, {529, "overloaded"},
	{402, "payment required"}, {404, "page not found"}, {405, "method not allowed"}, {405, "not allowed"}, {408, "request timeout"},
	{413, "request entity too large"}, {413, "payload too large"}, {422, "unprocessable entity"},
	// A status followed by "error" in Chinese or English: "返回524错误", "got a 429 error".
	{0, "错误"}, {0, "报错"}, {0, " error"}, {0, "error"},
}

// envoyWords: Envoy's body for its own 503 (a provider's edge is up, its
// backend is not); the nested "Connection refused" is the backend's.
var envoyWords = []string{"upstream connect error or disconnect/reset before headers", "no healthy upstream"}

// statusOf finds an HTTP status in lower-cased text (no regexp: hot path).
func statusOf(low string) int {
	if !strings.ContainsAny(low, "0123456789") {
		return wordStatus(low)
	}
	for _, a := range statusAnchors {
		for _, w := range a.words {
			if n := statusAfter(low, w, a.errOnly); n != 0 {
				return n
			}
		}
	}
	for _, r := range reasonPhrases {
		if n := firstAt(low, r.phrase, func(i, _ int) int {
			if n := statusBefore(low[:i]); n == r.code || r.code == 0 && n >= 400 {
				return n
			}
			return 0
		}); n != 0 {
			return n
		}
	}
	if n := leadingStatus(low); n != 0 {
		return n
	}
	if n := accessLineStatus(low); n != 0 {
		return n
	}
	if n := paramStatus(low); n != 0 {
		return n
	}
	if n := methodStatus(low); n != 0 {
		return n
	}
	if n := parenStatus(low); n != 0 {
		return n
	}
	return wordStatus(low)
}

// parenStatus reads an error status alone in parentheses: "Request rejected (429)".
func parenStatus(low string) int {
	return firstAt(low, "(", func(_, j int) int {
		if n := status3(low, j); n >= 400 && j+3 < len(low) && low[j+3] == ')' {
			return n
		}
		return 0
	})
}

// wordStatus: a status said in words only (Envoy's body, a bare reason phrase).
func wordStatus(low string) int {
	for _, w := range envoyWords {
		if strings.Contains(low, w) {
			return 503
		}
	}
	for _, p := range phraseOnly {
		if strings.Contains(low, p.phrase) {
			return p.code
		}
	}
	return 0
}

// phraseOnly: a reason phrase with no number is still the status
// ("[OpenAI] 错误的网关 | Bad Gateway"); read last, after any number.
var phraseOnly = []struct {
	code   int
	phrase string
}{{404, "not found"}, {500, "server error"}, {401, "unauthorized"}, {401, "未授权"}, {403, "禁止访问"}, {500, "internal server error"}, {500, "服务器内部错误"}, {502, "bad gateway"}, {502, "网关错误"},
	{503, "服务不可用"}, {503, "服务暂时不可用"}, {504, "网关超时"}, {502, "错误的网关"}, {503, "service unavailable"}, {503, "service temporarily unavailable"}, {504, "gateway timeout"}, {504, "gateway time-out"}}

// httpMethods follow the status in access lines: "… 400 POST {…}".
var httpMethods = []string{" get ", " post ", " put ", " delete ", " patch ", " head ", " options "}

// methodStatus reads an access line's error status written before its method.
func methodStatus(low string) int {
	for _, m := range httpMethods {
		if n := firstAt(low, m, func(i, _ int) int {
			if i < 3 {
				return 0
			}
			if n := status3(low, i-3); n >= 400 {
				return n
			}
			return 0
		}); n != 0 {
			return n
		}
	}
	return 0
}

// statusAfter reads a whole 3-digit status right after anchor.
func statusAfter(low, anchor string, errOnly bool) int {
	return firstAt(low, anchor, func(_, j int) int {
		if errOnly && j < len(low) && (low[j] == '"' || low[j] == '\'' || low[j] == '`') {
			j++ // "code":"502"
		}
		if n := status3(low, j); !errOnly || n >= 400 {
			return n
		}
		return 0
	})
}

// status3 reads a whole 3-digit number 100-599 at low[j:]: not part of a
// longer number, a port or a decimal.
func status3(low string, j int) int {
	if j+3 > len(low) || !isDigits(low[j:j+3]) {
		return 0
	}
	if j+3 < len(low) && (low[j+3] >= '0' && low[j+3] <= '9' || low[j+3] == '.' && j+4 < len(low) && isDigits(low[j+4:j+5])) {
		return 0
	}
	if j > 0 && (low[j-1] >= '0' && low[j-1] <= '9' || low[j-1] == '.' || low[j-1] == ':' && j > 1 && low[j-2] >= '0' && low[j-2] <= '9') {
		return 0
	}
	n, _ := strconv.Atoi(low[j : j+3])
	// 599 is no server's: tornado and pycurl report their own timeout as
	// "HTTP 599: Operation timed out …", whose words then say what happened.
	if n < 100 || n > 598 {
		return 0
	}
	return n
}

// statusBefore reads the status that ends before (separated by " ", ": ",
// " (", " - ").
func statusBefore(before string) int {
	t := strings.TrimRight(before, " :(-\"'“")
	if len(t) < 3 || len(t) == len(before) && len(before) > 0 {
		return 0
	}
	return status3(t, len(t)-3)
}

// leadingStatus reads a text that starts with its status: "429 当前分组…",
// "403 Country, region, or territory not supported", "503 upstream connect
// error", "API Error: 529 {…}" is taken by the anchors.
func leadingStatus(low string) int {
	t := strings.TrimLeft(low, " \t\"'`⎿")
	if len(t) < 4 || t[3] != ' ' && t[3] != ':' {
		return 0
	}
	if n := status3(t, 0); n >= 400 {
		return n
	}
	return 0
}

// accessLineStatus reads the status field of an access line, gin's as new-api
// writes it: "[GIN] 2024/05/25 - 02:20:27 | <id> | 429 |   94ms | ip | POST /v1/…".
// Only an error status: a 200 line is no failure.
func accessLineStatus(low string) int {
	return firstAt(low, "| ", func(_, j int) int {
		if n := status3(low, j); n >= 400 && strings.HasPrefix(low[j+3:], " |") {
			return n
		}
		return 0
	})
}

// paramStatus reads new-api's and one-api's bad_response_status_code error,
// which carries the upstream's status in "param": {"param":"524","code":"bad_response_status_code"}.
func paramStatus(low string) int {
	if !strings.Contains(low, "bad_response_status_code") {
		return 0
	}
	for _, a := range []string{`"param":"`, `"param": "`, `'param': '`} {
		if n := statusAfter(low, a, false); n != 0 {
			return n
		}
	}
	return 0
}

// cloudflareCode reads Cloudflare's own 1xxx errors ("error code: 1020",
// "Error 1006"): the site's firewall refused the client (1015: rate limit).
func cloudflareCode(low string) int {
	if strings.Contains(low, "used cloudflare to restrict access") {
		return 1020 // the block page's title ("Access denied | x used Cloudflare to restrict access") without its code
	}
	for _, a := range []string{"error code: ", "error code ", "error: ", "error ", "cf-error-"} {
		if n := firstAt(low, a, func(_, j int) int {
			if j+4 <= len(low) && isDigits(low[j:j+4]) && low[j] == '1' && low[j+1] == '0' && (j+4 == len(low) || !isDigitOr(low[j+4], ".")) {
				switch n, _ := strconv.Atoi(low[j : j+4]); n {
				case 1005, 1006, 1007, 1008, 1009, 1010, 1012, 1015, 1020: // 1005 an ASN, 1010 a browser signature banned
					return n
				}
			}
			return 0
		}); n != 0 {
			return n
		}
	}
	return 0
}

// reFrame: a stack frame's location ("(file.js:12:5)", "(Foo.java:98)").
var reFrame = regexp.MustCompile(`:\d+:\d+\)?\s*\{?$|\.(?:java|kt|scala|dart|cs):\d+\)|\((?:native method|unknown source)\)`)

// stackFrame reports a stack-trace frame: it names code, not the failure,
// and its function names ("onConnectTimeout") must not read as a verdict.
func stackFrame(ln string) bool {
	low := asciiLower(strings.TrimSpace(ln))
	switch {
	case strings.HasPrefix(low, "at "):
		return reFrame.MatchString(low)
	}
	return pythonFrame(low)
}

// pythonFrame: a traceback's `File "…", line N, in f` line.
func pythonFrame(ln string) bool {
	low := asciiLower(strings.TrimSpace(ln))
	return strings.HasPrefix(low, `file "`) && strings.Contains(low, `", line `)
}
