package explain

import (
	"strconv"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// Guess reads a text no rule recognises by its strongest single word: a
// pasted line from a stack no rule knows still names what it is about
// ("proxy", "certificate", "quota", a status number). The result says it
// is a guess (Guessed, and the word as its evidence); the confirming probe
// decides. It returns an unrecognised Result when no word points anywhere.
func Guess(text string) Result {
	f := readFacts(text)
	guessed := func(sig diag.Signal, word string) Result {
		sig.KeySent = true // as decide assumes: a pasted refusal is of a key that was sent
		if sig.Layer == diag.LayerHTTP {
			sig.Body |= diag.BodyMarksOf(f.low)
		}
		r := f.result(sig, word, f.source())
		r.Guessed = true
		return r
	}
	low := blankURLs(f.low) // a host's name ("api-proxy.me") says nothing of the fault
	for _, g := range guessWords {
		for _, w := range g.words {
			if i := strings.Index(low, w); i >= 0 && g.edge.holds(low, w) {
				return guessed(g.sig, f.raw[i:i+len(w)])
			}
		}
		if g.sig.Layer == "" { // the status step
			if n := looseStatus(low); n != 0 {
				return guessed(diag.Signal{Layer: diag.LayerHTTP, HTTPStatus: n}, strconv.Itoa(n))
			}
		}
	}
	return Classify(text)
}

// guessWords, strongest first: what names a layer (the proxy, TLS, DNS),
// then a status number, then what a provider's words are about, then
// that a connection failed at all, and last that anything failed.
var guessWords = []struct {
	sig   diag.Signal
	edge  wordEdge
	words []string
}{
	{diag.Signal{Layer: diag.LayerProxyConnect}, anywhere, []string{"proxy", "代理", "socks"}},
	{diag.Signal{Layer: diag.LayerTLS, Cert: diag.CertInvalid}, anywhere, []string{"certificate", "证书", "x509", "pkix"}},
	// "cert" alone as a word: Chromium's ERR_CERT_…, Node's CERT_HAS_EXPIRED; not "certain".
	{diag.Signal{Layer: diag.LayerTLS, Cert: diag.CertInvalid}, wholeWord, []string{"cert"}},
	{diag.Signal{Layer: diag.LayerTLS}, anywhere, []string{"ssl", "schannel", "wrong version number"}},
	// "TLS" or a handshake, with no certificate word, is most often a handshake cut.
	{on(diag.LayerTLS, diag.KindEOF), startsWord, []string{"tls", "handshake", "握手"}},
	{diag.Signal{Layer: diag.LayerDNS}, anywhere, []string{"dns", "resolve", "resolution", "域名", "解析", "getaddrinfo", "lookup", "no such host", "unknown host", "host is known", "name or service", "eai_again", "enotfound", "unknownhost", "nodename"}},
	{on(diag.LayerTCP, diag.KindRefused), anywhere, []string{"refused", "refuse", "拒绝"}},
	{on(diag.LayerTCP, diag.KindHostUnreach), anywhere, []string{"unreachable", "no route", "不可达"}},
	{diag.Signal{}, anywhere, nil}, // a status number anywhere
	{diag.Signal{Layer: diag.LayerHTTP, Body: diag.BodyQuota}, anywhere, []string{"quota", "balance", "credit", "billing", "payment", "余额", "额度", "欠费", "充值"}},
	{diag.Signal{Layer: diag.LayerHTTP, Body: diag.BodyRateLimit}, anywhere, []string{"rate limit", "ratelimit", "rate-limit", "too many", "throttl", "频繁", "限流", "限速"}},
	{diag.Signal{Layer: diag.LayerHTTP, HTTPStatus: 503}, anywhere, []string{"overload", "busy", "capacity", "unavailable", "繁忙", "过载", "不可用"}},
	{diag.Signal{Layer: diag.LayerHTTP, Body: diag.BodyAuth}, anywhere, []string{"unauthori", "forbidden", "api key", "api_key", "apikey", "authent", "authoriz", "authoris", "密钥", "令牌", "鉴权", "认证"}},
	// "auth" alone only as a word: nslookup's "Non-authoritative answer" is no key.
	{diag.Signal{Layer: diag.LayerHTTP, Body: diag.BodyAuth}, wholeWord, []string{"auth"}},
	{diag.Signal{Layer: diag.LayerHTTP, HTTPStatus: 404}, anywhere, []string{"not found", "notfound", "does not exist", "doesn't exist", "不存在", "找不到"}},
	// A relay saying its upstream failed, no more (after a key or a missing thing it names): what a gateway answers 502 for.
	{diag.Signal{Layer: diag.LayerHTTP, HTTPStatus: 502}, startsWord, []string{"upstream", "上游"}},
	{on(diag.LayerTLS, diag.KindReset), startsWord, []string{"reset", "econnreset"}},
	{diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindEOF}, startsWord, []string{"closed", "disconnect", "aborted", "eof", "断开", "中断"}},
	{on(diag.LayerTCP, diag.KindTimeout), anywhere, []string{"network", "connect", "internet", "offline", "etimedout", "网络", "连接", "联网"}},
	// A time-out that names no connect: as the rules read "Request timed
	// out.", no answer in time (real threads split evenly between the two).
	{diag.Signal{Layer: diag.LayerHTTP, HTTPErr: true, Kind: diag.KindTimeout}, anywhere, []string{"timed out", "timeout", "time out", "超时"}},
	// Last: an error reported with no word of any layer before it. The
	// request reached something that answered with a complaint of its own
	// ("manifest invalid", "ResponseError: … no longer running").
	{diag.Signal{Layer: diag.LayerHTTP}, anywhere, []string{"error", "exception", "failed", "failure", "invalid", "错误", "失败", "异常", "报错", "出错"}},
}

// blankURLs replaces every URL in low with spaces of the same length, so
// that offsets into the text still hold.
func blankURLs(low string) string {
	if !strings.Contains(low, "://") {
		return low
	}
	b := []byte(low)
	for from := 0; ; {
		i := strings.Index(low[from:], "://")
		if i < 0 {
			return string(b)
		}
		i += from
		start := i
		for start > 0 && isLetter(low[start-1]) {
			start--
		}
		end := i + 3
		for end < len(low) && !strings.ContainsRune(" \t\n\r\"'<>,)`", rune(low[end])) {
			end++
		}
		for k := start; k < end; k++ {
			b[k] = ' '
		}
		from = end
	}
}

// wordEdge: where a guess word may stand in the text.
type wordEdge int

const (
	anywhere   wordEdge = iota
	startsWord          // it must not continue another word ("eof" in "geofence")
	wholeWord           // nor be continued ("auth" in "non-authoritative")
)

func (e wordEdge) holds(text, w string) bool {
	switch e {
	case startsWord:
		return wordAt(text, w)
	case wholeWord:
		return aloneAt(text, w)
	}
	return true // the caller found it
}

// aloneAt: w occurs somewhere as a word of its own, not continued by a letter.
func aloneAt(text, w string) bool {
	return occurs(text, w, func(i, j int) bool {
		return (i == 0 || !isLetter(text[i-1])) && (j >= len(text) || !isLetter(text[j]))
	})
}

// looseStatus: an error status standing alone anywhere in the text, when
// no anchor introduced it: never a port (":443"), a path or an id part.
func looseStatus(low string) int {
	for i := 0; i+3 <= len(low); i++ {
		n := status3(low, i)
		if !errorStatus(n) || i > 0 && (isLetter(low[i-1]) || strings.IndexByte(":-/#_.", low[i-1]) >= 0) || i+3 < len(low) && isLetter(low[i+3]) {
			continue
		}
		return n
	}
	return 0
}

// errorStatus: the error statuses servers and gateways send.
func errorStatus(n int) bool {
	return n >= 400 && n <= 431 || n == 451 || n >= 500 && n <= 511 || n >= 520 && n <= 527 || n == 529
}
