package diag

// Cause names why an endpoint failed, one level finer than its Category.
// Cause strings are part of the JSON contract: extend, never rename.
const (
	CauseOK            = "ok"
	CauseOKKeyNotSent  = "ok-key-not-checked" // reachable; 401/403 because no key was configured
	CauseNewAPIOK      = "newapi-ok"          // a new-api gateway answered /api/status
	CauseBadURL        = "bad-url"
	CauseInterrupted   = "interrupted"
	CauseDeadline      = "deadline-exceeded" // the whole run's deadline ended this endpoint
	CauseInternalError = "internal-error"

	// dns
	CauseNXDOMAIN      = "nxdomain"
	CauseSERVFAIL      = "servfail"
	CauseDNSRefused    = "dns-refused" // the resolver answered REFUSED
	CauseDNSTimeout    = "dns-timeout" // the resolver never answered
	CauseDNSNoAnswer   = "no-answer"   // NOERROR without addresses
	CauseNoResolver    = "no-resolver"
	CauseDNSUnreachble = "resolver-unreachable"
	CauseFakeIP        = "fake-ip" // answered from 198.18.0.0/15 (Clash fake-IP)

	// refused
	CauseConnRefused      = "connection-refused"
	CauseLocalRefused     = "local-refused" // refused on loopback: nothing listens
	CauseConnResetConnect = "reset-on-connect"

	// blocked
	CauseSYNTimeout    = "syn-timeout"
	CauseTLSReset      = "tls-reset"   // reset during the handshake after TCP succeeded (SNI filtering)
	CauseTLSEOF        = "tls-eof"     // closed during the handshake after TCP succeeded
	CauseTLSTimeout    = "tls-timeout" // ClientHello went unanswered
	CauseLocalFirewall = "local-firewall"
	CauseRegionBlocked = "region-blocked"
	CauseAdminProhib   = "admin-prohibited"

	// unreachable
	CauseNetUnreachable  = "network-unreachable"
	CauseHostUnreachable = "host-unreachable"
	CauseNoNetwork       = "no-network"

	// proxy
	CauseProxyBadURL          = "proxy-bad-url"
	CauseProxyUnsupported     = "proxy-unsupported-scheme"
	CauseProxyDNS             = "proxy-dns"
	CauseProxyRefused         = "proxy-refused"
	CauseProxyTimeout         = "proxy-timeout"
	CauseProxyUnreachable     = "proxy-unreachable"
	CauseProxyReset           = "proxy-reset"
	CauseProxyTLS             = "proxy-tls"
	CauseProxyAuthRequired    = "proxy-auth-required" // 407, or 401 (tinyproxy) to CONNECT
	CauseProxyForbidden       = "proxy-forbidden"     // 403 (ACL, CONNECT port restriction)
	CauseProxyBadGateway      = "proxy-bad-gateway"   // 502: the proxy could not reach the target
	CauseProxyGatewayTimeout  = "proxy-gateway-timeout"
	CauseProxyStatus          = "proxy-status" // any other CONNECT status
	CauseProxyProtocol        = "proxy-protocol"
	CauseSOCKSAuth            = "socks-auth-failed"
	CauseSOCKSNoMethod        = "socks-no-acceptable-method"
	CauseSOCKSRefused         = "socks-target-refused"
	CauseSOCKSUnreachable     = "socks-target-unreachable"
	CauseSOCKSNotAllowed      = "socks-not-allowed"
	CauseSOCKSFailure         = "socks-failure"
	CauseProxyNoAnswerConnect = "proxy-connect-timeout"

	// tls
	CauseTLSUntrusted = "untrusted-certificate"
	CauseTLSHostname  = "hostname-mismatch"
	CauseTLSExpired   = "certificate-expired"
	CauseTLSNotYet    = "certificate-not-yet-valid"
	CauseTLSNotTLS    = "not-tls"
	CauseTLSAlert     = "tls-alert"
	CauseTLSOther     = "tls-error"
	CauseTLSCAFile    = "ca-file"

	// overloaded
	CauseRateLimited   = "rate-limited"
	CauseQuota         = "quota-exceeded"
	CauseUnavailable   = "service-unavailable" // 503
	CauseOverloaded529 = "overloaded"          // 529 (Anthropic)
	CauseBadGateway    = "bad-gateway"         // 502
	CauseGatewayTO     = "gateway-timeout"     // 504, 524
	CauseNoResponse    = "no-response"         // accepted, never answered in time

	// auth
	CauseUnauthorized = "unauthorized"
	CauseForbidden    = "forbidden"

	// http
	CauseNotFound     = "not-found"
	CauseHTML         = "html-instead-of-json"
	CauseHTTPStatus   = "unexpected-status"
	CauseHTTPReset    = "reset-during-http"
	CauseHTTPEOF      = "empty-reply"
	CauseHTTPProtocol = "protocol-error"
	CauseServerError  = "server-error"
)

// Causes added after the first cut (kept apart so the list above stays stable).
const (
	CauseDNSOther   = "dns-error"
	CauseProxyOther = "proxy-error"
	// CauseIPv6Broken: ok over IPv4 while the name's IPv6 address failed
	// (graded info: Happy Eyeballs clients work, IPv6-first ones stall).
	CauseIPv6Broken = "ipv6-broken"
	// CauseGatewayPortGuessed: nothing answers on a port the doctor
	// guessed (new-api's default, PORT unset): a warning, never a failure.
	CauseGatewayPortGuessed = "gateway-port-guessed"
)
