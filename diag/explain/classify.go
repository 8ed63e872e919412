// Package explain classifies error TEXT — what new-api logs, what Go, curl
// and Windows print, in English and in Chinese — into the same categories
// and causes `check` uses, names the probe that would confirm it, and sums
// up whole log files in bounded memory.
package explain

import (
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// CauseUnrecognized is the cause of text no rule matches.
const CauseUnrecognized diag.Cause = "unrecognized"

// Result is what one piece of error text means.
type Result struct {
	Category diag.Category `json:"category"`
	Cause    diag.Cause    `json:"cause"`
	Layer    diag.Layer    `json:"layer,omitempty"`
	Evidence string        `json:"evidence,omitempty"` // the fragment that decided
	Source   string        `json:"source,omitempty"`   // who printed it: go, windows, curl, new-api, http
	// Probe is the command that would confirm the diagnosis.
	Probe string `json:"probe,omitempty"`
	// Host and Port are the failing peer: the proxy for proxy causes, else the target.
	Host  string `json:"host,omitempty"`
	Port  string `json:"port,omitempty"`
	Proxy string `json:"proxy,omitempty"` // proxy URL when the text names one
	URL   string `json:"url,omitempty"`   // the request URL when the text names one
	// Status is an HTTP status found in the text.
	Status int `json:"status,omitempty"`
	// Channel is new-api's channel when the line names one (#id, name).
	ChannelID   int    `json:"channel_id,omitempty"`
	ChannelName string `json:"channel_name,omitempty"`
	Hint        string `json:"hint"`
	// Guessed: no rule read the text; one word of it points to this
	// category (Evidence). Only `explain "TEXT"` guesses, never --log.
	Guessed bool `json:"guessed,omitempty"`
}

// Recognized reports whether a rule matched.
func (r Result) Recognized() bool { return r.Cause != CauseUnrecognized && r.Cause != "" }

// maxClassify bounds how much of one text is examined (a log line can be huge).
const maxClassify = 16 << 10

// Classify explains one error text (a line, a message, a dialog's text): it
// reads the text into a diag.Signal and lets diag's one table name the
// cause, exactly as `check` does with the probes' typed errors.
func Classify(text string) Result {
	f := readFacts(text)
	sig, ev, src := f.decide()
	return f.result(sig, ev, src)
}

// readFacts bounds and cleans text and extracts what it names.
func readFacts(text string) *facts {
	if len(text) > maxClassify {
		text = text[:maxClassify]
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = dropEscapedColour(text)
	text = dropInlineFrames(text)
	if ll := parseLine(text); ll.level != "" {
		text = ll.msg // the request id is not evidence (and its digits must not look like errno)
	}
	f := &facts{raw: text, low: asciiLower(text)}
	f.extract()
	return f
}

// result names the cause of sig through diag's one table, with its hint
// and the probe that would confirm it.
func (f *facts) result(sig diag.Signal, ev, src string) Result {
	r := Result{Cause: CauseUnrecognized, Evidence: ev, Source: src, Host: f.host, Port: f.port, URL: f.url, Status: f.status,
		ChannelID: f.chanID, ChannelName: f.chanName}
	if sig.Layer == "" {
		r.Evidence = ""
		r.Hint = i18n.Default().T("newapi-doctor does not recognise this text. Run `newapi-doctor check` against the channel's base URL to see which layer fails.")
		return r
	}
	cause := diag.ClassifySignal(sig)
	r.Cause, r.Category, r.Layer = cause, cause.Category(), sig.Layer
	if sig.ConnectStatus > 0 {
		r.Status = sig.ConnectStatus
	}
	if cause.IsProxy() && f.proxyHost != "" {
		r.Host, r.Port = f.proxyHost, f.proxyPort
	}
	if f.proxyHost != "" {
		r.Proxy = f.proxyScheme + "://" + net.JoinHostPort(f.proxyHost, orDefault(f.proxyPort, "80"))
	}
	r.Probe = probeFor(r, *f)
	r.Hint = diag.HintFor(cause, diag.HintFacts{
		Host: r.Host, Port: r.Port, Proxy: joinHP(f.proxyHost, f.proxyPort), Status: r.Status,
		Resolver: f.resolver, ResolverUnnamed: f.resolverUnnamed, InDocker: f.inDocker(), Path: f.path(), ProxyClient: proxyPorts[r.Port],
	})
	return r
}

// proxyPorts are local proxy clients' default ports: a refused connection to
// one of them is most likely a proxy that is not running.
var proxyPorts = map[string]string{
	"7890": "Clash", "7891": "Clash (SOCKS)", "7897": "Clash Verge", "10808": "v2rayN (SOCKS)", "10809": "v2rayN (HTTP)",
	"1080": "a SOCKS proxy", "8118": "Privoxy", "3128": "Squid", "20171": "v2rayA", "20172": "v2rayA",
}

// facts are the pieces extracted from the text before deciding.
type facts struct {
	raw, low                          string
	host, port, url                   string
	proxyHost, proxyPort, proxyScheme string
	resolver                          string
	resolverUnnamed                   bool // the resolver's own name did not resolve
	status                            int
	chanID                            int
	chanName                          string
	proxyCtx                          string     // "http" (proxyconnect / CONNECT), "socks", "" = none
	socksTail                         string     // text after "socks connect tcp a->b: "
	dnsCtx                            bool       // a name lookup failed
	phase                             phase      // when it failed, as far as the words tell
	proxyWorded                       bool       // another stack's words say the proxy failed (its status is CONNECT's)
	layer                             diag.Layer // the layer the text names ("tls failed: …", as check prints)
}

var (
	reDial      = regexp.MustCompile(`dial (?:tcp|tcp4|tcp6|udp) (\[[0-9a-fA-F:.%a-z]+\]|[^\s:\[\]]+):(\d+)`)
	reRW        = regexp.MustCompile(`(?:read|write) tcp [^\s]+->(\[[0-9a-fA-F:.%]+\]|[^\s:]+):(\d+)`)
	reProxyConn = regexp.MustCompile(`proxyconnect tcp: (?:dial tcp (\[[0-9a-fA-F:.]+\]|[^\s:]+):(\d+))?`)
	reSocks     = regexp.MustCompile(`socks connect (?:tcp|tcp4|tcp6) (\[[0-9a-fA-F:.]+\]|[^\s:]*):(\d+)->(\[[0-9a-fA-F:.]+\]|[^\s:]+):(\d+): ?(.*)`)
	reBareAddr  = regexp.MustCompile(`(?:^|[\s(\['"=@,])(localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\]):(\d{1,5})(?:$|[^\d.:])`)
	reLookup    = regexp.MustCompile(`lookup ([^\s:]+)(?: on ([^\s]+?))?: `)
	reCurlHost  = regexp.MustCompile(`(?:failed to connect to|could not resolve host:|could not resolve proxy:|in connection to) ([a-z][a-z0-9+.-]*://)?(\[[0-9a-f:.]+\]|[^\s:\[\]]+)(?:(?: port |:)(\d+))?`)
	reValidFor  = regexp.MustCompile(`certificate is valid for [^\n]*?, not ([^\s,;)"]+)`)
	reCurlNoAlt = regexp.MustCompile(`target host name '([^']+)'`)
	reCurlCode  = regexp.MustCompile(`curl(?:: \(| error )(\d+)`) // curl's own, and PHP's "cURL error 28:"
	// Only an address or a dotted name: "connect to API" is a sentence.
	reCurlConnectTo = regexp.MustCompile(`(?:^|[^a-z])connect to (\[[0-9a-f:.]+\]|[0-9a-f:.]+|[a-z0-9-]+(?:\.[a-z0-9-]+)+) port (\d+)`)
	reCONNECT       = regexp.MustCompile(`connect tunnel failed, response (\d{3})`)
	reAutoOff       = regexp.MustCompile(`通道「(.*?)」（#(\d+)）`)
	reRelayChan     = regexp.MustCompile(`relay error \(channel #(\d+)`)
	reNode          = regexp.MustCompile(`(?:connect|read|write) e[a-z]+ (\[[0-9a-f:.]+\]|[0-9a-f]*:[0-9a-f:]*:[0-9a-f:]+|[0-9a-z.-]+):(\d+)|getaddrinfo e[a-z_]+ ([^\s:]+)`)
	reChanEN        = regexp.MustCompile(`channel #(\d+)(?: \(([^)]*)\))?`)
)

func (f *facts) extract() {
	// Substring gates before each regexp: a log has millions of lines.
	has := func(s string) bool { return strings.Contains(f.low, s) }
	if !has("channel #") && !has("通道「") {
	} else if m := f.find(reAutoOff); m != nil {
		f.chanName = m[1]
		f.chanID, _ = strconv.Atoi(m[2])
	} else if m := f.find(reRelayChan); m != nil {
		f.chanID, _ = strconv.Atoi(m[1])
	} else if m := f.find(reChanEN); m != nil {
		f.chanID, _ = strconv.Atoi(m[1])
		f.chanName = m[2]
	}
	f.url = firstURL(f.raw, f.low)
	if f.url != "" {
		if u, err := url.Parse(f.url); err == nil {
			f.host, f.port = u.Hostname(), u.Port()
			if f.port == "" {
				f.port = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443"}[strings.ToLower(u.Scheme)]
			}
		}
	}
	// A socks failure names proxy->target.
	if !has("socks connect") {
	} else if m := f.find(reSocks); m != nil {
		f.proxyCtx, f.proxyScheme = "socks", "socks5"
		f.proxyHost, f.proxyPort = unbracket(m[1]), m[2]
		f.host, f.port = unbracket(m[3]), m[4]
		f.socksTail = strings.ToLower(m[5])
	}
	if i := strings.Index(f.low, "proxyconnect tcp:"); i >= 0 {
		f.proxyCtx, f.proxyScheme = "http", "http"
		if m := f.findFrom(reProxyConn, i); m != nil && m[1] != "" {
			f.proxyHost, f.proxyPort = unbracket(m[1]), m[2]
		} else if m := f.findFrom(reLookup, i); m != nil {
			f.proxyHost = m[1]
		}
	}
	// The dialled address: the target unless it is the proxy's own dial.
	if f.proxyCtx == "" && (has("dial ") || has("->")) {
		if m := f.find(reDial); m != nil && !strings.HasPrefix(m[0], "dial udp") {
			f.host, f.port = unbracket(m[1]), m[2]
		} else if m := f.find(reRW); m != nil {
			f.host, f.port = unbracket(m[1]), m[2]
		}
	}
	if !has("lookup ") {
	} else if m := f.find(reLookup); m != nil {
		f.dnsCtx = true
		if f.proxyCtx != "http" || f.proxyHost != m[1] {
			f.host = m[1]
		}
		if m[2] != "" {
			f.resolver = m[2]
		}
	}
	if !has("connect to ") || !has(" port ") {
	} else if m := f.find(reCurlConnectTo); m != nil && f.host == "" {
		// curl -v's own line: "connect to 127.0.0.1 port 7890 failed: Connection refused".
		f.host, f.port = unbracket(m[1]), m[2]
	}
	if !has("failed to connect to") && !has("could not resolve") && !has("in connection to") {
	} else if m := f.find(reCurlHost); m != nil {
		// A URL there ("Failed to connect to http://localhost:8080/v1") is
		// read past its scheme: the host is the URL's, not "http".
		host := unbracket(m[2])
		if m[1] != "" {
			host, _, _ = strings.Cut(host, "/")
		}
		if strings.Contains(strings.ToLower(m[0]), "proxy") {
			f.proxyHost, f.proxyCtx, f.proxyScheme = host, "http", "http"
		} else if f.host == "" || f.proxyCtx == "" {
			f.host = host
			if m[3] != "" {
				f.port = m[3]
			}
		}
	}
	// Node.js (the desktop app's main process): "connect ECONNREFUSED 127.0.0.1:3000",
	// "getaddrinfo ENOTFOUND api.openai.com".
	if !has(" econn") && !has(" etimedout") && !has(" ehostunreach") && !has(" enetunreach") && !has("getaddrinfo e") {
	} else if m := f.find(reNode); m != nil {
		if m[1] != "" {
			f.host, f.port = unbracket(m[1]), m[2]
		} else if f.host == "" {
			f.host = m[3]
		}
	}
	if !has("valid for") && !has("target host name") {
	} else if m := f.find(reValidFor); m != nil {
		f.host = m[1]
	} else if m := f.find(reCurlNoAlt); m != nil {
		f.host = m[1]
	}
	if !has("tunnel failed") {
		f.status = statusOf(f.low)
	} else if m := f.find(reCONNECT); m != nil {
		f.status, _ = strconv.Atoi(m[1])
		f.proxyCtx = "http"
		if f.proxyScheme == "" {
			f.proxyScheme = "http"
		}
	} else {
		f.status = statusOf(f.low)
	}
	if f.proxyCtx == "" {
		f.proxyCtx = proxyContext(f.low)
		f.proxyWorded = f.proxyCtx != ""
		if f.proxyCtx == "socks" {
			f.proxyScheme, f.socksTail = "socks5", f.low
		} else if f.proxyCtx == "http" {
			f.proxyScheme = "http"
		}
	}
	if f.host == "" && (has("host") || has("connection to ")) {
		if m := f.find(reHostWords); m != nil {
			f.host, f.port = unbracket(m[1]), m[2]
		}
	}
	if f.host == "" && f.proxyCtx == "" && has(":") {
		// Named no other way: an address with its port standing alone
		// ("… LM Studio server at 127.0.0.1:1234", "failed: localhost:11434").
		if m := f.find(reBareAddr); m != nil {
			f.host, f.port = unbracket(m[1]), m[2]
		}
	}
	f.phase = phaseOf(f.low)
}

// firstURL finds the first http(s)/ws(s) URL without a regexp (hot path):
// new-api writes the request as `Post "https://host/path": …`.
func firstURL(raw, low string) string {
	from := 0
	for {
		i := strings.Index(low[from:], "://")
		if i < 0 {
			return ""
		}
		i += from
		start := i
		for start > 0 && low[start-1] >= 'a' && low[start-1] <= 'z' {
			start--
		}
		switch low[start:i] {
		case "http", "https", "ws", "wss":
			if quotedInMessage(low[:start]) {
				break // a provider's "find your API key at https://…" names no failed request
			}
			end := i + 3
			for end < len(raw) && !strings.ContainsRune(" \t\n\r\"'<>,)", rune(raw[end])) {
				end++
			}
			if u := strings.TrimRight(raw[start:end], `".,;:`); len(u) > len(low[start:i])+3 {
				return u
			}
		}
		from = i + 3
	}
}

// messageURLWords precede a URL that a message points the reader to, not
// the one the request went to ("Post \"https://…\"", "request to https://…").
var messageURLWords = []string{" at ", "visit ", "see ", "go to ", "refer to ", "using ", "docs: ", "(see ", "details: ", "learn more: "}

func quotedInMessage(before string) bool {
	for _, w := range messageURLWords {
		if strings.HasSuffix(before, w) {
			// "Couldn't connect to Ollama at http://127.0.0.1:11434": after
			// a connect (or "cannot reach"), "at" names where the request went.
			near := before[max(0, len(before)-48):]
			return w != " at " || !strings.Contains(near, "connect") && !strings.Contains(near, "reach")
		}
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// find matches re against the lowered text (patterns are lower case) and
// returns the submatches in the original case: offsets agree (asciiLower).
func (f *facts) find(re *regexp.Regexp) []string { return f.findFrom(re, 0) }

func (f *facts) findFrom(re *regexp.Regexp, from int) []string {
	loc := re.FindStringSubmatchIndex(f.low[from:])
	if loc == nil {
		return nil
	}
	out := make([]string, len(loc)/2)
	for i := range out {
		if loc[2*i] >= 0 {
			out[i] = f.raw[from+loc[2*i] : from+loc[2*i+1]]
		}
	}
	return out
}

func unbracket(h string) string { return strings.Trim(h, "[]") }

func (f *facts) has(subs ...string) (string, bool) {
	for _, s := range subs {
		if i := strings.Index(f.low, s); i >= 0 {
			return f.raw[i : i+len(s)], true
		}
	}
	return "", false
}

func (f *facts) inDocker() bool {
	return strings.Contains(f.low, "127.0.0.11") || strings.Contains(f.low, "host.docker.internal")
}

func (f *facts) path() string {
	if u, err := url.Parse(f.url); err == nil {
		return u.Path
	}
	return ""
}

// localServiceWords say the service is on this machine when the text names
// no host: "could not connect to ollama app, is it running?", "… run
// 'ollama serve' to start it", "Unable to connect to local Ollama instance".
var localServiceWords = []string{"is it running", "ollama serve", "may not be running", "to local ", "to a running "}

func (f *facts) loopbackTarget() bool {
	if f.host == "" && firstOf(f.low, localServiceWords...) != "" {
		return true
	}
	// Java names a host as name/address: "localhost/127.0.0.1".
	for _, h := range strings.Split(f.host, "/") {
		if ip := net.ParseIP(h); h == "localhost" || ip != nil && ip.IsLoopback() {
			return true
		}
	}
	return false
}

// kindWords: the errno-like kinds (diag.ErrKind) as Go, Winsock (EN/ZH),
// curl and Node word them. Aborted is read as reset: the texts rarely tell.
var kindWords = []struct {
	k     diag.ErrKind
	words []string
}{
	{diag.KindRefused, []string{"connection refused", "actively refused", "积极拒绝", "拒絕連線", "wsaeconnrefused", "10061", "econnrefused", "because the target machine",
		"actively rejected", "拒绝连接",
		// Bun names the errno in CamelCase: "Unable to connect to API (ConnectionRefused)".
		"connectionrefused", "connection_refused", "连接被拒",
		// Bun's message for its ConnectionRefused.
		"unable to connect. is the computer able to access the url",
		// Windows' 10061 in Russian, Japanese, Korean, German, Spanish, French, Portuguese, Turkish.
		"отверг запрос на подключение", "拒否されたため", "연결을 거부했으므로", "verbindung verweigerte", "denegó expresamente", "expressément refusée",
		"recusou ativamente", "etkin olarak reddetti"}},
	{diag.KindAccess, []string{"forbidden by its access permissions", "访问权限不允许", "wsaeacces", "10013", "connect: permission denied", "connect: operation not permitted", "eacces"}},
	{diag.KindHostUnreach, []string{"no route to host", "unreachable host", "无法连接的主机", "无法访问的主机", "無法連線的主機", "wsaehostunreach", "10065", "host is unreachable", "ehostunreach", "没有到主机的路由",
		"hostunreachable", "host_unreachable"}},
	{diag.KindNetUnreach, []string{"network is unreachable", "unreachable network", "无法连接的网络", "无法访问的网络", "無法連線的網路", "wsaenetunreach", "10051", "enetunreach", "network unreachable", "网络不可达",
		"networkunreachable", "network_unreachable"}},
	{diag.KindNetDown, []string{"network is down", "dead network", "已死的网络", "已失效的網路", "wsaenetdown", "10050", "network down", "networkdown",
		// Apple's NSURLErrorNotConnectedToInternet and the like: no network at all.
		"internet connection appears to be offline", "not connected to the internet"}},
	{diag.KindReset, []string{"connection reset", "forcibly closed by the remote host", "强迫关闭了一个现有的连接", "遠端主機強制關閉", "wsaeconnreset", "10054", "econnreset", "recv failure", "send failure", "broken pipe", "connection was aborted", "10053", "你的主机中的软件中止了一个已建立的连接",
		"connection was reset", "connect reset", "强迫关闭", "强制关闭", "强行关闭", "connection abort",
		// Rust's io::ErrorKind and others' names in CamelCase or snake case; Apple's wording.
		"connectionreset", "connection_reset", "connectionaborted", "brokenpipe", "network connection was lost", "连接被重置", "连接重置",
		// Windows' 10054 in the languages of 10061 above.
		"принудительно разорвал", "強制的に切断されました", "강제로 끊겼습니다", "vom remotehost geschlossen", "forzado la interrupción", "par l’hôte distant", "par l'hôte distant",
		"cancelamento de uma conexão existente", "zorla kapatıldı",
		// Browsers' "The connection was reset" in Russian.
		"соединение сброшено"}},
	{diag.KindTimeout, []string{"i/o timeout", "did not properly respond after a period of time", "没有正确答复", "连接尝试失败", "並未正確回應", "連線嘗試失敗", "wsaetimedout", "10060", "timed out", "timeout", "deadline exceeded", "etimedout",
		// Rust's TimedOut; Ruby's Timeout::Error message.
		"timedout", "execution expired", "timing out", "a connection attempt failed", "time out", "未响应", "无响应", "semaphore timeout period has expired", "超时",
		"econnaborted",                          // axios' code for its own timeout
		"canceled while waiting for connection", // Go's dial given up by its client's time-out
		// Windows' 10060 in the languages of 10061 above.
		"не получен нужный отклик", "正しく応答しなかったため", "응답이 없어 연결하지 못했", "nicht richtig reagiert", "no respondió adecuadamente", "pas répondu convenablement",
		"não respondeu corretamente", "yanıt vermediğinden"}},
	{diag.KindAddrInUse, []string{"only one usage of each socket address", "通常每个套接字地址", "wsaeaddrinuse", "10048", "address already in use", "eaddrinuse", "addrinuse",
		// Windows' 10048 in Turkish, Russian, German, Japanese, Spanish, French, Portuguese, Korean.
		"yalnızca bir kullanıma izin veriliyor", "только одно использование адреса сокета", "nur jeweils einmal verwendet werden", "ソケット アドレスに対して",
		"un uso de cada dirección de socket", "une seule utilisation de chaque adresse de socket", "uma utilização de cada endereço de soquete", "각 소켓 주소"}},
	{diag.KindAddrNotAvail, []string{"requested address is not valid in its context", "该请求的地址无效", "要求的位址無效", "wsaeaddrnotavail", "10049", "addrnotavailable"}},
	{diag.KindNoPorts, []string{"lacked sufficient buffer space or because a queue was full", "系统缓冲区空间不足或队列已满", "wsaenobufs", "10055", "assign requested address", "eaddrnotavail"}},
	{diag.KindEOF, []string{"unexpected eof", ": eof", "eof", "empty reply from server", "remote end closed connection", "other side closed", "socket hang up",
		"socket disconnected before secure tls", "server disconnected", "connection closed before message completed", "terminated the handshake",
		"terminated during handshake", "und_err_socket", "connection was closed unexpectedly", "incompleteread", "closed mid-response",
		"unexpectedeof", "peer closed connection without sending", "unexpected end of stream", "stream terminated before completion", "stream disconnected before completion", "stream_terminated", "remote party has closed the transport stream", "underlying connection was closed",
		"premature close", "prematurely closed", "server closed idle connection", "error: aborted", "typeerror: terminated",
		"stream disconnected", "连接被断开", "连接已断开", "连接中断", "non-properly terminated", "closed before full header",
		// A stream that stopped before its last event; schannel's close without close_notify.
		"stream ended without", "closed abruptly",
		// hyper's IncompleteMessage.
		"message from remote is incomplete"}},
	// asyncio's and httpx's wrappers name no errno of their own: "TimeoutError:
	// [Errno 10060] Connect call failed" is a timeout. Read last.
	{diag.KindRefused, []string{"connect call failed", "all connection attempts failed"}},
}

func (f *facts) kind(text string) (diag.ErrKind, string) {
	for _, kw := range kindWords {
		for _, w := range kw.words {
			if i := strings.Index(text, w); i >= 0 {
				if errnoName(w) && !wordAt(text, w) {
					continue // "ResourceAccessException" holds no EACCES
				}
				if w == "eof" && !isEOFWord(text, i) {
					continue
				}
				if w == "timeout" && (unsetValue(text[i+len(w):]) || setting(text[i+len(w):])) {
					continue // an inspected object's "timeout: undefined" is a setting, no event
				}
				if isDigits(w) && (!containsNumber(text, w) || sqlValue(text, w)) {
					continue // a Winsock number inside a longer number (a request id, a port), or a value in SQL
				}
				return kw.k, w
			}
		}
	}
	return diag.KindOther, ""
}

func isDigitOr(c byte, extra string) bool {
	return c >= '0' && c <= '9' || strings.IndexByte(extra, c) >= 0
}

// containsNumber reports whether num occurs in s as a whole number.
func containsNumber(s, num string) bool {
	return occurs(s, num, func(i, j int) bool {
		// Not part of a longer number, a port (":10061") or a dotted value
		// ("1.10061", "10061.5"); a full stop ending a sentence is fine.
		before := i == 0 || !isDigitOr(s[i-1], ":") && !(s[i-1] == '.' && i >= 2 && isDigitOr(s[i-2], ""))
		after := j == len(s) || !isDigitOr(s[j], "") && !(s[j] == '.' && j+1 < len(s) && isDigitOr(s[j+1], ""))
		return before && after
	})
}

// occurs reports whether sub occurs in s at some [i, j) that ok accepts.
func occurs(s, sub string, ok func(i, j int) bool) bool {
	return firstAt(s, sub, func(i, j int) int {
		if ok(i, j) {
			return 1
		}
		return 0
	}) != 0
}

// firstAt calls at for each occurrence [i, j) of sub in s, in order, and
// returns the first value it gives other than 0 (0 when none does): the one
// scan every "a number after/before these words" reader shares.
func firstAt(s, sub string, at func(i, j int) int) int {
	for from := 0; ; {
		i := strings.Index(s[from:], sub)
		if i < 0 {
			return 0
		}
		i += from
		if v := at(i, i+len(sub)); v != 0 {
			return v
		}
		from = i + 1
	}
}

// errnoName: an errno's symbolic name (EACCES, ECONNRESET, …), which other
// words can contain.
func errnoName(w string) bool {
	if len(w) < 5 || w[0] != 'e' {
		return false
	}
	for i := 0; i < len(w); i++ {
		if !isLetter(w[i]) {
			return false
		}
	}
	return strings.HasPrefix(w, "econn") || strings.HasPrefix(w, "eacces") || strings.HasPrefix(w, "ehost") || strings.HasPrefix(w, "enet") ||
		strings.HasPrefix(w, "etimedout") || strings.HasPrefix(w, "eaddr")
}

// wordAt reports an occurrence of w not preceded by a letter.
func wordAt(text, w string) bool {
	return occurs(text, w, func(i, _ int) bool { return i == 0 || !isLetter(text[i-1]) })
}

// sqlValue reports num compared or assigned in a query ("user_id = 10061",
// "id IN (10054)"), as GORM's SQL traces print: a value, not a Winsock error.
// Dart's "errno = 10061" stays an errno.
func sqlValue(s, num string) bool {
	i := strings.Index(s, num)
	before := strings.TrimRight(s[:max(0, i)], " '\"(")
	if strings.HasSuffix(before, " in") {
		return true
	}
	if !strings.HasSuffix(before, "=") {
		return false
	}
	before = strings.TrimRight(strings.TrimSuffix(before, "="), " !<>")
	return !strings.HasSuffix(before, "errno") && !strings.HasSuffix(before, "error") && !strings.HasSuffix(before, "code")
}

// setting reports a timeout given a value ("Keep-Alive: timeout=4",
// "timeout: 10000ms"): a configuration, not an event.
func setting(after string) bool {
	after = strings.TrimLeft(after, " :=")
	return len(after) > 0 && after[0] >= '0' && after[0] <= '9'
}

// unsetValue reports a property with no value: ": undefined", "=None".
func unsetValue(after string) bool {
	after = strings.TrimLeft(after, " :=")
	return strings.HasPrefix(after, "undefined") || strings.HasPrefix(after, "null") || strings.HasPrefix(after, "none")
}

// isEOFWord keeps "EOF" a word (not part of another token).
func isEOFWord(s string, i int) bool {
	before := i == 0 || !isAlnum(s[i-1])
	after := i+3 >= len(s) || !isAlnum(s[i+3])
	return before && after
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' }

// evidence returns the original-case fragment of the text around word:
// the Go error chain element it sits in, bounded on both sides.
func (f *facts) evidence(word string) string {
	i := strings.Index(f.low, word)
	if i < 0 || len(f.low) != len(f.raw) {
		return strings.TrimSpace(word)
	}
	start := max(0, i-100)
	if j := strings.LastIndex(f.raw[start:i], "| "); j >= 0 {
		start += j + 2
	}
	if j := strings.Index(f.raw[start:i], `": `); j >= 0 {
		start += j + 3
	}
	end := min(len(f.raw), i+len(word)+100)
	if j := strings.IndexByte(f.raw[i:end], '\n'); j >= 0 {
		end = i + j
	}
	for start > 0 && !utf8.RuneStart(f.raw[start]) {
		start--
	}
	for end < len(f.raw) && !utf8.RuneStart(f.raw[end]) {
		end++
	}
	return strings.TrimSpace(f.raw[start:end])
}
