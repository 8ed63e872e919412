package diag

import "slices"

// rule is one row of the classification table: the first row that matches
// wins. A row names only its cause: the cause's category and layer are the
// catalogue's (hints.go).
type rule struct {
	cause Cause
	match func(*Signal) bool
}

type pred = func(*Signal) bool

func at(ls ...Layer) pred { return func(s *Signal) bool { return slices.Contains(ls, s.Layer) } }

func and(fs ...pred) pred {
	return func(s *Signal) bool {
		for _, f := range fs {
			if !f(s) {
				return false
			}
		}
		return true
	}
}

func or(fs ...pred) pred {
	return func(s *Signal) bool {
		for _, f := range fs {
			if f(s) {
				return true
			}
		}
		return false
	}
}

func kind(ks ...ErrKind) pred { return func(s *Signal) bool { return slices.Contains(ks, s.Kind) } }

func config(p ConfigProblem) pred { return func(s *Signal) bool { return s.Config == p } }

// connect matches a CONNECT refused with one of codes (any status when none given).
func connect(codes ...int) pred {
	return func(s *Signal) bool {
		if s.ConnectStatus == 0 {
			return false
		}
		return len(codes) == 0 || slices.Contains(codes, s.ConnectStatus)
	}
}

func socks(stage string, replies ...byte) pred {
	return func(s *Signal) bool {
		return s.SOCKSStage == stage && (len(replies) == 0 || slices.Contains(replies, s.SOCKSReply))
	}
}

func protocol(s *Signal) bool    { return s.Protocol }
func rcode(c string) pred        { return func(s *Signal) bool { return s.Rcode == c } }
func noResolver(s *Signal) bool  { return s.NoResolver }
func notFound(s *Signal) bool    { return s.NotFound }
func loopback(s *Signal) bool    { return s.Loopback }
func adminProhib(s *Signal) bool { return s.AdminProhibited }
func cert(p CertProblem) pred    { return func(s *Signal) bool { return s.Cert == p } }
func notTLS(s *Signal) bool      { return s.NotTLS }
func alert(s *Signal) bool       { return s.Alert }
func httpErr(s *Signal) bool     { return s.HTTPErr }

// answered: an HTTP answer, its status seen or not (explain reads bodies
// whose status the text does not give).
func answered(s *Signal) bool { return s.Layer == LayerHTTP && !s.HTTPErr }

func status(codes ...int) pred {
	return func(s *Signal) bool {
		return answered(s) && slices.Contains(codes, s.HTTPStatus)
	}
}

// failed: an answer that is an error, or whose status is unknown. Words in
// a successful answer's body (a model named "quota") decide nothing.
func failed(s *Signal) bool { return answered(s) && (s.HTTPStatus == 0 || s.HTTPStatus >= 400) }

func body(m BodyMarks) pred           { return func(s *Signal) bool { return failed(s) && s.Body&m != 0 } }
func htmlBody(s *Signal) bool         { return answered(s) && s.Body&BodyHTML != 0 && s.HTTPStatus < 500 }
func status2xx(s *Signal) bool        { return answered(s) && s.HTTPStatus >= 200 && s.HTTPStatus < 300 }
func status5xx(s *Signal) bool        { return answered(s) && s.HTTPStatus >= 500 }
func keySent(s *Signal) bool          { return s.KeySent }
func noKey(s *Signal) bool            { return !s.KeySent }
func newAPI(s *Signal) bool           { return s.NewAPI }
func ipv6Failed(s *Signal) bool       { return s.IPv6Failed }
func portGuessed(s *Signal) bool      { return s.PortGuessed }
func systemProxyWorks(s *Signal) bool { return s.SystemProxyWorks }
func reachability(s *Signal) bool     { return s.ReachabilityOnly }
func fullURL(s *Signal) bool          { return s.FullURL }

// clientError: a 4xx answer, but not a proxy's 407.
func clientError(s *Signal) bool {
	return answered(s) && s.HTTPStatus >= 400 && s.HTTPStatus < 500 && s.HTTPStatus != 407
}

func look(l Lookalike) pred { return func(s *Signal) bool { return s.Lookalike == l } }

func not(f pred) pred { return func(s *Signal) bool { return !f(s) } }

// classTable is THE classifier: signal → cause, first match wins. Every row
// has a test (classify_test.go). Layers are matched first, so a refused proxy
// can never be reported as a refused target.
var classTable = []rule{
	// "Works in the browser, fails in new-api": whatever broke new-api's
	// path, the fix is to give it the system proxy.
	{CauseSystemProxyOnly, systemProxyWorks},

	// This machine's own sockets, whichever layer met them.
	{CauseEphemeralPorts, kind(KindNoPorts)},
	{CausePortInUse, kind(KindAddrInUse)},

	// Planning: the endpoint or its proxy setting is unusable.
	{CauseProxyUnsupported, and(at(LayerConfig), config(ConfigProxyScheme))},
	{CauseProxyBadURL, and(at(LayerConfig), config(ConfigProxyURL))},
	{CauseTLSCAFile, and(at(LayerConfig), config(ConfigCAFile))},
	{CauseBadURL, at(LayerConfig)},

	// The proxy path: anything here is category proxy. What the proxy said
	// in its error answer, or the protocol it really speaks, comes first.
	{CauseProxyWrongScheme, and(at(LayerProxyConnect, LayerHTTP), look(LookProxyWrongScheme))},
	{CauseProxyTargetDNS, and(at(LayerProxyConnect), look(LookProxyTargetDNS))},
	{CauseProxyTargetRefused, and(at(LayerProxyConnect), look(LookProxyTargetRefused))},
	{CauseProxyTargetTimeout, and(at(LayerProxyConnect), look(LookProxyTargetTimeout))},
	{CauseProxyDNS, at(LayerProxyDNS)},
	{CauseProxyRefused, and(at(LayerProxyTCP), kind(KindRefused))},
	{CauseProxyTimeout, and(at(LayerProxyTCP), kind(KindTimeout))},
	{CauseProxyUnreachable, and(at(LayerProxyTCP), kind(KindNetUnreach, KindHostUnreach, KindAccess, KindNetDown))},
	{CauseProxyReset, and(at(LayerProxyTCP), kind(KindReset, KindAborted))},
	{CauseProxyOther, at(LayerProxyTCP)},
	{CauseProxyTLS, at(LayerProxyTLS)},
	// tinyproxy answers a wrong password with 401, not 407: the same fault.
	{CauseProxyAuthRequired, and(at(LayerProxyConnect), connect(407, 401))},
	{CauseProxyForbidden, and(at(LayerProxyConnect), connect(403))},
	// Squid answers 503 when it cannot reach the target, others 502.
	{CauseProxyBadGateway, and(at(LayerProxyConnect), connect(502, 503))},
	{CauseProxyGatewayTimeout, and(at(LayerProxyConnect), connect(504))},
	{CauseProxyStatus, and(at(LayerProxyConnect), connect())},
	{CauseSOCKSNoMethod, and(at(LayerProxyConnect), socks("greeting"))},
	{CauseSOCKSAuth, and(at(LayerProxyConnect), socks("auth"))},
	{CauseSOCKSRefused, and(at(LayerProxyConnect), socks("connect", 5))},
	{CauseSOCKSUnreachable, and(at(LayerProxyConnect), socks("connect", 3, 4, 6))},
	{CauseSOCKSNotAllowed, and(at(LayerProxyConnect), socks("connect", 2))},
	// 7/8: the proxy does not speak the command or address type asked for.
	{CauseProxyProtocol, and(at(LayerProxyConnect), socks("connect", 7, 8))},
	{CauseSOCKSFailure, and(at(LayerProxyConnect), socks("connect"))},
	{CauseProxyProtocol, and(at(LayerProxyConnect), protocol)},
	{CauseProxyNoAnswerConnect, and(at(LayerProxyConnect), kind(KindTimeout))},
	{CauseProxyReset, and(at(LayerProxyConnect), kind(KindReset, KindAborted, KindEOF))},
	{CauseProxyOther, at(LayerProxyConnect)},

	// Look-alikes a differential probe proved (differential.go): the fault
	// is not what the layer that broke suggests.
	{CauseFakeIP, look(LookFakeIP)},
	{CauseDNSSinkhole, look(LookSinkhole)},
	{CauseHostsFile, look(LookHostsFile)},
	{CauseDNSInjected, look(LookDNSInjected)},
	{CauseDNSWrong, look(LookDNSWrong)},
	{CauseSNIFiltered, and(at(LayerTLS), look(LookSNIFiltered))},
	{CauseIncompleteChain, and(at(LayerTLS), look(LookIncompleteChain))},
	{CauseClientCert, and(at(LayerTLS, LayerHTTP), look(LookClientCertNeeded))},
	{CauseKeywordFiltered, and(at(LayerHTTP), look(LookKeywordFiltered))},
	{CauseMTUBlackhole, and(at(LayerTLS, LayerHTTP), look(LookMTUBlackhole))},
	// What answered was not the upstream, or did not finish (observed in the
	// answer itself, middle.go).
	{CauseBodyStalled, and(answered, look(LookBodyStalled))},
	{CauseCaptivePortal, and(at(LayerHTTP, LayerTLS), look(LookCaptivePortal))},
	{CauseProxyBlockPage, and(answered, look(LookProxyBlockPage))},
	{CauseBotWall, and(answered, look(LookBotWall))},
	// A control through the same path (differential_control.go): the least
	// specific look-alike, so it is tried after every other.
	{CauseEndpointFiltered, look(LookEndpointFiltered)},
	{CausePathDown, look(LookPathDown)},

	// DNS of the target.
	{CauseNoResolver, and(at(LayerDNS), noResolver)},
	{CauseNXDOMAIN, and(at(LayerDNS), rcode("NXDOMAIN"))},
	{CauseSERVFAIL, and(at(LayerDNS), rcode("SERVFAIL"))},
	{CauseDNSRefused, and(at(LayerDNS), rcode("REFUSED"))},
	{CauseDNSNoAnswer, and(at(LayerDNS), rcode("NOERROR"))},
	{CauseDNSTimeout, and(at(LayerDNS), kind(KindTimeout))},
	{CauseDNSUnreachble, and(at(LayerDNS), kind(KindRefused, KindNetUnreach, KindHostUnreach))},
	{CauseNXDOMAIN, and(at(LayerDNS), notFound)},
	{CauseDNSOther, at(LayerDNS)},

	// TCP to the target.
	// Nothing answers on a port the doctor guessed (issue 9.6).
	{CauseGatewayPortGuessed, and(at(LayerTCP), kind(KindRefused, KindReset, KindAborted), portGuessed)},
	{CauseAdminProhib, and(at(LayerTCP), kind(KindHostUnreach), adminProhib)},
	{CauseLocalRefused, and(at(LayerTCP), kind(KindRefused), loopback)},
	{CauseConnRefused, and(at(LayerTCP), kind(KindRefused))},
	{CauseSYNTimeout, and(at(LayerTCP), kind(KindTimeout))},
	{CauseLocalFirewall, and(at(LayerTCP), kind(KindAccess))},
	{CauseNetUnreachable, and(at(LayerTCP), kind(KindNetUnreach))},
	{CauseHostUnreachable, and(at(LayerTCP), kind(KindHostUnreach))},
	{CauseNoNetwork, and(at(LayerTCP), kind(KindNetDown))},
	{CauseConnResetConnect, and(at(LayerTCP), kind(KindReset, KindAborted))},
	{CauseAddrNotValid, and(at(LayerTCP), kind(KindAddrNotAvail))},
	{CauseHostUnreachable, at(LayerTCP)},

	// TLS with the target. Certificate problems first; then the network
	// signatures of a filter (TCP worked, the handshake was cut).
	{CauseTLSHostname, and(at(LayerTLS), cert(CertHostname))},
	{CauseTLSUntrusted, and(at(LayerTLS), cert(CertUntrusted))},
	{CauseTLSNotYet, and(at(LayerTLS), cert(CertNotYetValid))},
	{CauseTLSExpired, and(at(LayerTLS), cert(CertExpired))},
	{CauseTLSOther, and(at(LayerTLS), cert(CertInvalid))},
	{CauseTLSNotTLS, and(at(LayerTLS), notTLS)},
	{CauseTLSAlert, and(at(LayerTLS), alert)},
	{CauseTLSReset, and(at(LayerTLS), kind(KindReset, KindAborted))},
	{CauseTLSEOF, and(at(LayerTLS), kind(KindEOF))},
	{CauseTLSTimeout, and(at(LayerTLS), kind(KindTimeout))},
	{CauseTLSOther, at(LayerTLS)},

	// HTTP: transport failures after the connection was up.
	{CauseNoResponse, and(at(LayerHTTP), httpErr, kind(KindTimeout))},
	{CauseHTTPReset, and(at(LayerHTTP), httpErr, kind(KindReset, KindAborted))},
	{CauseHTTPEOF, and(at(LayerHTTP), httpErr, kind(KindEOF))},
	{CauseHTTPProtocol, and(at(LayerHTTP), httpErr)},
	// HTTP answers. What the provider says in words comes before its status:
	// region blocks arrive as 400/403, exhausted quotas as 429/402/403.
	{CauseRegionBlocked, or(body(BodyRegion), status(451))}, // 451 Unavailable For Legal Reasons
	// What proves the path for this kind of channel: any 4xx but a proxy's
	// at a non-OpenAI channel's root; a 405 to the GET of a Custom
	// channel's POST URL (issue 9.7).
	{CauseOK, and(reachability, clientError)},
	{CauseOK, and(fullURL, status(405))},
	// 402 Payment Required is how DeepSeek and OpenRouter say the balance ran out.
	{CauseQuota, or(body(BodyQuota), status(402))},
	{CauseRateLimited, or(status(429), body(BodyRateLimit))},
	{CauseOverloaded529, or(status(529), body(BodyOverloaded))},
	{CauseUnavailable, status(503)},
	{CauseBadGateway, status(502, 520, 521, 523)}, // Cloudflare's 520/521/523: its origin did not answer it
	{CauseGatewayTO, status(504, 522, 524)},       // Cloudflare's 522/524: its origin timed out
	// A web page with a 5xx is a gateway's error page: its status says more.
	{CauseHTML, htmlBody},
	// 407 is only ever a proxy's (a plain-http request through it).
	{CauseProxyAuthRequired, status(407)},
	{CauseUnauthorized, and(keySent, or(status(401), and(body(BodyAuth), not(status(403)))))},
	{CauseForbidden, and(status(403), keySent)},
	{CauseOKKeyNotSent, and(status(401, 403), noKey)},
	{CauseNotFound, status(404)},
	{CauseNewAPIOK, and(status2xx, newAPI)},
	{CauseIPv6Broken, and(status2xx, ipv6Failed)},
	{CauseOK, status2xx},
	{CauseServerError, status5xx},
	{CauseHTTPStatus, at(LayerHTTP)},
}

// ClassifySignal maps a signal to its cause. A signal no row explains is an
// internal error, reported as such rather than guessed.
func ClassifySignal(s Signal) Cause {
	if i := classifyRow(&s); i >= 0 {
		return classTable[i].cause
	}
	return CauseInternalError
}

// Classify maps the chain's evidence to a category and cause.
func Classify(ev Evidence) (Category, Cause) {
	c := ClassifySignal(ev.Signal())
	return c.Category(), c
}

// classifyRow returns the index of the first matching row, or -1; tests use
// it to prove every row is reachable.
func classifyRow(s *Signal) int {
	for i, r := range classTable {
		if r.match(s) {
			return i
		}
	}
	return -1
}
