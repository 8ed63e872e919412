package diag

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// opErr wraps an errno the way the net package does, through url.Error for
// the HTTP layer, so errors.Is/As must dig as in real life.
func opErr(op string, errno syscall.Errno) error {
	return &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError("connect", errno)}
}

func urlErr(err error) error {
	return &url.Error{Op: "Get", URL: "https://api.example.test/v1/models", Err: err}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func httpRes(status int, ct, body string) *probe.HTTPResult {
	return &probe.HTTPResult{Status: status, ContentType: ct, Body: []byte(body)}
}

func certErr(reason x509.InvalidReason, nb, na time.Time) error {
	return &tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Cert: &x509.Certificate{NotBefore: nb, NotAfter: na}, Reason: reason}}
}

var (
	loop   = netip.MustParseAddr("127.0.0.1")
	remote = netip.MustParseAddr("203.0.113.7")
	now    = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
)

// classifyCases: at least one case per row of classTable (enforced below),
// with Winsock numbers beside the POSIX ones.
var classifyCases = []struct {
	name  string
	ev    Evidence
	cat   Category
	cause Cause
}{
	{"config unsupported proxy scheme", Evidence{Layer: LayerConfig, Err: &ProxyError{Cause: CauseProxyUnsupported}}, CatProxy, CauseProxyUnsupported},
	{"config malformed proxy", Evidence{Layer: LayerConfig, Err: &ProxyError{Cause: CauseProxyBadURL}}, CatProxy, CauseProxyBadURL},
	{"config ca file", Evidence{Layer: LayerConfig, Err: &CAFileError{Path: "x.pem", Err: os.ErrNotExist}}, CatTLS, CauseTLSCAFile},
	{"config bad url", Evidence{Layer: LayerConfig, Err: errors.New("bad url")}, CatHTTP, CauseBadURL},

	{"proxy name does not resolve", Evidence{Layer: LayerProxyDNS, Err: &net.DNSError{IsNotFound: true}}, CatProxy, CauseProxyDNS},
	{"proxy refused", Evidence{Layer: LayerProxyTCP, Err: opErr("dial", syscall.ECONNREFUSED), Addr: loop}, CatProxy, CauseProxyRefused},
	{"proxy refused winsock 10061", Evidence{Layer: LayerProxyTCP, Err: opErr("dial", syscall.Errno(10061))}, CatProxy, CauseProxyRefused},
	{"proxy silent", Evidence{Layer: LayerProxyTCP, Err: context.DeadlineExceeded}, CatProxy, CauseProxyTimeout},
	{"proxy net unreachable", Evidence{Layer: LayerProxyTCP, Err: opErr("dial", syscall.ENETUNREACH)}, CatProxy, CauseProxyUnreachable},
	{"proxy host unreachable winsock", Evidence{Layer: LayerProxyTCP, Err: opErr("dial", syscall.Errno(10065))}, CatProxy, CauseProxyUnreachable},
	{"proxy access denied 10013", Evidence{Layer: LayerProxyTCP, Err: opErr("dial", syscall.Errno(10013))}, CatProxy, CauseProxyUnreachable},
	{"proxy reset on connect", Evidence{Layer: LayerProxyTCP, Err: opErr("dial", syscall.ECONNRESET)}, CatProxy, CauseProxyReset},
	{"proxy other tcp error", Evidence{Layer: LayerProxyTCP, Err: errors.New("weird")}, CatProxy, CauseProxyOther},
	{"https proxy tls", Evidence{Layer: LayerProxyTLS, Err: tls.RecordHeaderError{}}, CatProxy, CauseProxyTLS},
	{"connect 407", Evidence{Layer: LayerProxyConnect, Err: &probe.ConnectError{StatusCode: 407}}, CatProxy, CauseProxyAuthRequired},
	{"connect 401 (tinyproxy, wrong password)", Evidence{Layer: LayerProxyConnect, Err: &probe.ConnectError{StatusCode: 401}}, CatProxy, CauseProxyAuthRequired},
	{"connect 403", Evidence{Layer: LayerProxyConnect, Err: &probe.ConnectError{StatusCode: 403}}, CatProxy, CauseProxyForbidden},
	{"connect 502", Evidence{Layer: LayerProxyConnect, Err: &probe.ConnectError{StatusCode: 502}}, CatProxy, CauseProxyBadGateway},
	{"connect 504", Evidence{Layer: LayerProxyConnect, Err: &probe.ConnectError{StatusCode: 504}}, CatProxy, CauseProxyGatewayTimeout},
	{"connect 400", Evidence{Layer: LayerProxyConnect, Err: &probe.ConnectError{StatusCode: 400}}, CatProxy, CauseProxyStatus},
	{"socks no acceptable method", Evidence{Layer: LayerProxyConnect, Err: &probe.SOCKSError{Stage: "greeting", Method: 0xFF}}, CatProxy, CauseSOCKSNoMethod},
	{"socks auth failed", Evidence{Layer: LayerProxyConnect, Err: &probe.SOCKSError{Stage: "auth", Reply: 1}}, CatProxy, CauseSOCKSAuth},
	{"socks target refused", Evidence{Layer: LayerProxyConnect, Err: &probe.SOCKSError{Stage: "connect", Reply: 5}}, CatProxy, CauseSOCKSRefused},
	{"socks host unreachable", Evidence{Layer: LayerProxyConnect, Err: &probe.SOCKSError{Stage: "connect", Reply: 4}}, CatProxy, CauseSOCKSUnreachable},
	{"socks not allowed", Evidence{Layer: LayerProxyConnect, Err: &probe.SOCKSError{Stage: "connect", Reply: 2}}, CatProxy, CauseSOCKSNotAllowed},
	{"socks general failure", Evidence{Layer: LayerProxyConnect, Err: &probe.SOCKSError{Stage: "connect", Reply: 1}}, CatProxy, CauseSOCKSFailure},
	{"socks command not supported", Evidence{Layer: LayerProxyConnect, Err: &probe.SOCKSError{Stage: "connect", Reply: 7}}, CatProxy, CauseProxyProtocol},
	{"socks garbage", Evidence{Layer: LayerProxyConnect, Err: &probe.SOCKSError{Stage: "protocol"}}, CatProxy, CauseProxyProtocol},
	{"connect garbage", Evidence{Layer: LayerProxyConnect, Err: &probe.ProtocolError{Proto: "http-connect"}}, CatProxy, CauseProxyProtocol},
	{"connect never answered", Evidence{Layer: LayerProxyConnect, Err: timeoutErr{}}, CatProxy, CauseProxyNoAnswerConnect},
	{"connect reset", Evidence{Layer: LayerProxyConnect, Err: opErr("read", syscall.ECONNRESET)}, CatProxy, CauseProxyReset},
	{"connect eof (socks port spoken http)", Evidence{Layer: LayerProxyConnect, Err: io.EOF}, CatProxy, CauseProxyReset},
	{"connect other", Evidence{Layer: LayerProxyConnect, Err: errors.New("x")}, CatProxy, CauseProxyOther},

	{"no resolver", Evidence{Layer: LayerDNS, Err: errors.New("x"), DNS: &probe.DNSResult{NoResolver: true}}, CatDNS, CauseNoResolver},
	{"nxdomain", Evidence{Layer: LayerDNS, Err: &net.DNSError{IsNotFound: true}, DNS: &probe.DNSResult{Rcode: "NXDOMAIN"}}, CatDNS, CauseNXDOMAIN},
	{"servfail", Evidence{Layer: LayerDNS, Err: &net.DNSError{IsTemporary: true}, DNS: &probe.DNSResult{Rcode: "SERVFAIL"}}, CatDNS, CauseSERVFAIL},
	{"rcode refused", Evidence{Layer: LayerDNS, Err: &net.DNSError{}, DNS: &probe.DNSResult{Rcode: "REFUSED"}}, CatDNS, CauseDNSRefused},
	{"no answer", Evidence{Layer: LayerDNS, Err: &net.DNSError{IsNotFound: true}, DNS: &probe.DNSResult{Rcode: "NOERROR"}}, CatDNS, CauseDNSNoAnswer},
	{"resolver silent", Evidence{Layer: LayerDNS, Err: &net.DNSError{IsTimeout: true}, DNS: &probe.DNSResult{}}, CatDNS, CauseDNSTimeout},
	{"resolver refused connection", Evidence{Layer: LayerDNS, Err: &net.DNSError{Err: "x", UnwrapErr: opErr("dial", syscall.ECONNREFUSED)}, DNS: &probe.DNSResult{}}, CatDNS, CauseDNSUnreachble},
	{"resolver network unreachable", Evidence{Layer: LayerDNS, Err: opErr("dial", syscall.ENETUNREACH), DNS: &probe.DNSResult{}}, CatDNS, CauseDNSUnreachble},
	{"resolver's own name unresolved", Evidence{Layer: LayerDNS, Err: &net.DNSError{Err: "x", Name: "api.example.test", UnwrapErr: &net.OpError{Op: "dial", Net: "udp", Err: &net.DNSError{Err: "no such host", Name: "nonsense", IsNotFound: true}}}, DNS: &probe.DNSResult{}}, CatDNS, CauseDNSUnreachble},
	{"not found without rcode", Evidence{Layer: LayerDNS, Err: &net.DNSError{IsNotFound: true}, DNS: &probe.DNSResult{}}, CatDNS, CauseNXDOMAIN},
	{"dns other", Evidence{Layer: LayerDNS, Err: errors.New("x"), DNS: &probe.DNSResult{}}, CatDNS, CauseDNSOther},

	{"refused on loopback", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.ECONNREFUSED), Addr: loop}, CatRefused, CauseLocalRefused},
	{"refused remote", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.ECONNREFUSED), Addr: remote}, CatRefused, CauseConnRefused},
	{"refused winsock 10061", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.Errno(10061)), Addr: remote}, CatRefused, CauseConnRefused},
	{"syn dropped", Evidence{Layer: LayerTCP, Err: &net.OpError{Op: "dial", Err: timeoutErr{}}, Addr: remote}, CatBlocked, CauseSYNTimeout},
	{"syn dropped ctx", Evidence{Layer: LayerTCP, Err: fmt.Errorf("dial: %w", context.DeadlineExceeded)}, CatBlocked, CauseSYNTimeout},
	{"winsock 10060 timeout", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.Errno(10060))}, CatBlocked, CauseSYNTimeout},
	{"local firewall eperm", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.EPERM)}, CatBlocked, CauseLocalFirewall},
	{"winsock 10013", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.Errno(10013))}, CatBlocked, CauseLocalFirewall},
	{"net unreachable", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.ENETUNREACH)}, CatUnreachable, CauseNetUnreachable},
	{"winsock 10051", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.Errno(10051))}, CatUnreachable, CauseNetUnreachable},
	{"host unreachable", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.EHOSTUNREACH)}, CatUnreachable, CauseHostUnreachable},
	{"winsock 10065", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.Errno(10065))}, CatUnreachable, CauseHostUnreachable},
	{"winsock 10050 net down", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.Errno(10050))}, CatUnreachable, CauseNoNetwork},
	{"reset on connect", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.ECONNRESET)}, CatRefused, CauseConnResetConnect},
	{"winsock 10053 aborted", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.Errno(10053))}, CatRefused, CauseConnResetConnect},
	{"guessed port refused", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.ECONNREFUSED), Addr: loop, PortGuessed: true}, CatRefused, CauseGatewayPortGuessed},
	{"admin prohibited (heard by the path probe)", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.EHOSTUNREACH), AdminProhibited: true}, CatBlocked, CauseAdminProhib},
	{"tcp other", Evidence{Layer: LayerTCP, Err: errors.New("x")}, CatUnreachable, CauseHostUnreachable},
	{"winsock 10055 no ephemeral port", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.Errno(10055))}, CatOverloaded, CauseEphemeralPorts},
	{"eaddrnotavail on connect", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.EADDRNOTAVAIL)}, CatOverloaded, CauseEphemeralPorts},
	{"no ephemeral port towards the proxy", Evidence{Layer: LayerProxyTCP, Err: opErr("dial", syscall.Errno(10055))}, CatOverloaded, CauseEphemeralPorts},
	{"winsock 10048 port in use", Evidence{Layer: LayerTCP, Err: opErr("bind", syscall.Errno(10048))}, CatRefused, CausePortInUse},
	{"winsock 10049 a base URL of 0.0.0.0", Evidence{Layer: LayerTCP, Err: opErr("dial", syscall.Errno(10049))}, CatUnreachable, CauseAddrNotValid},

	{"hostname mismatch", Evidence{Layer: LayerTLS, Err: &tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: &x509.Certificate{}, Host: "a"}}}, CatTLS, CauseTLSHostname},
	{"untrusted (mitm)", Evidence{Layer: LayerTLS, Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}, CatTLS, CauseTLSUntrusted},
	{"not yet valid", Evidence{Layer: LayerTLS, Now: now, Err: certErr(x509.Expired, now.Add(time.Hour), now.Add(2*time.Hour))}, CatTLS, CauseTLSNotYet},
	{"expired", Evidence{Layer: LayerTLS, Now: now, Err: certErr(x509.Expired, now.Add(-2*time.Hour), now.Add(-time.Hour))}, CatTLS, CauseTLSExpired},
	{"other invalid cert", Evidence{Layer: LayerTLS, Err: certErr(x509.NotAuthorizedToSign, now, now)}, CatTLS, CauseTLSOther},
	{"not tls", Evidence{Layer: LayerTLS, Err: tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}}, CatTLS, CauseTLSNotTLS},
	{"remote alert", Evidence{Layer: LayerTLS, Err: &net.OpError{Op: "remote error", Err: tls.AlertError(70)}}, CatTLS, CauseTLSAlert},
	{"sni reset", Evidence{Layer: LayerTLS, Err: opErr("read", syscall.ECONNRESET)}, CatBlocked, CauseTLSReset},
	{"sni reset winsock 10054", Evidence{Layer: LayerTLS, Err: opErr("read", syscall.Errno(10054))}, CatBlocked, CauseTLSReset},
	{"sni abort winsock 10053", Evidence{Layer: LayerTLS, Err: opErr("read", syscall.Errno(10053))}, CatBlocked, CauseTLSReset},
	{"handshake eof", Evidence{Layer: LayerTLS, Err: io.EOF}, CatBlocked, CauseTLSEOF},
	{"clienthello dropped", Evidence{Layer: LayerTLS, Err: context.DeadlineExceeded}, CatBlocked, CauseTLSTimeout},
	{"tls other", Evidence{Layer: LayerTLS, Err: errors.New("x")}, CatTLS, CauseTLSOther},

	{"accepted never answered", Evidence{Layer: LayerHTTP, Err: urlErr(context.DeadlineExceeded), HTTP: &probe.HTTPResult{Err: urlErr(context.DeadlineExceeded)}}, CatOverloaded, CauseNoResponse},
	{"reset during http", Evidence{Layer: LayerHTTP, Err: urlErr(opErr("read", syscall.ECONNRESET)), HTTP: &probe.HTTPResult{Err: urlErr(opErr("read", syscall.ECONNRESET))}}, CatHTTP, CauseHTTPReset},
	{"empty reply", Evidence{Layer: LayerHTTP, Err: urlErr(io.EOF), HTTP: &probe.HTTPResult{Err: urlErr(io.EOF)}}, CatHTTP, CauseHTTPEOF},
	{"malformed http", Evidence{Layer: LayerHTTP, Err: urlErr(errors.New("malformed HTTP response")), HTTP: &probe.HTTPResult{Err: urlErr(errors.New("malformed"))}}, CatHTTP, CauseHTTPProtocol},
	{"openai region 403", Evidence{Layer: LayerHTTP, KeySent: true, HTTP: &probe.HTTPResult{Status: 403, ErrorCode: "unsupported_country_region_territory"}}, CatBlocked, CauseRegionBlocked},
	{"451 unavailable for legal reasons", Evidence{Layer: LayerHTTP, KeySent: true, HTTP: httpRes(451, "application/json", `{"error":"Access to OpenAI models is not available from this data center"}`)}, CatBlocked, CauseRegionBlocked},
	{"gemini location 400", Evidence{Layer: LayerHTTP, HTTP: httpRes(400, "application/json", `{"error":{"code":400,"message":"User location is not supported for the API use.","status":"FAILED_PRECONDITION"}}`)}, CatBlocked, CauseRegionBlocked},
	{"429 quota", Evidence{Layer: LayerHTTP, HTTP: &probe.HTTPResult{Status: 429, ErrorType: "insufficient_quota"}}, CatOverloaded, CauseQuota},
	{"402 payment required", Evidence{Layer: LayerHTTP, HTTP: &probe.HTTPResult{Status: 402}}, CatOverloaded, CauseQuota},
	{"429 rate limit", Evidence{Layer: LayerHTTP, HTTP: &probe.HTTPResult{Status: 429, RetryAfter: "20"}}, CatOverloaded, CauseRateLimited},
	{"503", Evidence{Layer: LayerHTTP, HTTP: httpRes(503, "application/json", "{}")}, CatOverloaded, CauseUnavailable},
	{"529", Evidence{Layer: LayerHTTP, HTTP: httpRes(529, "application/json", `{"type":"error","error":{"type":"overloaded_error"}}`)}, CatOverloaded, CauseOverloaded529},
	{"502", Evidence{Layer: LayerHTTP, HTTP: httpRes(502, "text/plain", "bad gateway")}, CatOverloaded, CauseBadGateway},
	{"524 cloudflare", Evidence{Layer: LayerHTTP, HTTP: httpRes(524, "text/html", "<html>")}, CatOverloaded, CauseGatewayTO},
	{"522 cloudflare", Evidence{Layer: LayerHTTP, HTTP: httpRes(522, "text/html", "<html>")}, CatOverloaded, CauseGatewayTO},
	{"520 cloudflare", Evidence{Layer: LayerHTTP, HTTP: httpRes(520, "text/html", "<html>")}, CatOverloaded, CauseBadGateway},
	{"html ban page", Evidence{Layer: LayerHTTP, HTTP: httpRes(200, "text/html; charset=utf-8", "<!doctype html>")}, CatHTTP, CauseHTML},
	{"html sniffed", Evidence{Layer: LayerHTTP, HTTP: httpRes(200, "", "  <html>")}, CatHTTP, CauseHTML},
	{"401 with key", Evidence{Layer: LayerHTTP, KeySent: true, HTTP: httpRes(401, "application/json", `{"error":{"type":"invalid_request_error"}}`)}, CatAuth, CauseUnauthorized},
	{"403 with key", Evidence{Layer: LayerHTTP, KeySent: true, HTTP: httpRes(403, "application/json", `{}`)}, CatAuth, CauseForbidden},
	{"401 without key is reachable", Evidence{Layer: LayerHTTP, HTTP: httpRes(401, "application/json", `{}`)}, CatOK, CauseOKKeyNotSent},
	{"404", Evidence{Layer: LayerHTTP, HTTP: httpRes(404, "application/json", `{}`)}, CatHTTP, CauseNotFound},
	{"new-api status", Evidence{Layer: LayerHTTP, NewAPIVersion: "v0.9.0", HTTP: httpRes(200, "application/json", `{"success":true}`)}, CatOK, CauseNewAPIOK},
	{"400 invalid key in words", Evidence{Layer: LayerHTTP, KeySent: true, HTTP: httpRes(400, "application/json", `{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}`)}, CatAuth, CauseUnauthorized},
	{"500 web page is the gateway's", Evidence{Layer: LayerHTTP, HTTP: httpRes(500, "text/html", "<html>")}, CatHTTP, CauseServerError},
	{"dual-stack, IPv6 failed, IPv4 answered", Evidence{Layer: LayerHTTP, IPv6Failed: true, HTTP: httpRes(200, "application/json", `{"data":[]}`)}, CatOK, CauseIPv6Broken},
	{"reachability-only 404 proves the path", Evidence{Layer: LayerHTTP, ReachabilityOnly: true, HTTP: httpRes(404, "application/json", `{}`)}, CatOK, CauseOK},
	{"reachability-only: a proxy's 407 proves nothing", Evidence{Layer: LayerHTTP, ReachabilityOnly: true, HTTP: httpRes(407, "text/plain", ``)}, CatProxy, CauseProxyAuthRequired},
	{"reachability-only: a region block is still one", Evidence{Layer: LayerHTTP, ReachabilityOnly: true, HTTP: httpRes(403, "application/json", `{"error":{"code":"unsupported_country_region_territory"}}`)}, CatBlocked, CauseRegionBlocked},
	{"custom channel's POST URL answers GET with 405", Evidence{Layer: LayerHTTP, FullURL: true, HTTP: httpRes(405, "application/json", `{}`)}, CatOK, CauseOK},
	{"405 elsewhere is unexpected", Evidence{Layer: LayerHTTP, HTTP: httpRes(405, "application/json", `{}`)}, CatHTTP, CauseHTTPStatus},
	{"407 is a proxy's answer (plain http through a proxy)", Evidence{Layer: LayerHTTP, HTTP: httpRes(407, "text/plain", ``)}, CatProxy, CauseProxyAuthRequired},
	// Look-alikes a differential proved: the layer that broke is not the fault.
	{"fake-ip answer, SYN dropped", Evidence{Layer: LayerTCP, Err: timeoutErr{}, Lookalike: LookFakeIP}, CatDNS, CauseFakeIP},
	{"sinkhole answer, refused on loopback", Evidence{Layer: LayerTCP, Addr: loop, Err: opErr("dial", syscall.ECONNREFUSED), Lookalike: LookSinkhole}, CatDNS, CauseDNSSinkhole},
	{"hosts file pin, SYN dropped", Evidence{Layer: LayerTCP, Err: timeoutErr{}, Lookalike: LookHostsFile}, CatDNS, CauseHostsFile},
	{"injected answer", Evidence{Layer: LayerTCP, Err: timeoutErr{}, Lookalike: LookDNSInjected}, CatDNS, CauseDNSInjected},
	{"second resolver's answer connects", Evidence{Layer: LayerTLS, Err: timeoutErr{}, Lookalike: LookDNSWrong}, CatDNS, CauseDNSWrong},
	{"no-SNI handshake passes", Evidence{Layer: LayerTLS, Err: opErr("read", syscall.ECONNRESET), Lookalike: LookSNIFiltered}, CatBlocked, CauseSNIFiltered},
	{"issuer fetched verifies", Evidence{Layer: LayerTLS, Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, Lookalike: LookIncompleteChain}, CatTLS, CauseIncompleteChain},
	{"alert 116 certificate required", Evidence{Layer: LayerTLS, Err: &net.OpError{Op: "remote error", Err: tls.AlertError(116)}, Lookalike: LookClientCertNeeded}, CatTLS, CauseClientCert},
	{"neutral request answered", Evidence{Layer: LayerHTTP, HTTP: &probe.HTTPResult{Err: opErr("read", syscall.ECONNRESET)}, Err: opErr("read", syscall.ECONNRESET), Lookalike: LookKeywordFiltered}, CatBlocked, CauseKeywordFiltered},
	{"small MSS passes", Evidence{Layer: LayerTLS, Err: timeoutErr{}, Lookalike: LookMTUBlackhole}, CatUnreachable, CauseMTUBlackhole},
	// Issue 11 items 5-8: what answered, read; a control through the same path.
	{"http:// proxy URL on a SOCKS port", Evidence{Layer: LayerProxyConnect, Err: io.EOF, Lookalike: LookProxyWrongScheme}, CatProxy, CauseProxyWrongScheme},
	{"absolute-form GET to a SOCKS port", Evidence{Layer: LayerHTTP, Err: io.EOF, HTTP: &probe.HTTPResult{Err: io.EOF}, Lookalike: LookProxyWrongScheme}, CatProxy, CauseProxyWrongScheme},
	{"squid ERR_DNS_FAIL", Evidence{Layer: LayerProxyConnect, Err: &probe.ConnectError{StatusCode: 503}, Lookalike: LookProxyTargetDNS}, CatProxy, CauseProxyTargetDNS},
	{"squid ERR_CONNECT_FAIL 111", Evidence{Layer: LayerProxyConnect, Err: &probe.ConnectError{StatusCode: 503}, Lookalike: LookProxyTargetRefused}, CatProxy, CauseProxyTargetRefused},
	{"squid ERR_CONNECT_FAIL 110", Evidence{Layer: LayerProxyConnect, Err: &probe.ConnectError{StatusCode: 503}, Lookalike: LookProxyTargetTimeout}, CatProxy, CauseProxyTargetTimeout},
	{"headers then a stalled body", Evidence{Layer: LayerHTTP, HTTP: httpRes(200, "text/event-stream", "data:"), Lookalike: LookBodyStalled}, CatOverloaded, CauseBodyStalled},
	{"redirect to another host", Evidence{Layer: LayerHTTP, HTTP: httpRes(302, "text/html", ""), Lookalike: LookCaptivePortal}, CatBlocked, CauseCaptivePortal},
	{"a 200 page from the http proxy", Evidence{Layer: LayerHTTP, HTTP: httpRes(200, "text/html", "<html>"), Lookalike: LookProxyBlockPage}, CatProxy, CauseProxyBlockPage},
	{"cloudflare challenge", Evidence{Layer: LayerHTTP, HTTP: httpRes(403, "text/html", "<html>"), Lookalike: LookBotWall}, CatBlocked, CauseBotWall},
	{"a control passes, the endpoint does not", Evidence{Layer: LayerTCP, Err: timeoutErr{}, Lookalike: LookEndpointFiltered}, CatBlocked, CauseEndpointFiltered},
	{"every control fails too", Evidence{Layer: LayerTCP, Err: timeoutErr{}, Lookalike: LookPathDown}, CatUnreachable, CausePathDown},
	{"200", Evidence{Layer: LayerHTTP, HTTP: httpRes(200, "application/json", `{"data":[]}`)}, CatOK, CauseOK},
	{"500", Evidence{Layer: LayerHTTP, HTTP: httpRes(500, "application/json", `{}`)}, CatHTTP, CauseServerError},
	{"418", Evidence{Layer: LayerHTTP, HTTP: httpRes(418, "application/json", `{}`)}, CatHTTP, CauseHTTPStatus},
}

// signalCases: rows whose signal no Evidence carries (withSystemProxy
// classifies a Signal of its own).
var signalCases = []struct {
	name  string
	s     Signal
	cause Cause
}{
	{"the system proxy gets through where new-api's path fails", Signal{Layer: LayerTCP, Kind: KindRefused, SystemProxyWorks: true}, CauseSystemProxyOnly},
	{"the system proxy alone", Signal{SystemProxyWorks: true}, CauseSystemProxyOnly},
}

func TestClassify(t *testing.T) {
	hit := make([]bool, len(classTable))
	for _, tc := range signalCases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			if i := classifyRow(&s); i >= 0 {
				hit[i] = true
			}
			if got := ClassifySignal(tc.s); got != tc.cause {
				t.Fatalf("ClassifySignal = %s, want %s", got, tc.cause)
			}
		})
	}
	for _, tc := range classifyCases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.ev.Signal()
			if i := classifyRow(&s); i >= 0 {
				hit[i] = true
			}
			cat, cause := Classify(tc.ev)
			if cat != tc.cat || cause != tc.cause {
				t.Fatalf("Classify = %s/%s, want %s/%s", cat, cause, tc.cat, tc.cause)
			}
		})
	}
	for i, h := range hit {
		if !h {
			t.Errorf("classTable row %d (%s) has no test case", i, classTable[i].cause)
		}
	}
}

// multiLayer are the causes the table decides at more than one layer: the
// proxy going away is the same fault whether it went away during TCP or
// during the tunnel request; a 407 is the proxy's whether it answered
// CONNECT or a plain-http request sent through it.
// A lie of the resolver shows where the wrong address fails to answer (TCP,
// TLS); a client-certificate demand in TLS 1.3 arrives with the first read
// (HTTP); an MTU black hole stalls the handshake or a large answer.
var multiLayer = map[Cause]bool{CauseProxyReset: true, CauseProxyOther: true, CauseProxyAuthRequired: true,
	CauseFakeIP: true, CauseDNSSinkhole: true, CauseHostsFile: true, CauseDNSInjected: true, CauseDNSWrong: true, CauseClientCert: true, CauseMTUBlackhole: true,
	// This machine's own sockets: the same fault towards the proxy or the target.
	CauseEphemeralPorts: true, CausePortInUse: true,
	CauseEndpointFiltered: true, CausePathDown: true, CauseProxyWrongScheme: true}

// TestClassifyAgreesWithCatalogue: every row's cause is in the catalogue and
// is decided at the catalogue's layer; every cause has a category and a hint.
func TestClassifyAgreesWithCatalogue(t *testing.T) {
	for i, r := range classTable {
		if !r.cause.Known() {
			t.Errorf("row %d: cause %s is not in the catalogue", i, r.cause)
		}
	}
	for _, tc := range classifyCases {
		if l := tc.cause.Layer(); l != "" && l != tc.ev.Layer && !multiLayer[tc.cause] {
			t.Errorf("%s: decided at layer %q, the catalogue places %s at %q", tc.name, tc.ev.Layer, tc.cause, l)
		}
	}
	for cause, ci := range catalogue {
		if ci.cat == "" {
			t.Errorf("cause %s has no category", cause)
		}
		if cause != CauseOK && cause != CauseNewAPIOK && HintFor(cause, HintFacts{Host: "h", Port: "1", Proxy: "127.0.0.1:7890", Status: 429}) == "" {
			t.Errorf("cause %s has no hint", cause)
		}
	}
}

func TestClassifyNeverPanicsOnEmptyEvidence(t *testing.T) {
	for _, l := range []Layer{"", LayerConfig, LayerProxyDNS, LayerProxyTCP, LayerProxyTLS, LayerProxyConnect, LayerDNS, LayerTCP, LayerTLS, LayerHTTP} {
		cat, cause := Classify(Evidence{Layer: l})
		if cat == "" || cause == "" {
			t.Errorf("layer %q: empty verdict", l)
		}
	}
}

// TestHintsSpeakToTheCase pins the hints users need most (issue's examples).
func TestHintsSpeakToTheCase(t *testing.T) {
	cases := []struct {
		cause Cause
		f     HintFacts
		want  []string
	}{
		{CauseLocalRefused, HintFacts{Host: "127.0.0.1", Port: "3000"}, []string{"Nothing listens on 127.0.0.1:3000", "host.docker.internal"}},
		{CauseProxyRefused, HintFacts{Proxy: "127.0.0.1:7890", ProxyFrom: "env:HTTPS_PROXY"}, []string{"Clash", "v2rayN", "HTTPS_PROXY"}},
		{CauseProxyRefused, HintFacts{Proxy: "proxy.corp:3128"}, []string{"proxy.corp:3128"}},
		{CauseNotFound, HintFacts{Path: "/v1/v1/models"}, []string{"/v1"}},
		{CauseRateLimited, HintFacts{RetryAfter: "20"}, []string{"Retry-After: 20"}},
		{CauseTLSUntrusted, HintFacts{Issuer: "CN=Fiddler Root"}, []string{"Fiddler Root", "MITM"}},
		{CauseTLSExpired, HintFacts{}, []string{"clock"}},
		{CauseGatewayTO, HintFacts{Status: 524}, []string{"Cloudflare"}},
		{CauseLocalFirewall, HintFacts{}, []string{"firewall"}},
		{CauseConnRefused, HintFacts{}, []string{"The host answered"}},
		{CauseProxyAuthRequired, HintFacts{Status: 407}, []string{"407", "has none"}},
		{CauseProxyAuthRequired, HintFacts{Status: 407, ProxyCreds: true}, []string{"407", "rejected the username or password"}},
		{CauseProxyAuthRequired, HintFacts{Status: 401, ProxyCreds: true}, []string{"401", "tinyproxy", "rejected the username or password"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.cause), func(t *testing.T) {
			h := HintFor(tc.cause, tc.f)
			for _, w := range tc.want {
				if !strings.Contains(h, w) {
					t.Errorf("hint %q lacks %q", h, w)
				}
			}
		})
	}
}

// TestTimeoutRelations pins the default timeouts' relations: the resolver
// gets less time than a connect (a slow answer must not eat the connect's
// budget), and the HTTP answer the most (a model API's first byte is slow).
func TestTimeoutRelations(t *testing.T) {
	d := Timeouts{}.WithDefaults()
	if !(d.DNS < d.Connect && d.Connect <= d.TLS && d.TLS < d.HTTP) {
		t.Fatalf("want dns < connect <= tls < http, got %+v", d)
	}
	if b := d.EndpointBudget(); b < d.DNS+d.Connect+d.TLS+d.HTTP {
		t.Fatalf("endpoint budget %s shorter than one chain", b)
	}
}

func TestTruncateKeepsRunes(t *testing.T) {
	s := "余额不足，请充值" // 3 bytes a rune
	for n := 0; n <= len(s); n++ {
		if got := truncate(s, n); !utf8.ValidString(got) {
			t.Fatalf("truncate(%d) = %q: invalid UTF-8", n, got)
		}
	}
}

// TestHintsReadRightOnTheirOS: a hint names the commands of the OS it runs
// on (issue 12.5): ipconfig, w32tm, Windows Defender Firewall and the TLS-
// scanning security suites on Windows; resolv.conf, date and NTP elsewhere.
func TestHintsReadRightOnTheirOS(t *testing.T) {
	cases := []struct {
		cause            Cause
		f                HintFacts
		windows, linux   []string
		notWin, notLinux []string
	}{
		{CauseDNSOther, HintFacts{}, []string{"ipconfig /flushdns"}, []string{"/etc/resolv.conf"}, []string{"resolv.conf"}, []string{"ipconfig"}},
		{CauseNoResolver, HintFacts{}, []string{"ipconfig /all"}, []string{"/etc/resolv.conf"}, []string{"resolv.conf"}, []string{"ipconfig"}},
		{CauseDNSRefused, HintFacts{}, []string{"ipconfig /flushdns"}, []string{"/etc/resolv.conf"}, []string{"resolv.conf"}, []string{"ipconfig"}},
		{CauseDNSUnreachble, HintFacts{}, []string{"ipconfig"}, []string{"systemd-resolved"}, []string{"systemd"}, []string{"ipconfig"}},
		{CauseNXDOMAIN, HintFacts{Host: "api.openai.com"}, []string{"ipconfig /flushdns"}, []string{"NXDOMAIN"}, nil, []string{"ipconfig"}},
		{CauseDNSWrong, HintFacts{}, []string{"adapter's DNS settings", "ipconfig /flushdns"}, []string{"/etc/resolv.conf"}, []string{"resolv.conf"}, []string{"ipconfig"}},
		{CauseTLSExpired, HintFacts{}, []string{"w32tm /resync", "Administrator"}, []string{"`date`", "timedatectl"}, []string{"`date`"}, []string{"w32tm"}},
		{CauseTLSNotYet, HintFacts{}, []string{"w32tm /resync"}, []string{"timedatectl"}, nil, []string{"w32tm"}},
		{CauseTLSUntrusted, HintFacts{}, []string{"360", "火绒/Huorong", "Kaspersky"}, []string{"MITM"}, nil, []string{"360"}},
		{CauseLocalFirewall, HintFacts{}, []string{"Windows Defender Firewall", "excludedportrange", "10013"}, []string{"iptables"}, []string{"iptables"}, []string{"Windows", "netsh"}},
		{CausePortInUse, HintFacts{Port: "3000"}, []string{"10048", "netstat -ano | findstr :3000", "PID"}, []string{"ss -ltnp", "3000"}, []string{"ss -ltnp"}, []string{"netstat"}},
		{CauseAddrNotValid, HintFacts{}, []string{"0.0.0.0", "127.0.0.1", "10049"}, []string{"0.0.0.0"}, nil, nil},
		{CauseEphemeralPorts, HintFacts{}, []string{"10055", "netsh int ipv4 set dynamicport", "Administrator"}, []string{"ip_local_port_range"}, []string{"sysctl"}, []string{"netsh"}},
	}
	defer func(os string) { hintOS = os }(hintOS)
	for _, tc := range cases {
		for _, os := range []string{"windows", "linux"} {
			t.Run(string(tc.cause)+"/"+os, func(t *testing.T) {
				hintOS = os
				h := HintFor(tc.cause, tc.f)
				want, not := tc.windows, tc.notWin
				if os == "linux" {
					want, not = tc.linux, tc.notLinux
				}
				for _, w := range want {
					if !strings.Contains(h, w) {
						t.Errorf("hint %q lacks %q", h, w)
					}
				}
				for _, w := range not {
					if strings.Contains(h, w) {
						t.Errorf("hint %q names %q, which is not this OS's", h, w)
					}
				}
			})
		}
	}
}

// TestSquidCodeMax: ProxyPageSays reads squidCodeMax bytes of a pasted
// X-Squid-Error; every code it matches must fit.
func TestSquidCodeMax(t *testing.T) {
	for _, codes := range [][]string{squidDNS, squidRefused, squidTimeout} {
		for _, c := range codes {
			if len(c) > squidCodeMax {
				t.Errorf("%q is longer than squidCodeMax (%d)", c, squidCodeMax)
			}
		}
	}
}
