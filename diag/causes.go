package diag

// Cause names why an endpoint failed, one level finer than its Category.
// Cause strings are part of the JSON contract: extend, never rename. Each
// cause has one catalogue entry (hints.go) giving its category, layer and hint.
type Cause string

const (
	CauseOK            Cause = "ok"
	CauseOKKeyNotSent  Cause = "ok-key-not-checked" // reachable; 401/403 because no key was configured
	CauseNewAPIOK      Cause = "newapi-ok"          // a new-api gateway answered /api/status
	CauseBadURL        Cause = "bad-url"
	CauseInterrupted   Cause = "interrupted"
	CauseDeadline      Cause = "deadline-exceeded" // the whole run's deadline ended this endpoint
	CauseInternalError Cause = "internal-error"

	// dns
	CauseNXDOMAIN      Cause = "nxdomain"
	CauseSERVFAIL      Cause = "servfail"
	CauseDNSRefused    Cause = "dns-refused" // the resolver answered REFUSED
	CauseDNSTimeout    Cause = "dns-timeout" // the resolver never answered
	CauseDNSNoAnswer   Cause = "no-answer"   // NOERROR without addresses
	CauseNoResolver    Cause = "no-resolver"
	CauseDNSUnreachble Cause = "resolver-unreachable"
	CauseFakeIP        Cause = "fake-ip" // answered from 198.18.0.0/15 (Clash fake-IP)

	// refused
	CauseConnRefused      Cause = "connection-refused"
	CauseLocalRefused     Cause = "local-refused" // refused on loopback: nothing listens
	CauseConnResetConnect Cause = "reset-on-connect"

	// blocked
	CauseSYNTimeout    Cause = "syn-timeout"
	CauseTLSReset      Cause = "tls-reset"   // reset during the handshake after TCP succeeded (SNI filtering)
	CauseTLSEOF        Cause = "tls-eof"     // closed during the handshake after TCP succeeded
	CauseTLSTimeout    Cause = "tls-timeout" // ClientHello went unanswered
	CauseLocalFirewall Cause = "local-firewall"
	CauseRegionBlocked Cause = "region-blocked"
	CauseAdminProhib   Cause = "admin-prohibited"

	// unreachable
	CauseNetUnreachable  Cause = "network-unreachable"
	CauseHostUnreachable Cause = "host-unreachable"
	CauseNoNetwork       Cause = "no-network"

	// proxy
	CauseProxyBadURL          Cause = "proxy-bad-url"
	CauseProxyUnsupported     Cause = "proxy-unsupported-scheme"
	CauseProxyDNS             Cause = "proxy-dns"
	CauseProxyRefused         Cause = "proxy-refused"
	CauseProxyTimeout         Cause = "proxy-timeout"
	CauseProxyUnreachable     Cause = "proxy-unreachable"
	CauseProxyReset           Cause = "proxy-reset"
	CauseProxyTLS             Cause = "proxy-tls"
	CauseProxyAuthRequired    Cause = "proxy-auth-required" // 407, or 401 (tinyproxy) to CONNECT
	CauseProxyForbidden       Cause = "proxy-forbidden"     // 403 (ACL, CONNECT port restriction)
	CauseProxyBadGateway      Cause = "proxy-bad-gateway"   // 502: the proxy could not reach the target
	CauseProxyGatewayTimeout  Cause = "proxy-gateway-timeout"
	CauseProxyStatus          Cause = "proxy-status" // any other CONNECT status
	CauseProxyProtocol        Cause = "proxy-protocol"
	CauseSOCKSAuth            Cause = "socks-auth-failed"
	CauseSOCKSNoMethod        Cause = "socks-no-acceptable-method"
	CauseSOCKSRefused         Cause = "socks-target-refused"
	CauseSOCKSUnreachable     Cause = "socks-target-unreachable"
	CauseSOCKSNotAllowed      Cause = "socks-not-allowed"
	CauseSOCKSFailure         Cause = "socks-failure"
	CauseProxyNoAnswerConnect Cause = "proxy-connect-timeout"

	// tls
	CauseTLSUntrusted Cause = "untrusted-certificate"
	CauseTLSHostname  Cause = "hostname-mismatch"
	CauseTLSExpired   Cause = "certificate-expired"
	CauseTLSNotYet    Cause = "certificate-not-yet-valid"
	CauseTLSNotTLS    Cause = "not-tls"
	CauseTLSAlert     Cause = "tls-alert"
	CauseTLSOther     Cause = "tls-error"
	CauseTLSCAFile    Cause = "ca-file"

	// overloaded
	CauseRateLimited   Cause = "rate-limited"
	CauseQuota         Cause = "quota-exceeded"
	CauseUnavailable   Cause = "service-unavailable" // 503
	CauseOverloaded529 Cause = "overloaded"          // 529 (Anthropic)
	CauseBadGateway    Cause = "bad-gateway"         // 502
	CauseGatewayTO     Cause = "gateway-timeout"     // 504, 524
	CauseNoResponse    Cause = "no-response"         // accepted, never answered in time

	// auth
	CauseUnauthorized Cause = "unauthorized"
	CauseForbidden    Cause = "forbidden"

	// http
	CauseNotFound     Cause = "not-found"
	CauseHTML         Cause = "html-instead-of-json"
	CauseHTTPStatus   Cause = "unexpected-status"
	CauseHTTPReset    Cause = "reset-during-http"
	CauseHTTPEOF      Cause = "empty-reply"
	CauseHTTPProtocol Cause = "protocol-error"
	CauseServerError  Cause = "server-error"
)

// Causes added after the first cut (kept apart so the list above stays stable).
const (
	CauseDNSOther   Cause = "dns-error"
	CauseProxyOther Cause = "proxy-error"
	// CauseIPv6Broken: ok over IPv4 while the name's IPv6 address failed
	// (graded info: Happy Eyeballs clients work, IPv6-first ones stall).
	CauseIPv6Broken Cause = "ipv6-broken"
	// CauseGatewayPortGuessed: nothing answers on a port the doctor
	// guessed (new-api's default, PORT unset): a warning, never a failure.
	CauseGatewayPortGuessed Cause = "gateway-port-guessed"
	// CauseSystemProxyOnly: the path new-api takes (direct, or the
	// environment's proxy) fails while the OS's system proxy — the one
	// browsers follow and Go ignores — reaches the upstream.
	CauseSystemProxyOnly Cause = "system-proxy-only"
	// Local socket faults Windows users meet (issue 12.5): a port already
	// taken (10048), an address that cannot be connected to (10049, a base
	// URL of 0.0.0.0), no ephemeral port left (10055 / EADDRNOTAVAIL).
	CausePortInUse      Cause = "port-in-use"
	CauseAddrNotValid   Cause = "address-not-valid"
	CauseEphemeralPorts Cause = "ephemeral-ports-exhausted"
)

// Look-alike causes (issue 11): a differential probe told these apart from
// the verdict the chain saw first (differential.go).
const (
	CauseDNSSinkhole     Cause = "dns-sinkhole"        // 0.0.0.0, :: or 127/8 for a public name
	CauseHostsFile       Cause = "hosts-file-override" // a hosts file line pins the name
	CauseDNSInjected     Cause = "dns-injected"        // the answer came from where no DNS server listens
	CauseDNSWrong        Cause = "dns-wrong-answer"    // another resolver's answer connects, the system's does not
	CauseSNIFiltered     Cause = "sni-filtered"        // the same address answers another SNI or none
	CauseIncompleteChain Cause = "incomplete-chain"    // the server omits its intermediate certificate
	CauseClientCert      Cause = "client-certificate-required"
	CauseKeywordFiltered Cause = "keyword-filtered" // a neutral request on the same path is answered
	CauseMTUBlackhole    Cause = "mtu-blackhole"    // the exchange passes with a small MSS
)

// Look-alike causes of issue 11 items 5-8: what answered, read (a stalled
// body, something in the middle, the proxy's own error page) and a control
// target probed through the same path.
const (
	CauseBodyStalled        Cause = "body-stalled"         // headers, then the body stopped
	CauseCaptivePortal      Cause = "captive-portal"       // redirected to another host
	CauseProxyBlockPage     Cause = "proxy-block-page"     // a 200 web page from an http proxy
	CauseBotWall            Cause = "cloudflare-challenge" // a bot wall in front of the provider
	CauseProxyTargetDNS     Cause = "proxy-target-dns"     // the proxy could not resolve the target
	CauseProxyTargetRefused Cause = "proxy-target-refused" // the target refused the proxy's connection
	CauseProxyTargetTimeout Cause = "proxy-target-timeout" // the target did not answer the proxy
	CauseProxyWrongScheme   Cause = "proxy-wrong-scheme"   // http:// on a SOCKS port, or the reverse
	CauseEndpointFiltered   Cause = "endpoint-filtered"    // a control through the same path passes
	CausePathDown           Cause = "path-down"            // every control fails too
)
