package diag

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// Evidence is what the chain saw at its first failing layer (or at the HTTP
// layer when everything connected). The classifier reads types, errnos and
// status codes; message text is only read from HTTP bodies, where the
// providers put their reasons.
type Evidence struct {
	Layer    Layer
	Err      error
	Addr     netip.Addr // the address that failed, when known
	KeySent  bool
	Provider string
	DNS      *probe.DNSResult
	Proxy    *probe.ProxyResult
	HTTP     *probe.HTTPResult
	TLS      *probe.TLSResult
	Now      time.Time // for certificate validity (zero = time.Now)
}

// rule is one row of the classification table: the first row that matches wins.
type rule struct {
	cat   Category
	cause string
	match func(*Evidence) bool
}

func layerIs(ls ...Layer) func(*Evidence) bool {
	return func(ev *Evidence) bool {
		for _, l := range ls {
			if ev.Layer == l {
				return true
			}
		}
		return false
	}
}

func and(fs ...func(*Evidence) bool) func(*Evidence) bool {
	return func(ev *Evidence) bool {
		for _, f := range fs {
			if !f(ev) {
				return false
			}
		}
		return true
	}
}

func kindIs(k errKind) func(*Evidence) bool {
	return func(ev *Evidence) bool { return ev.Err != nil && kindOf(ev.Err) == k }
}

func errAs[T error]() func(*Evidence) bool {
	return func(ev *Evidence) bool {
		var t T
		return ev.Err != nil && errors.As(ev.Err, &t)
	}
}

func proxyErrCause(c string) func(*Evidence) bool {
	return func(ev *Evidence) bool {
		var pe *ProxyError
		return errors.As(ev.Err, &pe) && pe.Cause == c
	}
}

func connectStatus(codes ...int) func(*Evidence) bool {
	return func(ev *Evidence) bool {
		var ce *probe.ConnectError
		if !errors.As(ev.Err, &ce) {
			return false
		}
		if len(codes) == 0 {
			return true
		}
		for _, c := range codes {
			if ce.StatusCode == c {
				return true
			}
		}
		return false
	}
}

func socks(stage string, replies ...byte) func(*Evidence) bool {
	return func(ev *Evidence) bool {
		var se *probe.SOCKSError
		if !errors.As(ev.Err, &se) || se.Stage != stage {
			return false
		}
		if len(replies) == 0 {
			return true
		}
		for _, r := range replies {
			if se.Reply == r {
				return true
			}
		}
		return false
	}
}

func rcode(c string) func(*Evidence) bool {
	return func(ev *Evidence) bool { return ev.DNS != nil && ev.DNS.Rcode == c }
}

func noResolver(ev *Evidence) bool { return ev.DNS != nil && ev.DNS.NoResolver }

func dnsNotFound(ev *Evidence) bool {
	var de *net.DNSError
	return errors.As(ev.Err, &de) && de.IsNotFound
}

func dnsTimeout(ev *Evidence) bool {
	var de *net.DNSError
	if errors.As(ev.Err, &de) && de.IsTimeout {
		return true
	}
	return kindOf(ev.Err) == kindTimeout
}

func loopback(ev *Evidence) bool { return ev.Addr.IsValid() && ev.Addr.Unmap().IsLoopback() }

func certInvalid(reason x509.InvalidReason) func(*Evidence) bool {
	return func(ev *Evidence) bool {
		var ce x509.CertificateInvalidError
		return errors.As(ev.Err, &ce) && ce.Reason == reason
	}
}

// notYetValid tells an expired certificate from one not valid yet: x509
// reports both as Expired.
func notYetValid(ev *Evidence) bool {
	var ce x509.CertificateInvalidError
	if !errors.As(ev.Err, &ce) || ce.Reason != x509.Expired || ce.Cert == nil {
		return false
	}
	now := ev.Now
	if now.IsZero() {
		now = time.Now()
	}
	return now.Before(ce.Cert.NotBefore)
}

func remoteAlert(ev *Evidence) bool {
	var oe *net.OpError
	if errors.As(ev.Err, &oe) && oe.Op == "remote error" {
		return true
	}
	var ae tls.AlertError
	return errors.As(ev.Err, &ae)
}

func httpOK(ev *Evidence) bool { return ev.HTTP != nil && ev.HTTP.Err == nil && ev.HTTP.Status != 0 }

func status(codes ...int) func(*Evidence) bool {
	return func(ev *Evidence) bool {
		if !httpOK(ev) {
			return false
		}
		for _, c := range codes {
			if ev.HTTP.Status == c {
				return true
			}
		}
		return false
	}
}

func status2xx(ev *Evidence) bool { return httpOK(ev) && ev.HTTP.Status >= 200 && ev.HTTP.Status < 300 }
func status5xx(ev *Evidence) bool { return httpOK(ev) && ev.HTTP.Status >= 500 }
func keySent(ev *Evidence) bool   { return ev.KeySent }
func noKey(ev *Evidence) bool     { return !ev.KeySent }

// bodyHas looks into the provider's error fields and body for a marker. This
// is the one place text decides: providers only say "region" or "quota" in words.
func bodyHas(markers ...string) func(*Evidence) bool {
	return func(ev *Evidence) bool {
		if ev.HTTP == nil {
			return false
		}
		hay := strings.ToLower(ev.HTTP.ErrorType + " " + ev.HTTP.ErrorCode + " " + ev.HTTP.ErrorMessage + " " + string(ev.HTTP.Body))
		for _, m := range markers {
			if strings.Contains(hay, strings.ToLower(m)) {
				return true
			}
		}
		return false
	}
}

// isHTML: the answer is a web page where an API answers JSON.
func isHTML(ev *Evidence) bool {
	if !httpOK(ev) {
		return false
	}
	ct := strings.ToLower(ev.HTTP.ContentType)
	if strings.Contains(ct, "text/html") {
		return true
	}
	b := bytes.TrimSpace(ev.HTTP.Body)
	return !strings.Contains(ct, "json") && len(b) > 0 && b[0] == '<'
}

func httpErr(ev *Evidence) bool { return ev.HTTP != nil && ev.HTTP.Err != nil }

// RegionMarkers and QuotaMarkers are the providers' words for a region block
// and an exhausted quota (lower case). check reads them in answer bodies,
// explain in log lines: one list, so both name the same causes.
var (
	RegionMarkers = []string{"unsupported_country_region_territory", "request not allowed", "user location is not supported", "not available in your country",
		"country, region, or territory not supported", "not available in your region", "request not allowed from your location"}
	QuotaMarkers = []string{"insufficient_quota", "user quota is not enough", "insufficient_user_quota", "exceeded your current quota", "credit balance is too low", "quota exceeded",
		"billing_hard_limit_reached", "insufficient balance", "余额不足", "额度不足"}
)

// classTable is THE classifier: evidence → (category, cause), first match wins.
// Every row has a test (classify_test.go). Layers are matched first, so a
// refused proxy can never be reported as a refused target.
var classTable = []rule{
	// Planning: the endpoint or its proxy setting is unusable.
	{CatProxy, CauseProxyUnsupported, and(layerIs(LayerConfig), proxyErrCause(CauseProxyUnsupported))},
	{CatProxy, CauseProxyBadURL, and(layerIs(LayerConfig), proxyErrCause(CauseProxyBadURL))},
	{CatTLS, CauseTLSCAFile, and(layerIs(LayerConfig), errAs[*CAFileError]())},
	{CatHTTP, CauseBadURL, layerIs(LayerConfig)},

	// The proxy path: anything here is category proxy.
	{CatProxy, CauseProxyDNS, layerIs(LayerProxyDNS)},
	{CatProxy, CauseProxyRefused, and(layerIs(LayerProxyTCP), kindIs(kindRefused))},
	{CatProxy, CauseProxyTimeout, and(layerIs(LayerProxyTCP), kindIs(kindTimeout))},
	{CatProxy, CauseProxyUnreachable, and(layerIs(LayerProxyTCP), kindIs(kindNetUnreach))},
	{CatProxy, CauseProxyUnreachable, and(layerIs(LayerProxyTCP), kindIs(kindHostUnreach))},
	{CatProxy, CauseProxyUnreachable, and(layerIs(LayerProxyTCP), kindIs(kindAccess))},
	{CatProxy, CauseProxyReset, and(layerIs(LayerProxyTCP), kindIs(kindReset))},
	{CatProxy, CauseProxyOther, layerIs(LayerProxyTCP)},
	{CatProxy, CauseProxyTLS, layerIs(LayerProxyTLS)},
	// tinyproxy answers a wrong password with 401, not 407: the same fault.
	{CatProxy, CauseProxyAuthRequired, and(layerIs(LayerProxyConnect), connectStatus(407, 401))},
	{CatProxy, CauseProxyForbidden, and(layerIs(LayerProxyConnect), connectStatus(403))},
	{CatProxy, CauseProxyBadGateway, and(layerIs(LayerProxyConnect), connectStatus(502, 503))},
	{CatProxy, CauseProxyGatewayTimeout, and(layerIs(LayerProxyConnect), connectStatus(504))},
	{CatProxy, CauseProxyStatus, and(layerIs(LayerProxyConnect), connectStatus())},
	{CatProxy, CauseSOCKSNoMethod, and(layerIs(LayerProxyConnect), socks("greeting"))},
	{CatProxy, CauseSOCKSAuth, and(layerIs(LayerProxyConnect), socks("auth"))},
	{CatProxy, CauseSOCKSRefused, and(layerIs(LayerProxyConnect), socks("connect", 5))},
	{CatProxy, CauseSOCKSUnreachable, and(layerIs(LayerProxyConnect), socks("connect", 3, 4))},
	{CatProxy, CauseSOCKSNotAllowed, and(layerIs(LayerProxyConnect), socks("connect", 2))},
	{CatProxy, CauseSOCKSFailure, and(layerIs(LayerProxyConnect), socks("connect"))},
	{CatProxy, CauseProxyProtocol, and(layerIs(LayerProxyConnect), socks("protocol"))},
	{CatProxy, CauseProxyProtocol, and(layerIs(LayerProxyConnect), errAs[*probe.ProtocolError]())},
	{CatProxy, CauseProxyNoAnswerConnect, and(layerIs(LayerProxyConnect), kindIs(kindTimeout))},
	{CatProxy, CauseProxyReset, and(layerIs(LayerProxyConnect), kindIs(kindReset))},
	{CatProxy, CauseProxyReset, and(layerIs(LayerProxyConnect), kindIs(kindEOF))},
	{CatProxy, CauseProxyOther, layerIs(LayerProxyConnect)},

	// DNS of the target.
	{CatDNS, CauseNoResolver, and(layerIs(LayerDNS), noResolver)},
	{CatDNS, CauseNXDOMAIN, and(layerIs(LayerDNS), rcode("NXDOMAIN"))},
	{CatDNS, CauseSERVFAIL, and(layerIs(LayerDNS), rcode("SERVFAIL"))},
	{CatDNS, CauseDNSRefused, and(layerIs(LayerDNS), rcode("REFUSED"))},
	{CatDNS, CauseDNSNoAnswer, and(layerIs(LayerDNS), rcode("NOERROR"))},
	{CatDNS, CauseDNSTimeout, and(layerIs(LayerDNS), dnsTimeout)},
	{CatDNS, CauseDNSUnreachble, and(layerIs(LayerDNS), kindIs(kindRefused))},
	{CatDNS, CauseDNSUnreachble, and(layerIs(LayerDNS), kindIs(kindNetUnreach))},
	{CatDNS, CauseNXDOMAIN, and(layerIs(LayerDNS), dnsNotFound)},
	{CatDNS, CauseDNSOther, layerIs(LayerDNS)},

	// TCP to the target.
	{CatRefused, CauseLocalRefused, and(layerIs(LayerTCP), kindIs(kindRefused), loopback)},
	{CatRefused, CauseConnRefused, and(layerIs(LayerTCP), kindIs(kindRefused))},
	{CatBlocked, CauseSYNTimeout, and(layerIs(LayerTCP), kindIs(kindTimeout))},
	{CatBlocked, CauseLocalFirewall, and(layerIs(LayerTCP), kindIs(kindAccess))},
	{CatUnreachable, CauseNetUnreachable, and(layerIs(LayerTCP), kindIs(kindNetUnreach))},
	{CatUnreachable, CauseHostUnreachable, and(layerIs(LayerTCP), kindIs(kindHostUnreach))},
	{CatUnreachable, CauseNoNetwork, and(layerIs(LayerTCP), kindIs(kindNetDown))},
	{CatRefused, CauseConnResetConnect, and(layerIs(LayerTCP), kindIs(kindReset))},
	{CatRefused, CauseConnResetConnect, and(layerIs(LayerTCP), kindIs(kindAborted))},
	{CatUnreachable, CauseHostUnreachable, layerIs(LayerTCP)},

	// TLS with the target. Certificate problems first; then the network
	// signatures of a filter (TCP worked, the handshake was cut).
	{CatTLS, CauseTLSHostname, and(layerIs(LayerTLS), errAs[x509.HostnameError]())},
	{CatTLS, CauseTLSUntrusted, and(layerIs(LayerTLS), errAs[x509.UnknownAuthorityError]())},
	{CatTLS, CauseTLSNotYet, and(layerIs(LayerTLS), notYetValid)},
	{CatTLS, CauseTLSExpired, and(layerIs(LayerTLS), certInvalid(x509.Expired))},
	{CatTLS, CauseTLSOther, and(layerIs(LayerTLS), errAs[x509.CertificateInvalidError]())},
	{CatTLS, CauseTLSNotTLS, and(layerIs(LayerTLS), errAs[tls.RecordHeaderError]())},
	{CatTLS, CauseTLSAlert, and(layerIs(LayerTLS), remoteAlert)},
	{CatBlocked, CauseTLSReset, and(layerIs(LayerTLS), kindIs(kindReset))},
	{CatBlocked, CauseTLSReset, and(layerIs(LayerTLS), kindIs(kindAborted))},
	{CatBlocked, CauseTLSEOF, and(layerIs(LayerTLS), kindIs(kindEOF))},
	{CatBlocked, CauseTLSTimeout, and(layerIs(LayerTLS), kindIs(kindTimeout))},
	{CatTLS, CauseTLSOther, layerIs(LayerTLS)},

	// HTTP: transport failures after the connection was up.
	{CatOverloaded, CauseNoResponse, and(layerIs(LayerHTTP), httpErr, kindIs(kindTimeout))},
	{CatHTTP, CauseHTTPReset, and(layerIs(LayerHTTP), httpErr, kindIs(kindReset))},
	{CatHTTP, CauseHTTPEOF, and(layerIs(LayerHTTP), httpErr, kindIs(kindEOF))},
	{CatHTTP, CauseHTTPProtocol, and(layerIs(LayerHTTP), httpErr)},
	// HTTP answers. Region blocks come before auth: they arrive as 403/400.
	{CatBlocked, CauseRegionBlocked, and(layerIs(LayerHTTP), status(400, 403, 451), bodyHas(RegionMarkers...))},
	{CatOverloaded, CauseQuota, and(layerIs(LayerHTTP), status(429, 402), bodyHas(QuotaMarkers...))},
	{CatOverloaded, CauseRateLimited, and(layerIs(LayerHTTP), status(429))},
	{CatOverloaded, CauseUnavailable, and(layerIs(LayerHTTP), status(503))},
	{CatOverloaded, CauseOverloaded529, and(layerIs(LayerHTTP), status(529))},
	{CatOverloaded, CauseBadGateway, and(layerIs(LayerHTTP), status(502))},
	{CatOverloaded, CauseGatewayTO, and(layerIs(LayerHTTP), status(504, 524))},
	{CatHTTP, CauseHTML, and(layerIs(LayerHTTP), isHTML)},
	{CatAuth, CauseUnauthorized, and(layerIs(LayerHTTP), status(401), keySent)},
	{CatAuth, CauseForbidden, and(layerIs(LayerHTTP), status(403), keySent)},
	{CatOK, CauseOKKeyNotSent, and(layerIs(LayerHTTP), status(401, 403), noKey)},
	{CatHTTP, CauseNotFound, and(layerIs(LayerHTTP), status(404))},
	{CatOK, CauseOK, and(layerIs(LayerHTTP), status2xx)},
	{CatHTTP, CauseServerError, and(layerIs(LayerHTTP), status5xx)},
	{CatHTTP, CauseHTTPStatus, layerIs(LayerHTTP)},
}

// Classify maps evidence to a category and cause. It never fails: evidence
// no row explains is an internal error, reported as such rather than guessed.
func Classify(ev Evidence) (Category, string) {
	if i := classifyRow(&ev); i >= 0 {
		return classTable[i].cat, classTable[i].cause
	}
	return CatHTTP, CauseInternalError
}

// classifyRow returns the index of the first matching row, or -1; tests use
// it to prove every row is reachable.
func classifyRow(ev *Evidence) int {
	for i, r := range classTable {
		if r.match(ev) {
			return i
		}
	}
	return -1
}
